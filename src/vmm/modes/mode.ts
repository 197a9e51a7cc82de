// One strategy per virtualization mode, behind one interface. The monitor core
// (monitor.ts) owns what every mode shares: the virtual CPU, shadow paging,
// the virtual devices and interrupt injection, the counters. A mode decides
// how guest code runs and what each trap means. The engine knows none of
// this: the monitor meets it only at the machine's trap hook, the CPU state
// and the bus.

import type { TrapDecision, TrapInfo } from '../../machine/trap.js';

export interface MonitorMode {
  readonly name: string;
  /** The real ring the CPU runs at while the guest is at virtual ring `vring`. */
  realRing(vring: number): number;
  /** The guest's clock: instructions the guest retired plus idle ticks (what its timer counts). */
  guestClock(): number;
  /** The real clock value at which the guest clock will read `guestClock` (for arming the real timer). */
  realClockAt(guestClock: number): number;
  /** The guest virtual address of the next guest instruction. */
  guestPc(): number;
  /** Continue the guest at guest virtual address `pc`. */
  setGuestPc(pc: number): void;
  /** Every trap the machine raises while this mode runs the guest. */
  handleTrap(trap: TrapInfo): TrapDecision;
}

export const MODE_NAMES = ['native', 'trap'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export function isModeName(name: string): name is ModeName {
  return (MODE_NAMES as readonly string[]).includes(name);
}
