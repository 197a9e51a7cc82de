// What a monitor needs from whatever hosts it: the real timer, and waiting.
// Alone on the machine (SoleTenancy, the default) the monitor owns the real
// timer and a waiting guest idles the machine; on a host of several VMs
// (src/host/) the real timer is shared with the vCPU scheduler, which arms it
// for the earlier of the VM's next virtual deadline and the end of its slice,
// and a waiting VM gives up the CPU instead of idling it.

import { TIMER_PORT_BASE, TIMER_PORTS } from '../devices/timer.js';
import { IRQ } from '../isa/index.js';
import type { Machine } from '../machine/machine.js';

export interface HostPort {
  /** Arm the real timer to fire `period` guest-clock ticks from now (Infinity: nothing to wait for). */
  armTimer(period: number): void;
  /** Acknowledge the real timer's interrupt. */
  ackTimer(): void;
  /**
   * The guest waits (wfi, pv's block) with nothing pending, until its next
   * virtual deadline `period` guest ticks from now (Infinity: none). Returns
   * whether the wait ended by reaching that deadline (its tick is then due).
   */
  idle(pc: number, period: number): boolean;
}

/** One VM alone on the machine: the real timer and the machine's idle time are its own. */
export class SoleTenancy implements HostPort {
  constructor(private readonly machine: Machine) {}

  armTimer(period: number): void {
    const m = this.machine;
    const target = period === Infinity ? Infinity : m.clock() + period;
    if (m.timer!.nextDeadline() === target) return; // armed for it already
    m.portWrite(TIMER_PORT_BASE + TIMER_PORTS.period, period === Infinity ? 0 : period);
  }

  ackTimer(): void {
    this.machine.portWrite(TIMER_PORT_BASE + TIMER_PORTS.ack, 1);
  }

  /** The machine idles to the real timer (armed for the deadline), or stops on a wait nothing can end. */
  idle(pc: number): boolean {
    const m = this.machine;
    m.wfi(pc);
    return (m.irqPending & (1 << IRQ.TIMER)) !== 0;
  }
}
