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
import { PV_MARKER } from './pv/abi.js';

export type Width = 1 | 2 | 4;

/** Device memory mapped straight into the guest (an assigned function's BAR): guest-physical onto host-physical. */
export interface Assignment {
  gpa: number;
  hpa: number;
  length: number;
}

const PAGE = 0x1000;


export class GuestMemory {
  readonly base: number;
  readonly size: number;
  /**
   * The paravirtual ABI version the loaded image declares (its VIRTLAB_PV_ABI
   * symbol), if any: under hw such a guest is offered hypercalls (PVHVM), as
   * an HVM guest that found Xen's CPUID leaves is; any other image finds hcall
   * undefined, as on the bare machine.
   */
  pvAbi: number | undefined;

  constructor(private readonly mem: PhysicalMemory, layout: VmLayout) {
    this.base = layout.base;
    this.size = layout.guestSize;
  }

  private readonly assigned: Assignment[] = [];

  /**
   * Map device memory [hpa, hpa + length) at guest-physical [gpa, gpa + length)
   * (page-aligned, outside guest RAM): the shadow tables and EPT map it to the
   * guest directly, so its accesses run without exits (direct assignment).
   */
  assign(a: Assignment): void {
    const { gpa, hpa, length } = a;
    if ((gpa | hpa | length) % PAGE !== 0 || length <= 0) throw new RangeError(`assignment 0x${gpa.toString(16)}+0x${length.toString(16)} is not whole pages`);
    if (gpa >>> 0 < this.size) throw new RangeError(`assignment at 0x${gpa.toString(16)} overlaps guest RAM`);
    if (this.assigned.some((o) => gpa < o.gpa + o.length && o.gpa < gpa + length)) throw new RangeError(`assignment at 0x${gpa.toString(16)} overlaps another`);
    this.assigned.push({ gpa: gpa >>> 0, hpa: hpa >>> 0, length });
  }

  /** Forget every assignment (before the monitor places them again). */
  clearAssignments(): void {
    this.assigned.length = 0;
  }

  assignments(): readonly Assignment[] {
    return this.assigned;
  }

  /** The host-physical address device memory assigned at `gpa` maps to, if any. */
  assignedHost(gpa: number): number | undefined {
    const g = gpa >>> 0;
    for (const a of this.assigned) if (g >= a.gpa && g < a.gpa + a.length) return a.hpa + (g - a.gpa);
    return undefined;
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
    this.pvAbi = image.symbols.find((s) => s.name === PV_MARKER && s.kind === 'abs')?.value;
    this.mem.u8.fill(0, this.base, this.base + this.size);
    for (const s of sections) this.mem.load(this.host(s.addr), s.data);
  }
}
