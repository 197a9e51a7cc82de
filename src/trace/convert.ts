// From the machine's step records to trace records: the instruction first,
// then its events in the order they happened. Control-register writes are part
// of the instruction record; `rett`'s effect shows in the next record's pc and
// ring. Interrupt-line level changes are not traced (devices raise lines
// between steps, outside any record).

import { CAUSE, CR_NAMES, disassembleWord, EXC_NAMES, regName } from '../isa/index.js';
import type { StepRecord } from '../machine/events.js';
import type { InsnRecord, TraceRecord } from './records.js';
import type { Symbolizer } from './symbolizer.js';

const DETAIL_BITS: readonly [number, string][] = [
  [CAUSE.WRITE, 'write'], [CAUSE.FETCH, 'fetch'], [CAUSE.USER, 'user'], [CAUSE.PRESENT, 'present'],
];

export function causeDetail(cause: number): string[] {
  return DETAIL_BITS.filter(([bit]) => (cause & bit) !== 0).map(([, name]) => name);
}

export function exceptionName(cause: number): string {
  const code = cause & CAUSE.CODE_MASK;
  return EXC_NAMES[code] ?? `exception ${code}`;
}

/** Name of any trap: an exception's name, or `interrupt line N`. */
export function trapName(cause: number): string {
  return (cause & CAUSE.INTERRUPT) !== 0 ? `interrupt line ${cause & CAUSE.CODE_MASK}` : exceptionName(cause);
}

function sourceOf(sym: Symbolizer, pc: number): string | null {
  const s = sym.source(pc);
  return s ? `${s.file}:${s.line}` : null;
}

export function convertStep(rec: StepRecord, sym: Symbolizer): TraceRecord[] {
  const out: TraceRecord[] = [];
  const step = rec.step;
  let insn: InsnRecord | undefined;
  if (rec.word !== undefined) {
    insn = {
      type: 'insn',
      step,
      pc: rec.pc,
      ring: rec.ring,
      word: rec.word,
      disasm: disassembleWord(rec.word, rec.pc, (a) => sym.describe(a)),
      sym: sym.describe(rec.pc) ?? null,
      src: sourceOf(sym, rec.pc),
      retired: rec.retired,
      regs: rec.regs.map((r) => ({ reg: regName(r.reg), value: r.value >>> 0 })),
      cr: [],
      mem: rec.mem.map((m) => ({ kind: m.kind, vaddr: m.vaddr, paddr: m.paddr, size: m.size, value: m.value })),
    };
    out.push(insn);
  }
  for (const e of rec.events) {
    switch (e.kind) {
      case 'cr': insn?.cr.push({ cr: CR_NAMES[e.cr] ?? `cr${e.cr}`, value: e.value >>> 0 }); break;
      case 'halt': out.push({ type: 'halt', step, code: e.code | 0 }); break;
      case 'exception':
        out.push({
          type: 'exception', step, cause: e.cause >>> 0, code: e.cause & CAUSE.CODE_MASK, name: exceptionName(e.cause),
          detail: causeDetail(e.cause), pc: e.pc >>> 0, epc: e.epc >>> 0,
          faultaddr: e.faultaddr === undefined ? null : e.faultaddr >>> 0, delivered: e.delivered,
        });
        break;
      case 'interrupt':
        out.push({ type: 'interrupt', step, line: e.line, cause: e.cause >>> 0, epc: e.epc >>> 0, delivered: e.delivered });
        break;
      case 'idle': out.push({ type: 'idle', step, ticks: e.ticks }); break;
      case 'io':
        out.push({ type: 'io', step, dir: e.dir, port: e.port, value: e.value >>> 0, device: e.device ?? null });
        break;
      case 'mmio':
        out.push({ type: 'mmio', step, dir: e.dir, paddr: e.paddr >>> 0, size: e.size, value: e.value >>> 0, device: e.device ?? null });
        break;
      case 'walk':
        out.push({
          type: 'walk', step, vaddr: e.vaddr >>> 0, access: e.access, pde: e.pde >>> 0,
          pte: e.pte === undefined ? null : e.pte >>> 0,
          paddr: e.paddr === undefined ? null : e.paddr >>> 0,
          fault: e.fault === undefined ? null : e.fault >>> 0,
        });
        break;
      case 'tlb-flush': out.push({ type: 'tlb-flush', step, vaddr: e.vaddr === undefined ? null : e.vaddr >>> 0 }); break;
      case 'irq': case 'rett': break;
    }
  }
  return out;
}
