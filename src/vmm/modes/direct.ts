// What trap-and-emulate and paravirtualization share: the guest runs
// directly on the CPU, its kernel deprivileged to ring 1 and its processes at
// their own rings; every real instruction is a guest instruction and every
// instruction the monitor performs for it retires one, so the guest's clock
// is the real one and its pc is the real pc.

import { CAUSE, EXC } from '../../isa/index.js';
import type { TrapDecision, TrapInfo } from '../../machine/trap.js';
import type { Monitor } from '../monitor.js';
import { handlePageFault } from '../page-faults.js';
import type { MonitorMode } from './mode.js';

/** Guest ring 0 runs at real ring 1; rings 1-3 run as themselves. */
const KERNEL_RING = 1;

export abstract class DirectMode implements MonitorMode {
  abstract readonly name: string;

  constructor(protected readonly monitor: Monitor) {}

  realRing(vring: number): number {
    return Math.max(KERNEL_RING, vring);
  }

  guestPc(): number {
    return this.monitor.machine.cpu.pc;
  }

  setGuestPc(pc: number): void {
    this.monitor.machine.cpu.pc = pc | 0;
  }

  /**
   * Real interrupts are the monitor's timer; page faults go to shadow paging;
   * every other exception is the mode's to take (handleException) or else the
   * guest's, reflected as the hardware would have delivered it.
   */
  handleTrap(t: TrapInfo): TrapDecision {
    const m = this.monitor;
    if ((t.cause & CAUSE.INTERRUPT) !== 0) m.realInterrupt(t.cause & CAUSE.CODE_MASK, t.pc);
    else if ((t.cause & CAUSE.CODE_MASK) === EXC.PAGE_FAULT) handlePageFault(m, t.faultaddr!, t.cause, t.pc, t.word);
    else if (!this.handleException(t)) m.reflect(t.cause, t.epc, t.faultaddr, t.pc);
    return 'handled';
  }

  /** An exception the mode acts on itself (emulation, a hypercall); false: the guest receives it. */
  protected abstract handleException(t: TrapInfo): boolean;
}
