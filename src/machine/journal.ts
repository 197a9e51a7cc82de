// Memory write journal for reverse execution: while enabled, every RAM write
// first records (physical address, width, old value), so a debugger can undo
// writes back to a mark and, with a restored state snapshot, get the machine
// back bit for bit.

import type { PhysicalMemory } from './memory.js';

export class MemoryJournal {
  private addrs: number[] = [];
  private widths: number[] = [];
  private olds: number[] = [];

  constructor(private readonly mem: PhysicalMemory) {}

  /** Number of writes recorded; a mark to undo back to. */
  get length(): number {
    return this.addrs.length;
  }

  mark(): number {
    return this.addrs.length;
  }

  /** Called before a RAM write of `width` bytes at `paddr` (naturally aligned, inside RAM). */
  record(paddr: number, width: 1 | 2 | 4): void {
    const m = this.mem;
    this.addrs.push(paddr);
    this.widths.push(width);
    this.olds.push(width === 4 ? m.i32[paddr >>> 2]! : width === 2 ? m.u16[paddr >>> 1]! : m.u8[paddr]!);
  }

  /** Old bytes of each recorded write, newest first (for display). */
  *entries(from = 0): Generator<{ paddr: number; width: number; old: number }> {
    for (let i = this.addrs.length - 1; i >= from; i--) {
      yield { paddr: this.addrs[i]!, width: this.widths[i]!, old: this.olds[i]! };
    }
  }

  /** Restore memory to what it was at `mark`, newest write first, and forget the undone writes. */
  undoTo(mark: number): void {
    const m = this.mem;
    for (let i = this.addrs.length - 1; i >= mark; i--) {
      const a = this.addrs[i]!, w = this.widths[i]!, v = this.olds[i]!;
      if (w === 4) m.i32[a >>> 2] = v;
      else if (w === 2) m.u16[a >>> 1] = v;
      else m.u8[a] = v;
    }
    if (mark < this.addrs.length) {
      this.addrs.length = mark;
      this.widths.length = mark;
      this.olds.length = mark;
    }
  }

  /** Forget every recorded write (they can no longer be undone). */
  clear(): void {
    this.addrs = [];
    this.widths = [];
    this.olds = [];
  }
}
