// What a switch (the monitor's learning bridge, an SR-IOV NIC's embedded one)
// does with a frame it forwards: the two forms it leaves in, and the event it
// reports. Each switch decides which ports get which form.

import { addTag, describeFrame, removeTag } from './frame.js';
import type { DropReason, FrameEvent } from './types.js';

/** The two forms a frame leaves in (untagged, tagged with its VLAN), each made once and only when needed. */
export class FrameForms {
  private plain: Uint8Array | undefined;
  private tagged: Uint8Array | undefined;

  /** `tci`: the tag it came with, if any; `vlan`: the VLAN the switch put it in (0: the untagged network). */
  constructor(private readonly frame: Uint8Array, private readonly tci: number | undefined, readonly vlan: number) {}

  untagged(): Uint8Array {
    return (this.plain ??= this.tci === undefined ? this.frame : removeTag(this.frame));
  }

  /** Tagged with its VLAN, keeping the priority and DEI bits it came with. */
  taggedForm(): Uint8Array {
    if (this.tagged) return this.tagged;
    const tci = ((this.tci ?? 0) & 0xf000) | this.vlan;
    if (this.tci === tci) return (this.tagged = this.frame);
    return (this.tagged = addTag(this.untagged(), tci));
  }
}

/** A switch's frame event at port `where`: the VLAN it put the frame in (none for the untagged network), not only what its tag said. */
export function switchEvent(kind: FrameEvent['kind'], where: string, frame: Uint8Array, vlan: number | undefined, reason?: DropReason, to?: string[]): FrameEvent {
  const e: FrameEvent = { kind, where, ...describeFrame(frame) };
  if (vlan !== undefined) {
    if (vlan === 0) delete e.vlan;
    else e.vlan = vlan;
  }
  if (to) e.to = to;
  if (reason) e.reason = reason;
  return e;
}
