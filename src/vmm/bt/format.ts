// Text form of a unit for `virtlab bt-dump`: each guest instruction beside its
// translation, IDENT / non-IDENT marked, callouts named.
//
//   unit 0x00001000 <kmain>..0x0000100c: 3 guest insns -> 5 words (1 IDENT, 2 non-IDENT), ends at control
//     0x00001000  addi sp, sp, -16          IDENT    | +0   addi sp, sp, -16
//     0x00001004  cli                       emulate  | +1   hcall 0x0        ; #0 emulate cli
//     0x00001008  jal ra, foo               control  | +2   lui ra, 0x0 ...

import { decode, disassembleWord, regName, type SymbolLookup } from '../../isa/index.js';
import { unitCounts } from './counts.js';
import type { Callout, TranslatedInsn, TranslationUnit } from './unit.js';

const GUEST_WIDTH = 28;
const TRANS_WIDTH = 22;

function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function named(addr: number, symbolAt?: SymbolLookup): string {
  const sym = symbolAt?.(addr);
  return sym ? `${hex8(addr)} <${sym}>` : hex8(addr);
}

/** One-line description of a callout, e.g. `#1 exit taken -> 0x00001040 <loop>`. */
export function describeCallout(c: Callout, symbolAt?: SymbolLookup): string {
  const head = `#${c.index}${c.id !== c.index ? ` (id ${c.id})` : ''} ${c.kind}`;
  switch (c.kind) {
    case 'emulate':
      return `${head} ${c.def?.mnemonic ?? '?'}${c.endsUnit ? ' (ends unit)' : ''}`;
    case 'fault':
      return `${head} ${c.fault?.reason ?? '?'}${c.fault?.faultaddr !== undefined ? ` at ${hex8(c.fault.faultaddr)}` : ''}`;
    case 'exit':
      if (c.indirect) {
        const { rd, rs1, imm, returnAddress } = c.indirect;
        const link = rd === 0 ? '' : `, ${regName(rd)} = ${hex8(returnAddress)}`;
        return `${head} indirect -> ${regName(rs1)}${imm < 0 ? imm : `+${imm}`}${link}`;
      }
      return `${head} ${c.exit ?? ''} -> ${named(c.target ?? 0, symbolAt)}`;
  }
}

function marker(insn: TranslatedInsn): string {
  if (insn.ident) return 'IDENT';
  return insn.treatment ?? 'fault';
}

export function formatUnit(unit: TranslationUnit, symbolAt?: SymbolLookup): string {
  const n = unitCounts(unit);
  const out = [
    `unit ${named(unit.startPc, symbolAt)}..${hex8(unit.endPc)}: ${n.guestInsns} guest insns -> ${n.translatedWords} words`
    + ` (${n.ident} IDENT, ${n.nonIdent} non-IDENT), ends at ${unit.end}`,
  ];
  for (const insn of unit.insns) {
    const left = `  ${hex8(insn.guestPc)}  ${insn.text.padEnd(GUEST_WIDTH)} ${marker(insn).padEnd(11)}`;
    const blank = ' '.repeat(left.length);
    const calloutAt = new Map(insn.callouts.map((i) => [unit.callouts[i]!.site, unit.callouts[i]!]));
    if (insn.words.length === 0) out.push(`${left}| (no code)`);
    insn.words.forEach((w, k) => {
      const at = insn.offset + k;
      // Translated words are disassembled as if the unit sat at address 0 (it is
      // position-independent); the local branch's target is also shown as a word offset.
      const text = disassembleWord(w, at * 4).padEnd(TRANS_WIDTH);
      const c = calloutAt.get(at);
      const d = decode(w);
      const local = !c && d?.def.sem.kind === 'branch' ? ` ; local branch -> +${at + d.imm / 4}` : '';
      const note = c ? ` ; ${describeCallout(c, symbolAt)}` : local;
      out.push(`${k === 0 ? left : blank}| +${String(at).padEnd(3)} ${text}${note}`.trimEnd());
    });
  }
  return out.join('\n');
}
