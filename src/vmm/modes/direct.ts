// What trap-and-emulate and paravirtualization share: the guest runs
// directly on the CPU, its kernel deprivileged to ring 1 and its processes at
// their own rings; every real instruction is a guest instruction and every
// instruction the monitor performs for it retires one, so the guest's clock
// is the real one and its pc is the real pc.

import type { TrapDecision, TrapInfo } from '../../machine/trap.js';
import type { Monitor } from '../monitor.js';
import type { MonitorMode } from './mode.js';

/** Guest ring 0 runs at real ring 1; rings 1-3 run as themselves. */
const KERNEL_RING = 1;

export abstract class DirectMode implements MonitorMode {
  abstract readonly name: string;

  constructor(protected readonly monitor: Monitor) {}

  realRing(vring: number): number {
    return Math.max(KERNEL_RING, vring);
  }

  guestClock(): number {
    return this.monitor.machine.clock();
  }

  realClockAt(guestClock: number): number {
    return guestClock;
  }

  guestPc(): number {
    return this.monitor.machine.cpu.pc;
  }

  setGuestPc(pc: number): void {
    this.monitor.machine.cpu.pc = pc | 0;
  }

  abstract handleTrap(trap: TrapInfo): TrapDecision;
}
