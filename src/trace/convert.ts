// From the machine's step records to trace records: the instruction first,
// then its events in the order they happened. Control-register writes are part
// of the instruction record; `rett`'s effect shows in the next record's pc and
// ring. Interrupt-line level changes are not traced (devices raise lines
// between steps, outside any record).

import { CAUSE, CR_NAMES, disassembleWord, EXC_NAMES, regName } from '../isa/index.js';
import type { MachineEvent, StepRecord } from '../machine/events.js';
import type { FrameEvent } from '../net/types.js';
import type { MonitorEvent } from '../vmm/events.js';
import type { TcPlace } from './bt-view.js';
import type { FrameRecord, InsnRecord, MonitorRecord, TraceRecord } from './records.js';
import { convertSriovEvent, type SriovEvent } from './sriov-tap.js';
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

/** A monitor event and where it happened: before `rec.events[at]` of its step, or before the step began (at -1). */
export interface PlacedMonitorEvent {
  at: number;
  event: MonitorEvent;
  /** Under bt, a trap taken in the translation cache: where (its pc is then shown as the guest's). */
  tc?: TcPlace;
}

/** A frame event and where it happened, as for a monitor event. */
export interface PlacedFrameEvent {
  at: number;
  frame: FrameEvent;
}

/** A mailbox message or IOMMU event of an SR-IOV network, and where it happened, as for a frame. */
export interface PlacedSriovEvent {
  at: number;
  sriov: SriovEvent;
}

/** What happens during a step besides the machine's own events: the monitor's work, frames, SR-IOV events. */
export type PlacedEvent = PlacedMonitorEvent | PlacedFrameEvent | PlacedSriovEvent;

/** A device's event (a frame, a mailbox message, a DMA): during an io or mmio access it follows the access. */
function isDeviceEvent(p: PlacedEvent): boolean {
  return 'frame' in p || 'sriov' in p;
}

export function convertFrameEvent(e: FrameEvent, step: number): FrameRecord {
  return {
    type: 'frame', step, event: e.kind, where: e.where, dst: e.dst, src: e.src, vlan: e.vlan ?? null,
    ethertype: e.ethertype, length: e.length, reason: e.reason ?? null, to: e.to ? [...e.to] : null,
  };
}

/** The record of a monitor, frame or SR-IOV event of step `step`. */
export function convertPlaced(p: PlacedEvent, step: number, sym: Symbolizer): TraceRecord {
  if ('frame' in p) return convertFrameEvent(p.frame, step);
  if ('sriov' in p) return convertSriovEvent(p.sriov, step);
  return convertMonitorEvent(p.event, step, sym, p.tc);
}

/** Under --mode bt: where the step's pc stood in the translation cache (undefined: the guest's code ran directly). */
export interface BtStep {
  place: TcPlace | undefined;
}

export function convertMonitorEvent(e: MonitorEvent, step: number, sym: Symbolizer, tc?: TcPlace): MonitorRecord {
  const r: MonitorRecord = {
    type: 'monitor', step, event: e.kind, pc: null, epc: null, sym: null, cause: null, name: null, mnemonic: null,
    faultaddr: null, line: null, vaddr: null, gpa: null, value: null, write: null, user: null, region: null,
    reason: null, key: null, created: null, tc: null, insns: null, words: null, callout: null, what: null, target: null, units: null,
  };
  switch (e.kind) {
    case 'trap':
      r.pc = (tc?.guestPc ?? e.pc) >>> 0; r.cause = e.cause >>> 0; r.name = trapName(e.cause);
      if (tc) r.tc = tc.tc;
      break;
    case 'emulate': r.pc = e.pc >>> 0; r.mnemonic = e.mnemonic; break;
    case 'reflect':
      r.epc = e.epc >>> 0; r.cause = e.cause >>> 0; r.name = trapName(e.cause);
      r.faultaddr = e.faultaddr === undefined ? null : e.faultaddr >>> 0;
      break;
    case 'inject': r.epc = e.epc >>> 0; r.line = e.line; r.name = `interrupt line ${e.line}`; break;
    case 'shadow-fill': r.vaddr = e.vaddr >>> 0; r.gpa = e.gpa >>> 0; r.write = e.write; r.user = e.user; break;
    case 'shadow-invalidate': r.vaddr = e.vaddr >>> 0; r.region = e.region; r.reason = e.reason; break;
    case 'traced-write': r.pc = e.pc >>> 0; r.gpa = e.gpa >>> 0; r.value = e.value >>> 0; break;
    case 'shadow-switch': r.key = e.key | 0; r.created = e.created; break;
    case 'translate': r.pc = e.pc >>> 0; r.gpa = e.gpa >>> 0; r.insns = e.insns; r.words = e.words; r.tc = e.tc >>> 0; break;
    case 'callout':
      r.pc = e.pc >>> 0; r.callout = e.callout; r.what = e.what;
      r.target = e.target === undefined ? null : e.target >>> 0;
      break;
    case 'chain': r.pc = e.pc >>> 0; r.target = e.target >>> 0; break;
    case 'tc-invalidate': r.pc = e.pc >>> 0; r.reason = e.reason; r.gpa = e.gpa === undefined ? null : e.gpa >>> 0; break;
    case 'tc-flush': r.units = e.units; break;
    case 'vmexit': r.pc = e.pc >>> 0; r.reason = e.reason; break;
    case 'hypercall':
      r.pc = e.pc >>> 0; r.name = e.name; r.value = e.result === undefined ? null : e.result | 0; r.what = e.error ?? null;
      break;
  }
  const where = r.pc ?? r.epc ?? r.vaddr;
  r.sym = where === null ? null : sym.describe(where) ?? null;
  return r;
}

