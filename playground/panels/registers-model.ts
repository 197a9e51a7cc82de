// The registers panel's rows, without the DOM: r0..r15 with ABI names, pc,
// ring, the STATUS flags and the control registers decoded (as the debugger's
// `info registers` decodes them, src/debug/views.ts), each marked when its
// value changed since the previous snapshot.

import { CR, CR_NAMES, NUM_REGS, STATUS } from '../../src/isa/arch.js';
import { regName } from '../../src/isa/registers.js';
import { causeText, statusText } from '../../src/isa/cr-text.js';
import type { VmState } from '../../src/playground/protocol.js';
import { hex8 } from './format.js';

/** A CPU as the panel shows it: the guest's view under a monitor, the machine natively. */
export interface CpuView {
  /** r0..r15. */
  regs: readonly number[];
  pc: number;
  ring: number;
  /** Control registers by number (CR: status, tvec, ptbr, faultaddr, cause, epc, scratch). */
  cr: readonly number[];
}

/** The snapshot's CPU (src/playground/protocol.ts VmState) as the panel reads it: registers by number, control registers by number. */
export function cpuOfState(state: Pick<VmState, 'regs' | 'pc' | 'ring' | 'cr'>): CpuView {
  const regs = new Array<number>(NUM_REGS).fill(0);
  state.regs.forEach((r, i) => {
    const n = /^r(\d+)$/.exec(r.name);
    regs[n ? Number(n[1]) : i] = r.value >>> 0;
  });
  return { regs, pc: state.pc, ring: state.ring, cr: CR_NAMES.map((name) => (state.cr[name] ?? 0) >>> 0) };
}

export interface RegRow {
  /** Stable id, also the data-testid's tail: `r1`, `pc`, `ring`, `status`, `flag-IE`, ... */
  id: string;
  /** What the row is called: `r1 ra`, `pc`, `status`. */
  label: string;
  value: number;
  /** The value as shown: hex8 for words, a number for the ring, on/off for a flag. */
  text: string;
  /** A decoding (STATUS's fields, CAUSE's name), or ''. */
  note: string;
  changed: boolean;
}

export interface RegistersModel {
  regs: RegRow[];
  /** pc and ring. */
  cpu: RegRow[];
  /** STATUS's single-bit flags and fields (IE, PG, PIE, PPL, CPL, the user flags). */
  flags: RegRow[];
  control: RegRow[];
}

function row(id: string, label: string, value: number, text: string, note: string, prev: number | undefined): RegRow {
  return { id, label, value, text, note, changed: prev !== undefined && prev !== value };
}

const word = (id: string, label: string, value: number, prev: number | undefined, note = '') =>
  row(id, label, value >>> 0, hex8(value), note, prev === undefined ? undefined : prev >>> 0);

function flagRows(st: number, prev: number | undefined): RegRow[] {
  const bit = (name: string, mask: number, title: string) =>
    row(`flag-${name}`, `${name} (${title})`, st & mask ? 1 : 0, st & mask ? 'on' : 'off', '', prev === undefined ? undefined : prev & mask ? 1 : 0);
  const field = (name: string, mask: number, shift: number, title: string) =>
    row(`flag-${name}`, `${name} (${title})`, (st & mask) >>> shift, String((st & mask) >>> shift), '', prev === undefined ? undefined : (prev & mask) >>> shift);
  const user = (st & STATUS.USER_MASK) >>> 8;
  const prevUser = prev === undefined ? undefined : (prev & STATUS.USER_MASK) >>> 8;
  return [
    bit('IE', STATUS.IE, 'interrupts enabled'),
    bit('PG', STATUS.PG, 'paging'),
    field('CPL', STATUS.CPL_MASK, 0, 'current ring'),
    field('PPL', STATUS.PPL_MASK, STATUS.PPL_SHIFT, 'ring before the trap'),
    bit('PIE', STATUS.PIE, 'IE before the trap'),
    row('flag-user', 'user flags (wrflags)', user, `0x${user.toString(16).padStart(2, '0')}`, '', prevUser),
  ];
}

/** The rows for `cpu`, each `changed` against `prev` (none changed without one). */
export function registersModel(cpu: CpuView, prev?: CpuView): RegistersModel {
  const regs: RegRow[] = [];
  for (let r = 0; r < NUM_REGS; r++) regs.push(word(`r${r}`, `r${r} ${regName(r)}`, cpu.regs[r] ?? 0, prev?.regs[r]));
  const cpuRows = [
    word('pc', 'pc', cpu.pc, prev?.pc),
    row('ring', 'ring', cpu.ring, String(cpu.ring), cpu.ring === 3 ? 'user' : 'supervisor', prev?.ring),
  ];
  const st = cpu.cr[CR.status] ?? 0;
  const control = CR_NAMES.map((name, n) => {
    const v = cpu.cr[n] ?? 0;
    const note = n === CR.status ? statusText(v) : n === CR.cause ? causeText(v >>> 0, true) : '';
    return word(name, name, v, prev?.cr[n], note);
  });
  return { regs, cpu: cpuRows, flags: flagRows(st, prev?.cr[CR.status]), control };
}
