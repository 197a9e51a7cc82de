// Interval timer: raises interrupt line 0 every `period` instructions retired.
// Time is the machine clock (instructions retired + idle ticks), never the
// wall clock, so runs are deterministic.
//
// Ports (32-bit):
//   base+0 period   write N: the line rises every N clock ticks, counted from the
//                   writing `out` itself; 0 disables. Read: the period.
//   base+1 ack      write: lower the line. Read: 1 while the line is raised.
//   base+2 clock    read: clock low 32 bits (instructions retired before the `in`).

import { IRQ } from '../isa/index.js';
import type { AccessSize, BoardDevice, BusDevice, BusMapping, DeviceContext } from '../machine/device.js';

export const TIMER_PORT_BASE = 0x20;
export const TIMER_PORTS = { period: 0, ack: 1, clock: 2 } as const;

interface TimerState {
  period: number;
  deadline: number;
  raised: boolean;
}

export class Timer implements BoardDevice, BusDevice {
  readonly name = 'timer';
  readonly line = IRQ.TIMER;
  readonly mappings: readonly BusMapping[] = [{ space: 'pio', base: TIMER_PORT_BASE, length: 3, device: this }];
  private period = 0;
  private deadline = Infinity;
  private raised = false;

  constructor(private readonly ctx: DeviceContext) {}

  reset(): void {
    this.period = 0;
    this.deadline = Infinity;
    this.setLine(false);
  }

  read(offset: number, _size: AccessSize): number {
    switch (offset) {
      case TIMER_PORTS.period: return this.period;
      case TIMER_PORTS.ack: return this.raised ? 1 : 0;
      case TIMER_PORTS.clock: return this.ctx.clock() % 0x1_0000_0000;
      default: return 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    switch (offset) {
      case TIMER_PORTS.period:
        this.period = value >>> 0;
        this.deadline = this.period === 0 ? Infinity : this.ctx.clock() + this.period;
        break;
      case TIMER_PORTS.ack:
        this.setLine(false);
        break;
    }
  }

  nextDeadline(): number {
    return this.deadline;
  }

  tick(clock: number): void {
    if (clock < this.deadline) return;
    // Normally clock == deadline; after a long jump, skip the missed periods (the line is level, not a count).
    this.deadline += this.period * (Math.floor((clock - this.deadline) / this.period) + 1);
    this.setLine(true);
  }

  save(): TimerState {
    return { period: this.period, deadline: this.deadline, raised: this.raised };
  }

  restore(state: unknown): void {
    const s = state as TimerState;
    this.period = s.period;
    this.deadline = s.deadline;
    this.raised = s.raised;
  }

  private setLine(level: boolean): void {
    this.raised = level;
    this.ctx.setIrq(this.line, level);
  }
}
