// Memory write journal for reverse execution: while enabled, every RAM write
// first records (physical address, width, old value), so a debugger can undo
// writes back to a mark and, with a restored state snapshot, get the machine
// back bit for bit.
//
// Marks are absolute (writes recorded since the journal was created), so a
// mark stays valid after the oldest entries are discarded: a debugger with a
// history budget forgets writes older than its oldest checkpoint instead of
// keeping every store a long run ever made.

import type { PhysicalMemory } from './memory.js';

/** Ints per entry: physical address, width, old value. */
const STRIDE = 3;

export class MemoryJournal {
  private data = new Int32Array(STRIDE * 4096);
  /** Entries stored in `data` (from index 0). */
  private count = 0;
  /** Absolute index of data's first entry (entries before it were discarded). */
  private base = 0;

  constructor(private readonly memory: PhysicalMemory) {}

  get length(): number {
    return this.base + this.count;
  }

  mark(): number {
    return this.base + this.count;
  }

  /** Absolute index of the oldest entry still held. */
  get oldest(): number {
    return this.base;
  }

  record(paddr: number, width: 1 | 2 | 4): void {
    const m = this.memory;
    if ((this.count + 1) * STRIDE > this.data.length) this.grow();
    const at = this.count * STRIDE;
    this.data[at] = paddr;
    this.data[at + 1] = width;
    this.data[at + 2] = width === 4 ? m.i32[paddr >>> 2]! : width === 2 ? m.u16[paddr >>> 1]! : m.u8[paddr]!;
    this.count++;
  }

  *entries(from = 0): Generator<{ paddr: number; width: number; old: number }> {
    const first = Math.max(0, from - this.base);
    for (let i = this.count - 1; i >= first; i--) {
      const at = i * STRIDE;
      yield { paddr: this.data[at]!, width: this.data[at + 1]!, old: this.data[at + 2]! };
    }
  }

  /** Undo writes back to `mark`. Throws if the writes since `mark` are no longer all held. */
  undoTo(mark: number): void {
    if (mark < this.base) throw new RangeError(`journal mark ${mark} was discarded (oldest is ${this.base})`);
    const m = this.memory;
    const stop = mark - this.base;
    for (let i = this.count - 1; i >= stop; i--) {
      const at = i * STRIDE;
      const a = this.data[at]!, w = this.data[at + 1]!, v = this.data[at + 2]!;
      if (w === 4) m.i32[a >>> 2] = v;
      else if (w === 2) m.u16[a >>> 1] = v;
      else m.u8[a] = v;
    }
    if (stop < this.count) this.count = stop;
  }

  /** Forget entries older than `mark` (they can no longer be undone). */
  discardBefore(mark: number): void {
    const drop = Math.min(mark - this.base, this.count);
    // Compact only when it frees a good share, so discarding is amortized O(1) per entry.
    if (drop <= 0 || drop < 4096 || drop * 2 < this.count) return;
    this.data.copyWithin(0, drop * STRIDE, this.count * STRIDE);
    this.count -= drop;
    this.base += drop;
    if (this.data.length > STRIDE * 65536 && this.count * STRIDE * 4 < this.data.length) {
      this.data = this.data.slice(0, Math.max(STRIDE * 4096, this.count * STRIDE * 2));
    }
  }

  clear(): void {
    this.base += this.count;
    this.count = 0;
  }

  /**
   * The 32-bit word at aligned physical `paddr` as it was when the journal
   * stood at `mark` (writes since then undone on a copy, not in memory).
   */
  wordAt(paddr: number, mark: number): number {
    const buf = new DataView(new ArrayBuffer(4));
    buf.setInt32(0, this.memory.i32[paddr >>> 2]!, true);
    const first = Math.max(0, mark - this.base);
    for (let i = this.count - 1; i >= first; i--) {
      const at = i * STRIDE;
      const a = this.data[at]!, w = this.data[at + 1]!, v = this.data[at + 2]!;
      if (a + w <= paddr || a >= paddr + 4) continue;
      if (w === 4) buf.setInt32(0, v, true);
      else if (w === 2) buf.setUint16(a - paddr, v, true);
      else buf.setUint8(a - paddr, v);
    }
    return buf.getUint32(0, true);
  }

  private grow(): void {
    const next = new Int32Array(this.data.length * 2);
    next.set(this.data.subarray(0, this.count * STRIDE));
    this.data = next;
  }
}
