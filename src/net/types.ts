// The contract between everything that moves Ethernet frames: NIC models (the
// emulated e1000-like NIC, the virtio-style NIC, later SR-IOV functions), the
// monitor's virtual switch, and the wire's link partner. Each is a
// FrameReceiver; each holds the receiver its frames go to (`connect`). A frame
// is the bytes from destination MAC to the end of the payload, without FCS.
// Delivery is synchronous and deterministic: `receive` runs to completion in
// the caller's instruction, and whoever cannot take a frame counts a drop.

/** Something frames can be handed to. The receiver must copy the bytes it keeps. */
export interface FrameReceiver {
  receive(frame: Uint8Array): void;
}

/** Something that sends frames: it hands each to the receiver it was connected to. */
export interface FrameSender {
  connect(peer: FrameReceiver): void;
}

/** Why a frame was dropped, as counters and trace records name it. */
export type DropReason =
  | 'no-buffer' // the receiving NIC had no free receive descriptor
  | 'disabled' // the receiving NIC's receiver (or the device) is off
  | 'too-short' // under 14 bytes of header (or a tag cut short)
  | 'too-long' // payload over 1500 bytes
  | 'vlan' // the destination port is not in the frame's VLAN
  | 'no-port' // nowhere to forward (a unicast to the port it came from)
  | 'device-error' // the NIC stopped on a malformed descriptor
  | 'spoof' // source MAC or VLAN not the sender's (SR-IOV anti-spoofing)
  | 'dma-fault' // the device's DMA was refused (bus mastering off, an IOMMU fault): the descriptor dropped
  | 'sink'; // the wire's sink drops everything it counts

/** One frame event, for trace records and counters (MACs as aa:bb:cc:dd:ee:ff). */
export interface FrameEvent {
  kind: 'tx' | 'rx' | 'forward' | 'flood' | 'drop';
  /** The device or switch port: 'e1000', 'virtio-net', 'wire', a switch port name. */
  where: string;
  dst: string;
  src: string;
  /** The 802.1Q VLAN ID, when the frame is tagged. */
  vlan?: number;
  ethertype: number;
  /** Frame length in bytes (header and payload, no FCS). */
  length: number;
  reason?: DropReason;
  /** For forward/flood: the egress port(s). */
  to?: string[];
}

export type FrameObserver = (e: FrameEvent) => void;
