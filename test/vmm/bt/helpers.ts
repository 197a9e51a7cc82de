import { decode, encode, lookupMnemonic, type InsnDef, type OperandSpec, type OperandValue } from '../../../src/isa/index.js';
import type { FetchWord } from '../../../src/vmm/bt/index.js';

export function ins(mnemonic: string, operands: OperandValue[]): number {
  const def = lookupMnemonic(mnemonic);
  if (!def) throw new Error(`no ${mnemonic}`);
  return encode(def, operands);
}

/** A plausible operand for every operand kind (distinct registers per field). */
function sampleOperand(spec: OperandSpec): OperandValue {
  switch (spec.kind) {
    case 'reg': return { a: 4, b: 5, c: 6 }[spec.field];
    case 'cr': return 1;
    case 'simm16': return -8;
    case 'uimm16': return 0x1234;
    case 'shamt': return 3;
    case 'mem': case 'port': return { offset: 8, base: 5 };
    case 'branch': return 16;
    case 'jump': return -64;
  }
}

export function sampleWord(def: InsnDef): number {
  return encode(def, def.operands.map(sampleOperand));
}

/** Guest memory holding `words` from `base`; everything else unmapped. */
export function fetchFrom(base: number, words: number[]): FetchWord {
  return (pc) => {
    const i = (pc - base) / 4;
    return Number.isInteger(i) && i >= 0 && i < words.length ? words[i] : undefined;
  };
}

/** Runs straight-line lui/ori code (nothing else) on 16 registers, r0 hard-wired to zero. */
export function evalConstCode(words: number[], regs: number[] = new Array(16).fill(0)): number[] {
  regs[0] = 0;
  for (const w of words) {
    const d = decode(w);
    if (!d) throw new Error(`undefined word 0x${w.toString(16)}`);
    if (d.def.sem.kind === 'lui') regs[d.a] = (d.imm << 16) | 0;
    else if (d.def.mnemonic === 'ori') regs[d.a] = regs[d.b]! | d.imm;
    else throw new Error(`evaluator: unexpected ${d.def.mnemonic}`);
    regs[0] = 0;
  }
  return regs;
}
