// A VM's own time on a shared host: the instructions its vCPU retired plus the
// ticks it idled, as a lone VM's clock is the machine's. It advances with the
// machine clock while the VM's vCPU runs and stands still while others run, so
// a VM's timer ticks fall on exactly the guest instructions they would fall
// on alone, however the host interleaves it.

import type { Machine } from '../machine/machine.js';

export class VmClock {
  private base = 0;
  /** Machine clock when the vCPU was switched in; undefined while it is not running. */
  private since: number | undefined;

  constructor(private readonly machine: Machine) {}

  now(): number {
    return this.since === undefined ? this.base : this.base + this.machine.clock() - this.since;
  }

  /** The vCPU runs from now on. */
  start(): void {
    this.since = this.machine.clock();
  }

  /** The vCPU was switched out. */
  stop(): void {
    this.base = this.now();
    this.since = undefined;
  }

  /** The VM idled `ticks` (it waited for its timer while other VMs ran). */
  advance(ticks: number): void {
    this.base += ticks;
  }

  reset(): void {
    this.base = 0;
    this.since = undefined;
  }

  save(): { base: number; since: number | undefined } {
    return { base: this.base, since: this.since };
  }

  restore(s: { base: number; since: number | undefined }): void {
    this.base = s.base;
    this.since = s.since;
  }
}
