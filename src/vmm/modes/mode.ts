// One strategy per virtualization mode, behind one interface. The monitor core
// (monitor.ts) owns what every mode shares: the virtual CPU, shadow paging,
// the virtual devices and interrupt injection, the counters. A mode decides
// how guest code runs and what each trap means. The engine knows none of
// this: the monitor meets it only at the machine's trap hook, the CPU state
// and the bus.

import type { TrapDecision, TrapInfo } from '../../machine/trap.js';
import type { TranslationCache } from '../bt/cache.js';

export interface MonitorMode {
  readonly name: string;
  /** The real ring the CPU runs at while the guest is at virtual ring `vring`. */
  realRing(vring: number): number;
  /** The guest virtual address of the next guest instruction. */
  guestPc(): number;
  /** Continue the guest at guest virtual address `pc`. */
  setGuestPc(pc: number): void;
  /** Every trap the machine raises while this mode runs the guest. */
  handleTrap(trap: TrapInfo): TrapDecision;
  /**
   * Bring the CPU to a guest instruction boundary before the monitor delivers
   * something there (a run or an interrupt may stop between the words of one
   * translated guest instruction). Optional: trap mode is always at one.
   */
  settle?(): void;
  /**
   * The guest can unmask its virtual interrupts without entering the monitor
   * (pv: a plain store to the shared page's mask, then an event_check when it
   * wants what is pending). A world switch back into such a VM must then not
   * deliver what was already pending when it was switched out: alone, nothing
   * would have entered the monitor at that instruction.
   */
  readonly unmasksWithoutEntry?: boolean;
  /**
   * Virtual lines the CPU delivers itself (bit n = line n; hw with the
   * virtual timer: the timer's): the monitor never injects them, and its real
   * timer does not stand in for the virtual one but to end a wait. Default 0.
   */
  readonly cpuLines?: number;
  /**
   * The guest's control register `n` as the guest sees it, for tools (no
   * counted access). Default: the virtual CPU's. hw: the CPU's own in
   * non-root operation, the VMCS's guest state otherwise.
   */
  guestCr?(n: number): number;
  /**
   * For tools (trace, debugger, bt-dump): the translation cache of a mode that
   * runs guest code from translations (bt), where guestPc() maps a real pc
   * back; undefined (or absent) otherwise. Tools ask the mode this, never its class.
   */
  translationCache?(): TranslationCache | undefined;
  /** Called last in the monitor's reset, with the guest at its entry point (hw: the first VM entry). */
  start?(): void;
  /**
   * Deliver virtual interrupt `line` before guest pc `pc` if the guest can take
   * it now; returns whether it was delivered. Modes whose guest interrupt flag
   * is not the virtual CPU's (hw: it is in the VMCS) supply their own.
   */
  deliverInterrupt?(line: number, pc: number): boolean;
  /**
   * Deliver an exception or interrupt into the guest the mode's own way (pv:
   * to the handlers the guest registered, the trap state in its shared page;
   * hw: the VMCS's entry injection). Optional: the monitor otherwise delivers
   * it on the virtual CPU as the hardware would.
   */
  deliverTrap?(cause: number, epc: number, faultaddr: number | undefined, pc: number): void;
  /** The mode's own state, reset and carried by snapshots with the monitor's. */
  reset?(): void;
  save?(): unknown;
  restore?(state: unknown): void;
}

export const MODE_NAMES = ['native', 'trap', 'bt', 'pv', 'hw'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export function isModeName(name: string): name is ModeName {
  return (MODE_NAMES as readonly string[]).includes(name);
}
