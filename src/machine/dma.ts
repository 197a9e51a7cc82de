// DMA: how a device reaches memory. A device never holds RAM itself; it asks
// the Dma of its context, which checks every access against the window the
// device may reach (all of RAM on the bare machine, the VM's guest-physical
// window under a monitor, later an IOMMU domain per requester) and refuses the
// rest, so a bus master cannot touch memory outside it. Writes go through
// PhysicalMemory's journaled stores, so reverse stepping undoes DMA as it
// undoes CPU stores.

import type { PhysicalMemory } from './memory.js';

export interface Dma {
  /** A copy of `length` bytes at bus address `addr`, or undefined if any of them lies outside the window. */
  read(addr: number, length: number): Uint8Array | undefined;
  /** Write `bytes` at bus address `addr`; false (and nothing written) if any of them lies outside the window. */
  write(addr: number, bytes: Uint8Array): boolean;
}

/** Bus addresses [0, size) onto physical RAM [base, base + size). */
export class WindowDma implements Dma {
  constructor(private readonly mem: PhysicalMemory, readonly base: number, readonly size: number) {
    if (!mem.contains(base, size)) throw new RangeError(`DMA window 0x${base.toString(16)}+0x${size.toString(16)} is outside RAM`);
  }

  /** Whether [addr, addr + length) lies inside the window (addr taken as unsigned). */
  reaches(addr: number, length: number): boolean {
    const a = addr >>> 0;
    return Number.isInteger(length) && length >= 0 && a + length <= this.size;
  }

  read(addr: number, length: number): Uint8Array | undefined {
    if (!this.reaches(addr, length)) return undefined;
    const start = this.base + (addr >>> 0);
    return this.mem.u8.slice(start, start + length);
  }

  /** read() into `out` without allocating (src/devices/dma-into.ts); false if any byte lies outside the window. */
  readInto(addr: number, out: Uint8Array): boolean {
    if (!this.reaches(addr, out.length)) return false;
    const u8 = this.mem.u8, start = this.base + (addr >>> 0);
    for (let i = 0; i < out.length; i++) out[i] = u8[start + i]!;
    return true;
  }

  write(addr: number, bytes: Uint8Array): boolean {
    if (!this.reaches(addr, bytes.length)) return false;
    const start = this.base + (addr >>> 0);
    const mem = this.mem;
    if (mem.journal) for (let i = 0; i < bytes.length; i++) mem.write8(start + i, bytes[i]!);
    else mem.u8.set(bytes, start);
    return true;
  }
}
