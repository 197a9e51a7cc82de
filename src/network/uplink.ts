// The host's own network card, as a monitor sees it: frames arriving from the
// wire are queued and raise a real interrupt line, which the monitor claims
// (Monitor.claimRealLine); its handler passes them into the virtual switch.
// So a frame from outside reaches a VM as it does under a real hypervisor: a
// physical interrupt takes the CPU from whatever guest runs (an exit), the
// monitor's backend switches the frame, and the receiving VM's virtual NIC
// raises its virtual line. The queue is bounded: a flood from the wire is
// dropped and counted here, not held.

import type { BoardDevice, BusMapping, DeviceContext } from '../machine/device.js';
import type { FrameReceiver } from '../net/types.js';

/** The real interrupt line of the host's NIC (0 is the timer, 1 the console). */
export const UPLINK_LINE = 2;
/** Frames the uplink holds before dropping. */
export const UPLINK_QUEUE_LIMIT = 1024;

interface UplinkState {
  queue: number[][];
  dropped: number;
}

export class Uplink implements BoardDevice, FrameReceiver {
  readonly name = 'uplink';
  readonly mappings: readonly BusMapping[] = [];
  readonly line = UPLINK_LINE;
  /** Frames the queue had no room for. */
  dropped = 0;
  private queue: Uint8Array[] = [];

  constructor(private readonly ctx: DeviceContext) {}

  /** A frame from the wire: queued, and the line rises. */
  receive(frame: Uint8Array): void {
    if (this.queue.length >= UPLINK_QUEUE_LIMIT) {
      this.dropped++;
      return;
    }
    this.queue.push(Uint8Array.from(frame));
    this.ctx.setIrq(this.line, true);
  }

  /** Whether frames wait in the queue. */
  pending(): boolean {
    return this.queue.length > 0;
  }

  /** The interrupt's handler: every queued frame into `into`, and the line falls. */
  drain(into: FrameReceiver): void {
    this.ctx.setIrq(this.line, false);
    // Frames queued while draining (an echo of a frame just switched) wait for the next interrupt.
    const frames = this.queue;
    this.queue = [];
    for (const f of frames) into.receive(f);
  }

  reset(): void {
    this.queue = [];
    this.dropped = 0;
    this.ctx.setIrq(this.line, false);
  }

  save(): UplinkState {
    return { queue: this.queue.map((f) => Array.from(f)), dropped: this.dropped };
  }

  restore(state: unknown): void {
    const s = state as UplinkState;
    this.queue = s.queue.map((f) => Uint8Array.from(f));
    this.dropped = s.dropped;
  }
}
