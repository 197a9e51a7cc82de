// The monitor's own memory: host RAM above the guest, handed out in 4 KiB
// frames (shadow directories and tables; the translation cache has its own
// region after them, see layout.ts). No shadow page table ever maps a frame from here,
// so no guest access can reach it.

import { PAGE_SIZE } from '../isa/index.js';
import type { PhysicalMemory } from '../machine/memory.js';
import type { VmLayout } from './layout.js';

export interface FramePoolState {
  free: number[];
}

export class FramePool {
  /** Free frames (host-physical addresses); pop() hands out the lowest first. */
  private free: number[] = [];

  constructor(private readonly mem: PhysicalMemory, private readonly layout: VmLayout) {
    this.reset();
  }

  /** All frames free again (a frame is cleared when it is handed out). */
  reset(): void {
    const { monitorBase, tcBase } = this.layout;
    this.free = [];
    for (let a = tcBase - PAGE_SIZE; a >= monitorBase; a -= PAGE_SIZE) this.free.push(a);
  }

  get available(): number {
    return this.free.length;
  }

  /** A zeroed frame, or undefined when none is left (the caller frees some and retries). */
  alloc(): number | undefined {
    const f = this.free.pop();
    if (f === undefined) return undefined;
    // Written through write32 (journaled), and only where not already zero.
    for (let a = f; a < f + PAGE_SIZE; a += 4) if (this.mem.i32[a >>> 2] !== 0) this.mem.write32(a, 0);
    return f;
  }

  release(frame: number): void {
    this.free.push(frame);
  }

  save(): FramePoolState {
    return { free: this.free.slice() };
  }

  restore(s: FramePoolState): void {
    this.free = s.free.slice();
  }
}
