// The wire as a device of the real machine's board: it has no registers, but
// its time (gen's frames, echo's delay) is the machine clock, so the machine
// ticks it, and its state is saved and restored with the machine's snapshots.

import type { BoardDevice, BusMapping } from '../machine/device.js';
import type { Wire } from '../net/wire.js';

export class WireDevice implements BoardDevice {
  readonly name = 'wire';
  readonly mappings: readonly BusMapping[] = [];

  constructor(readonly wire: Wire) {}

  reset(): void {
    this.wire.reset();
  }

  save(): unknown {
    return this.wire.save();
  }

  restore(state: unknown): void {
    this.wire.restore(state);
  }

  nextDeadline(): number {
    return this.wire.nextDeadline();
  }

  tick(clock: number): void {
    this.wire.tick(clock);
  }
}
