// The guest's view of a CPU running binary-translated code (--mode bt), for
// traces and the debugger. Under bt the guest kernel never runs as written:
// the real pc is an address in the translation cache (TC), and the word there
// is a translation of a guest instruction (a copy of it, or a constant load,
// a local branch, an `hcall` callout, a chained jump). This maps a TC address
// back to the guest instruction it belongs to, says what part of that
// instruction's translation the word is, and whether the CPU standing there
// is at the start of a guest instruction (a guest instruction boundary).
//
// It reads the cache through its public API (contains, unitAt), the units'
// lookup tables (unit-index.ts) and the mode's guestPc(); it changes nothing.
// It finds the cache by asking the mode (MonitorMode.translationCache), not by its class.

import { fetchWindowPaddr } from '../machine/fetch-window.js';
import type { Machine } from '../machine/machine.js';
import type { TranslatedInsn } from '../vmm/bt/unit.js';
import type { CachedUnit, TranslationCache } from '../vmm/bt/cache.js';
import { unitIndex } from '../vmm/bt/unit-index.js';
import type { MonitorMode } from '../vmm/modes/mode.js';
import type { Monitor } from '../vmm/monitor.js';

/**
 * What a translated word does for its guest instruction:
 *   ident    the guest word itself, copied
 *   const    a constant load (lui/ori): an auipc's value, or the return address a call writes
 *   branch   the local branch of a conditional branch (it picks one of the two exits)
 *   exit     an `hcall` exit: control leaves the unit through the monitor
 *   chain    a direct jump to the next unit, patched over an exit
 *   callout  an `hcall` the monitor answers by emulating the instruction (or raising its fault)
 *   stub     the monitor's entry-fault stub: the guest's next fetch faults (no guest instruction)
 */
export type TcRole = 'ident' | 'const' | 'branch' | 'exit' | 'chain' | 'callout' | 'stub';

export interface TcPlace {
  /** The TC address (unsigned). */
  tc: number;
  /** Guest pc of the guest instruction the word belongs to; undefined at the stub when no fault is pending. */
  guestPc: number | undefined;
  /** The guest instruction and its translation; undefined at the stub. */
  insn: TranslatedInsn | undefined;
  /** Guest pc where the unit holding the word starts; undefined at the stub. */
  unitPc: number | undefined;
  /** Word index in the unit's translation (-1 at the stub). */
  index: number;
  role: TcRole;
  /** The word begins its guest instruction's translation: the CPU there is at a guest instruction boundary. */
  start: boolean;
}

export class BtView {
  constructor(readonly machine: Machine, readonly mode: MonitorMode, readonly cache: TranslationCache) {}

  /** The view of a monitor whose mode runs translations (bt), or undefined for any other mode (or none). */
  static of(monitor: Pick<Monitor, 'machine' | 'mode'> | undefined): BtView | undefined {
    const cache = monitor?.mode.translationCache?.();
    return monitor && cache ? new BtView(monitor.machine, monitor.mode, cache) : undefined;
  }

  /** Whether a real pc at real ring `ring` runs translated code (guest code at virtual rings 0-2). */
  inCache(pc: number, ring: number): boolean {
    return ring !== 3 && this.cache.contains(pc);
  }

  /** The TC word at `tc` as the CPU would fetch it now. */
  wordAt(tc: number): number | undefined {
    const pa = fetchWindowPaddr(this.machine.fetchWindow, tc);
    return pa === undefined || pa + 4 > this.machine.mem.size ? undefined : this.machine.mem.i32[pa >>> 2]! >>> 0;
  }

  /**
   * Where real pc `pc` (at real ring `ring`) stands in the translations, or
   * undefined when it is not translated code. `executed`: the word the CPU ran
   * there, when known (tells a chained jump from the exit it replaced).
   */
  place(pc: number, ring: number, executed?: number): TcPlace | undefined {
    if (!this.inCache(pc, ring)) return undefined;
    const tc = pc >>> 0;
    const cu = this.cache.unitAt(tc);
    if (!cu) {
      // A reserved word: the entry-fault stub. The mode knows the guest pc only while the CPU is there.
      const guestPc = (this.machine.cpu.pc >>> 0) === tc ? this.mode.guestPc() >>> 0 : undefined;
      return { tc, guestPc, insn: undefined, unitPc: undefined, index: -1, role: 'stub', start: false };
    }
    return placeIn(cu, tc, executed ?? this.wordAt(tc));
  }

  /** Where the CPU stands now, or undefined when it runs guest code directly (or is not in a translation). */
  here(): TcPlace | undefined {
    return this.place(this.machine.cpu.pc, this.machine.cpu.cpl);
  }

  /**
   * The CPU is at the start of a guest instruction: running guest code
   * directly (every real instruction is a guest one), at the first word of a
   * guest instruction's translation, or at the entry-fault stub (the guest is
   * about to fetch an instruction that faults).
   */
  atBoundary(): boolean {
    const p = this.here();
    return p === undefined || p.start || p.role === 'stub';
  }

  /** The guest pc of the next (or, between the words of one translation, the current) guest instruction. */
  guestPc(): number {
    return this.mode.guestPc() >>> 0;
  }
}

function placeIn(cu: CachedUnit, tc: number, executed: number | undefined): TcPlace {
  const index = ((tc - cu.addr) >>> 0) >>> 2;
  const insn = unitIndex(cu).insnAt[index];
  if (!insn) throw new Error(`bt view: word ${index} of the unit at 0x${cu.pc.toString(16)} belongs to no guest instruction`);
  return { tc, guestPc: insn.guestPc, insn, unitPc: cu.unit.startPc, index, role: roleOf(cu, insn, index, executed), start: index === insn.offset };
}

function roleOf(cu: CachedUnit, insn: TranslatedInsn, index: number, executed: number | undefined): TcRole {
  const callout = cu.unit.callouts.find((c) => c.site === index);
  if (callout) {
    if (callout.kind !== 'exit') return 'callout';
    return executed !== undefined && executed >>> 0 !== cu.unit.words[index]! >>> 0 ? 'chain' : 'exit';
  }
  if (insn.treatment === 'ident') return 'ident';
  const kind = insn.def?.sem.kind;
  // The only plain word of a conditional branch's translation is its local branch; every other one is a constant load.
  return kind === 'branch' ? 'branch' : 'const';
}
