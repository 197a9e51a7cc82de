// The FrameEvent fields of a frame's bytes (MACs, 802.1Q VLAN, ethertype,
// length), for the NIC's observer.

import type { DropReason, FrameEvent } from '../../net/types.js';

function mac(b: Uint8Array, o: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (b[o + i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

export function frameEvent(kind: FrameEvent['kind'], where: string, frame: Uint8Array, reason?: DropReason): FrameEvent {
  const u16 = (o: number) => ((frame[o] ?? 0) << 8) | (frame[o + 1] ?? 0);
  const tagged = frame.length >= 18 && u16(12) === 0x8100;
  const e: FrameEvent = { kind, where, dst: mac(frame, 0), src: mac(frame, 6), ethertype: tagged ? u16(16) : u16(12), length: frame.length };
  if (tagged) e.vlan = u16(14) & 0xfff;
  if (reason) e.reason = reason;
  return e;
}
