// An IOMMU on its own over a real PhysicalMemory: a context that records the
// lines it drives, a bump allocator of table frames at the top of memory, and
// the monitor's driver. Host pages below the table region are the "VMs' RAM".

import { Iommu, type IommuEvent, type IommuOptions } from '../../../src/devices/iommu/iommu.js';
import { IommuDriver, type FrameAllocator } from '../../../src/devices/iommu/driver.js';
import type { DeviceContext } from '../../../src/machine/device.js';
import { WindowDma } from '../../../src/machine/dma.js';
import { PhysicalMemory } from '../../../src/machine/memory.js';

export const MEM_SIZE = 1 << 20;
/** Table frames come from [TABLES, MEM_SIZE). */
export const TABLES = 0xc0000;
/** Requesters as routing IDs: 00:03.0, 00:04.0, 01:02.1. */
export const RID_A = 3 << 3;
export const RID_B = 4 << 3;
export const RID_OTHER_BUS = (1 << 8) | (2 << 3) | 1;

export class BumpFrames implements FrameAllocator {
  readonly released: number[] = [];
  constructor(private next: number, private readonly end: number) {}
  alloc(): number | undefined {
    if (this.next >= this.end) return undefined;
    const f = this.next;
    this.next += 0x1000;
    return f;
  }
  release(frame: number): void { this.released.push(frame); }
}

export function setup(options: IommuOptions = {}, mem = new PhysicalMemory(MEM_SIZE)) {
  const lines = new Map<number, boolean>();
  const dma = new WindowDma(mem, 0, mem.size);
  const ctx: DeviceContext = { clock: () => 0, setIrq: (l, level) => lines.set(l, level), dma };
  const iommu = new Iommu(ctx, options);
  iommu.reset();
  const events: IommuEvent[] = [];
  iommu.observer = (e) => events.push(e);
  const frames = new BumpFrames(TABLES, mem.size);
  const driver = new IommuDriver(iommu, frames);
  return { mem, iommu, driver, frames, lines, events };
}

export function fill(mem: PhysicalMemory, addr: number, length: number, value: number): void {
  mem.u8.fill(value, addr, addr + length);
}

export function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}
