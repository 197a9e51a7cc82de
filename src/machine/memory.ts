// Physical RAM: one ArrayBuffer seen through typed arrays of every width, so an
// aligned access is one indexed load. Accesses are naturally aligned (the CPU
// faults otherwise), which is what lets a 32-bit access be `i32[pa >>> 2]`.

import { PAGE_SIZE } from '../isa/index.js';
import type { MemoryJournal } from './journal.js';

export const DEFAULT_MEMORY_SIZE = 16 * 1024 * 1024;
/** Physical addresses from here up are for MMIO devices; RAM must end below. */
export const MAX_MEMORY_SIZE = 1024 * 1024 * 1024;

// Asked of the typed arrays themselves (not node:os), so the machine also runs in a browser's Web Worker.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('virtlab needs a little-endian host (typed arrays use host byte order)');

export class PhysicalMemory {
  readonly size: number;
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  /** When set, every write through this class or an engine's store is recorded first. */
  journal: MemoryJournal | undefined;

  constructor(size = DEFAULT_MEMORY_SIZE) {
    if (!Number.isInteger(size) || size < PAGE_SIZE || size % PAGE_SIZE !== 0 || size > MAX_MEMORY_SIZE) {
      throw new RangeError(`memory size ${size} must be a multiple of ${PAGE_SIZE} between ${PAGE_SIZE} and ${MAX_MEMORY_SIZE} bytes`);
    }
    this.size = size;
    this.buffer = new ArrayBuffer(size);
    this.u8 = new Uint8Array(this.buffer);
    this.i8 = new Int8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i16 = new Int16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
  }

  /** True when [paddr, paddr + length) lies inside RAM. */
  contains(paddr: number, length = 1): boolean {
    return paddr >= 0 && length >= 0 && paddr + length <= this.size;
  }

  private check(paddr: number, width: number): void {
    if (!Number.isInteger(paddr) || paddr < 0 || paddr + width > this.size || paddr % width !== 0) {
      throw new RangeError(`physical access of ${width} byte(s) at 0x${(paddr >>> 0).toString(16)} is outside RAM or misaligned`);
    }
  }

  read8(paddr: number): number { this.check(paddr, 1); return this.u8[paddr]!; }
  read16(paddr: number): number { this.check(paddr, 2); return this.u16[paddr >>> 1]!; }
  /** The word as int32. */
  read32(paddr: number): number { this.check(paddr, 4); return this.i32[paddr >>> 2]!; }

  write8(paddr: number, value: number): void {
    this.check(paddr, 1);
    this.journal?.record(paddr, 1);
    this.u8[paddr] = value;
  }
  write16(paddr: number, value: number): void {
    this.check(paddr, 2);
    this.journal?.record(paddr, 2);
    this.u16[paddr >>> 1] = value;
  }
  write32(paddr: number, value: number): void {
    this.check(paddr, 4);
    this.journal?.record(paddr, 4);
    this.i32[paddr >>> 2] = value;
  }

  /** Copy bytes into RAM (loader); not journaled. */
  load(paddr: number, bytes: Uint8Array): void {
    if (!this.contains(paddr, bytes.length)) throw new RangeError(`load at 0x${paddr.toString(16)} is outside RAM`);
    this.u8.set(bytes, paddr);
  }

  /** A copy of [paddr, paddr + length), clipped to RAM. */
  slice(paddr: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(paddr, this.size));
    return this.u8.slice(start, Math.max(start, Math.min(paddr + length, this.size)));
  }

  clear(): void {
    this.u8.fill(0);
  }
}
