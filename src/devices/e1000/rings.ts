// The legacy descriptor rings of the e1000-like NIC (docs/nics.md): where a
// ring's descriptors are, whether the driver's programming of it is sound, and
// the 16-byte descriptor layouts. Nothing here touches memory: the device
// reads and writes descriptors through its DMA.

import { DESCRIPTOR_SIZE, RING_LENGTH_UNIT, RX_STA, TX_STA_DD } from './registers.js';

/** A ring as the driver programmed it (BAL, BAH, LEN, H, T). */
export interface RingRegs {
  base: number;
  baseHigh: number;
  length: number;
  head: number;
  tail: number;
}

/** Why the ring cannot be used (a device error), or undefined if it can. `reaches(addr, length)` is the DMA window. */
export function ringError(r: RingRegs, reaches: (addr: number, length: number) => boolean): string | undefined {
  if (r.length === 0 || r.length % RING_LENGTH_UNIT !== 0) return `ring length ${r.length} is not a non-zero multiple of ${RING_LENGTH_UNIT}`;
  if (r.baseHigh !== 0 || r.base + r.length > 0x1_0000_0000 || !reaches(r.base, r.length)) {
    return `ring 0x${r.baseHigh.toString(16)}:${r.base.toString(16)}+0x${r.length.toString(16)} is past the memory the device reaches by DMA`;
  }
  const count = r.length / DESCRIPTOR_SIZE;
  if (r.head >= count) return `head ${r.head} is beyond the ring of ${count} descriptors`;
  if (r.tail >= count) return `tail ${r.tail} is beyond the ring of ${count} descriptors`;
  return undefined;
}

export function descriptorCount(r: RingRegs): number {
  return r.length / DESCRIPTOR_SIZE;
}

export function descriptorAddress(r: RingRegs, index: number): number {
  return r.base + index * DESCRIPTOR_SIZE;
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** A legacy TX descriptor: buffer address (high word must be 0), length, CMD, STA. */
export interface TxDescriptor {
  addr: number;
  addrHigh: number;
  length: number;
  cmd: number;
  status: number;
}

export function parseTx(d: Uint8Array): TxDescriptor {
  return { addr: u32(d, 0), addrHigh: u32(d, 4), length: d[8]! | (d[9]! << 8), cmd: d[11]!, status: d[12]! };
}

/** The descriptor with DD set in its STA byte (what the device writes back). */
export function txDone(d: Uint8Array): Uint8Array {
  const out = d.slice();
  out[12] = out[12]! | TX_STA_DD;
  return out;
}

/** A legacy RX descriptor's buffer address. */
export function parseRx(d: Uint8Array): { addr: number; addrHigh: number } {
  return { addr: u32(d, 0), addrHigh: u32(d, 4) };
}

/** The descriptor after a frame of `length` bytes was written into its buffer: length, checksum 0, DD | EOP, no errors. */
export function rxDone(d: Uint8Array, length: number): Uint8Array {
  const out = d.slice();
  out[8] = length & 0xff;
  out[9] = length >>> 8;
  out[10] = 0;
  out[11] = 0;
  out[12] = RX_STA.DD | RX_STA.EOP;
  out[13] = 0;
  out[14] = 0;
  out[15] = 0;
  return out;
}
