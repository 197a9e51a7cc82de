// Guest-physical memory as the monitor sees it: a window [base, base + size)
// of host RAM. Every monitor access to guest memory goes through here, so the
// translation guest-physical -> host-physical happens in exactly one place and
// an address outside guest RAM can never reach host memory around it.
// Writes go through PhysicalMemory's write methods so the debugger's journal
// records them like any other RAM write.

import type { Image } from '../elf/image.js';
import { checkImageFits } from '../machine/loader.js';
import type { PhysicalMemory } from '../machine/memory.js';
import type { VmLayout } from './layout.js';

export type Width = 1 | 2 | 4;


export class GuestMemory {
  readonly base: number;
  readonly size: number;

  constructor(private readonly mem: PhysicalMemory, layout: VmLayout) {
    this.base = layout.base;
    this.size = layout.guestSize;
  }

  /** True when [gpa, gpa + length) is guest RAM (gpa unsigned). */
  contains(gpa: number, length = 1): boolean {
    const a = gpa >>> 0;
    return a + length <= this.size;
  }

  /** Host-physical address of guest-physical `gpa` (which must be guest RAM). */
  host(gpa: number): number {
    return this.base + (gpa >>> 0);
  }

  /** Guest-physical address of host-physical `hpa`, or -1 if it is not guest RAM. */
  guestOf(hpa: number): number {
    const g = (hpa >>> 0) - this.base;
    return g >= 0 && g < this.size ? g : -1;
  }

  /** A page-table word: outside guest RAM it reads as 0 (not present), as the MMU's walk does. */
  readEntry(gpa: number): number {
    return this.contains(gpa, 4) ? this.mem.i32[this.host(gpa) >>> 2]! : 0;
  }

  /** Zero-extended read of guest RAM (aligned; caller checked contains()). */
  read(gpa: number, width: Width): number {
    const h = this.host(gpa);
    return width === 4 ? this.mem.i32[h >>> 2]! >>> 0 : width === 2 ? this.mem.u16[h >>> 1]! : this.mem.u8[h]!;
  }

  write(gpa: number, width: Width, value: number): void {
    const h = this.host(gpa);
    if (width === 4) this.mem.write32(h, value | 0);
    else if (width === 2) this.mem.write16(h, value & 0xffff);
    else this.mem.write8(h, value & 0xff);
  }

  /** Clear guest RAM and copy the image's segments (machine/loader.ts) to their guest-physical addresses. */
  load(image: Image): void {
    const sections = checkImageFits(image, this.size, 'guest memory', 'guest RAM');
    this.mem.u8.fill(0, this.base, this.base + this.size);
    for (const s of sections) this.mem.load(this.host(s.addr), s.data);
  }
}
