// Pass 2: everything is laid out; evaluate every expression, encode every
// instruction and write the bytes of each section.

import { EncodeError, encode, lookupMnemonic, type InsnDef } from '../isa/index.js';
import type { LineEntry, SectionName } from '../elf/image.js';
import { resolveOperands } from './operands.js';
import type { AsmState, Stmt } from './state.js';

const NOP_WORD = (() => {
  const addi = lookupMnemonic('addi') as InsnDef;
  return encode(addi, [0, 0, 0]);
})();

const DATA_RANGE: Record<1 | 2 | 4, { min: number; max: number; directive: string }> = {
  1: { min: -0x80, max: 0xff, directive: '.byte' },
  2: { min: -0x8000, max: 0xffff, directive: '.half' },
  4: { min: -0x80000000, max: 0xffffffff, directive: '.word' },
};

export interface Pass2Result {
  contents: Record<SectionName, Uint8Array>; // .bss stays empty
  lines: LineEntry[];
}

function put(buf: Uint8Array, at: number, value: number, width: number): void {
  for (let i = 0; i < width; i++) buf[at + i] = (value >>> (8 * i)) & 0xff;
}

export function runPass2(st: AsmState): Pass2Result {
  const { sections } = st;
  const contents: Record<SectionName, Uint8Array> = {
    '.text': new Uint8Array(sections.byName['.text'].size),
    '.data': new Uint8Array(sections.byName['.data'].size),
    '.bss': new Uint8Array(0),
  };
  const lines: LineEntry[] = [];
  for (const stmt of st.stmts) {
    emitStatement(st, stmt, contents[stmt.section], lines);
    if (stmt.section !== '.bss') stmt.bytes = contents[stmt.section].subarray(stmt.offset, stmt.offset + stmt.size);
  }
  lines.sort((a, b) => a.addr - b.addr);
  return { contents, lines };
}

function emitStatement(st: AsmState, stmt: Stmt, buf: Uint8Array, lines: LineEntry[]): void {
  const base = st.sections.byName[stmt.section].base!;
  const addr = (base + stmt.offset) >>> 0;
  const { file, line } = stmt.line;
  const report = (pos: number, message: string) => st.report(stmt, pos, message);
  const item = stmt.item;
  const inBss = stmt.section === '.bss';
  switch (item.kind) {
    case 'none': return;
    case 'insns':
      item.insns.forEach((plan, i) => {
        const pc = (addr + 4 * i) >>> 0;
        // `.` is the address of the statement, even in the second word of a pseudo.
        const values = resolveOperands(plan.def, plan.operands, { pc, value: (e) => st.evaluate(e, 'final', stmt), report });
        lines.push({ addr: pc, file, line });
        if (!values) return;
        try {
          put(buf, stmt.offset + 4 * i, encode(plan.def, values), 4);
        } catch (e) {
          if (!(e instanceof EncodeError)) throw e;
          report(plan.operands[0]?.pos ?? 0, e.message);
        }
      });
      return;
    case 'data': {
      const range = DATA_RANGE[item.width];
      lines.push({ addr, file, line });
      item.operands.forEach((op, i) => {
        const at = stmt.offset + i * item.width;
        const v = st.evaluate(op.expr, 'final', stmt, at);
        if (v === undefined) return;
        // Values are int32; .word accepts any, so compare unsigned too for 0x80000000 and up.
        const ok = item.width === 4 || (v >= range.min && v <= range.max);
        if (!ok) return report(op.pos, `value ${v} out of range ${range.min}..${range.max} for ${range.directive}`);
        put(buf, at, v, item.width);
      });
      return;
    }
    case 'bytes':
      lines.push({ addr, file, line });
      buf.set(item.bytes, stmt.offset);
      return;
    case 'fill': {
      let fill = 0;
      if (item.fill) {
        const v = st.evaluate(item.fill, 'final', stmt);
        if (v === undefined) return;
        if (v < -0x80 || v > 0xff) return report(item.fillPos!, `fill value ${v} out of range -128..255`);
        if (inBss && v !== 0) return report(item.fillPos!, 'fill value in .bss must be 0 (.bss holds zeros)');
        fill = v & 0xff;
      }
      if (inBss) return;
      lines.push({ addr, file, line });
      buf.fill(fill, stmt.offset, stmt.offset + item.count);
      return;
    }
    case 'align': {
      if (inBss || !item.nop) return;
      // Zeros up to a word boundary, then nops, so execution can fall through the padding.
      let at = stmt.offset;
      const end = stmt.offset + item.count;
      while ((base + at) % 4 !== 0 && at < end) at++;
      for (; at + 4 <= end; at += 4) put(buf, at, NOP_WORD, 4);
      return;
    }
    case 'set': {
      const v = st.evaluate(item.expr, 'final', stmt);
      const def = st.symbols.get(item.name);
      if (def && def.kind === 'set') {
        def.value = v;
        def.failed = v === undefined;
      }
      return;
    }
  }
}