type Item = { machine: MachineEvent } | { placed: PlacedEvent };

/**
 * Machine, monitor and frame events of one step in the order they happened
 * (the machine records a trap before raising it, so a hooked trap precedes
 * what the monitor did about it; an MMIO store precedes the frame it sent).
 */
function interleave(events: readonly MachineEvent[], placed: readonly PlacedEvent[]): Item[] {
  const items: Item[] = [];
  let next = 0;
  for (let k = 0; k <= events.length; k++) {
    // The machine records a device access once it is done: frames (mailbox messages, DMA) just
    // before an io or mmio event were sent or received (served, done) during that access, so they follow it.
    const access = k < events.length && (events[k]!.kind === 'mmio' || events[k]!.kind === 'io');
    const during: Item[] = [];
    while (next < placed.length && placed[next]!.at <= k) {
      const p = placed[next++]!;
      (access && isDeviceEvent(p) ? during : items).push({ placed: p });
    }
    if (k < events.length) items.push({ machine: events[k]! });
    items.push(...during);
  }
  return items;
}

/** The guest's view of an instruction run from the translation cache: its guest pc and word, and the translation's. */
function btInsn(insn: InsnRecord, rec: StepRecord, sym: Symbolizer, place: TcPlace | undefined): void {
  if (!place) {
    Object.assign(insn, { tc: null, tcWord: null, tcDisasm: null, tcRole: null, overhead: false });
    return;
  }
  const executed = rec.word! >>> 0;
  const pc = place.guestPc ?? rec.pc;
  const guestWord = place.insn?.word;
  insn.pc = pc >>> 0;
  insn.word = guestWord ?? executed;
  insn.disasm = guestWord !== undefined ? disassembleWord(guestWord, pc, (a) => sym.describe(a))
    : place.insn?.text ?? disassembleWord(executed, rec.pc);
  insn.sym = sym.describe(pc) ?? null;
  insn.src = sourceOf(sym, pc);
  Object.assign(insn, {
    tc: place.tc, tcWord: executed, tcDisasm: disassembleWord(executed, place.tc), tcRole: place.role, overhead: !place.start,
  });
}

export function convertStep(rec: StepRecord, sym: Symbolizer, monitor: readonly PlacedEvent[] = [], bt?: BtStep): TraceRecord[] {
  const out: TraceRecord[] = [];
  const step = rec.step;
  // Under bt a pc in the translation cache is shown as the guest's, with the real one in `tc`.
  const place = bt?.place;
  const guest = (a: number): number => (place && a >>> 0 === place.tc && place.guestPc !== undefined ? place.guestPc : a >>> 0);
  const tcOf = (a: number): number | null => (place && a >>> 0 === place.tc ? place.tc : null);
  // Monitor work done before the step began (an interrupt injected on resuming), and frames devices
  // sent acting on the clock between steps, come before the instruction.
  const before = monitor.filter((p) => p.at < 0);
  for (const p of before) out.push(convertPlaced(p, step, sym));
  const during = before.length === 0 ? monitor : monitor.filter((p) => p.at >= 0);
  const items = during.length === 0 ? rec.events.map((e): Item => ({ machine: e })) : interleave(rec.events, during);
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
    if (bt) btInsn(insn, rec, sym, place);
    out.push(insn);
  }
  for (const item of items) {
    if ('placed' in item) {
      out.push(convertPlaced(item.placed, step, sym));
      continue;
    }
    const e = item.machine;
    switch (e.kind) {
      case 'cr': insn?.cr.push({ cr: CR_NAMES[e.cr] ?? `cr${e.cr}`, value: e.value >>> 0 }); break;
      case 'halt': out.push({ type: 'halt', step, code: e.code | 0 }); break;
      case 'exception':
        out.push({
          type: 'exception', step, cause: e.cause >>> 0, code: e.cause & CAUSE.CODE_MASK, name: exceptionName(e.cause),
          detail: causeDetail(e.cause), pc: guest(e.pc), epc: guest(e.epc),
          faultaddr: e.faultaddr === undefined ? null : e.faultaddr >>> 0, delivered: e.delivered,
          ...(bt ? { tc: tcOf(e.pc) } : {}),
        });
        break;
      case 'interrupt':
        out.push({
          type: 'interrupt', step, line: e.line, cause: e.cause >>> 0, epc: guest(e.epc), delivered: e.delivered,
          ...(bt ? { tc: tcOf(e.epc) } : {}),
        });
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
