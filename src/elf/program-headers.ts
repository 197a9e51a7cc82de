// The program header table, which is what gets loaded. The reader checks the
// structure here: every field in range and within the file, alignment, types a
// static executable may have. Fitting the machine's memory, overlaps, page 0
// and the entry point are the loader's checks (src/machine/loader.ts), which
// apply to assembled images too.

import * as F from './format.js';
import type { ImageSegment } from './image.js';

export interface ProgramHeader {
  /** Index in the program header table, for messages. */
  index: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

type Fail = (problem: string) => never;

export interface PhdrTable {
  offset: number;
  entsize: number;
  count: number;
}

/** The PT_LOAD headers; PT_NULL and PT_NOTE are skipped, any other type is refused. */
export function readProgramHeaders(bytes: Uint8Array, table: PhdrTable, fail: Fail): ProgramHeader[] {
  if (table.count === 0) return [];
  if (table.entsize !== F.PHDR_SIZE) fail(`e_phentsize ${table.entsize}, expected ${F.PHDR_SIZE}`);
  if (table.offset + table.count * F.PHDR_SIZE > bytes.length) {
    fail(`program header table (e_phoff 0x${hex(table.offset)}, e_phnum ${table.count}) lies outside the file (${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ProgramHeader[] = [];
  for (let index = 0; index < table.count; index++) {
    const at = table.offset + index * F.PHDR_SIZE;
    const u32 = (field: number) => view.getUint32(at + field, true);
    const type = u32(0);
    if (type === F.PT_NULL || type === F.PT_NOTE) continue; // unused entry; auxiliary information
    const what = `program header ${index}`;
    if (type !== F.PT_LOAD) {
      fail(`${what}: p_type 0x${hex(type)}${F.PT_NAMES[type] ? ` (${F.PT_NAMES[type]})` : ''} is not supported: a virtlab image is a static executable (PT_LOAD; PT_NOTE and PT_NULL are ignored)`);
    }
    const ph = { index, offset: u32(4), vaddr: u32(8), filesz: u32(16), memsz: u32(20), flags: u32(24) };
    const align = u32(28);
    if (ph.filesz > ph.memsz) fail(`${what}: p_filesz 0x${hex(ph.filesz)} exceeds p_memsz 0x${hex(ph.memsz)}`);
    if (ph.offset + ph.filesz > bytes.length) {
      fail(`${what}: p_offset 0x${hex(ph.offset)} + p_filesz 0x${hex(ph.filesz)} lies past the end of the file (${bytes.length} bytes)`);
    }
    if (ph.vaddr + ph.memsz > 2 ** 32) fail(`${what}: p_vaddr 0x${hex(ph.vaddr)} + p_memsz 0x${hex(ph.memsz)} wraps past the 32-bit address space`);
    // gABI: 0 and 1 mean no alignment; otherwise a power of two that p_vaddr and p_offset agree modulo.
    if ((align & (align - 1)) !== 0) fail(`${what}: p_align 0x${hex(align)} is not a power of two`);
    if (align > 1 && (ph.vaddr - ph.offset) % align !== 0) {
      fail(`${what}: p_vaddr 0x${hex(ph.vaddr)} and p_offset 0x${hex(ph.offset)} differ modulo p_align 0x${hex(align)}`);
    }
    out.push(ph);
  }
  return out;
}

/** Segments as the image carries them; the data are views of the file (many headers may cover the same bytes). */
export function imageSegments(bytes: Uint8Array, phdrs: readonly ProgramHeader[]): ImageSegment[] {
  return phdrs.map((p) => ({
    header: p.index, addr: p.vaddr, data: bytes.subarray(p.offset, p.offset + p.filesz), size: p.memsz,
    flags: { read: (p.flags & F.PF_R) !== 0, write: (p.flags & F.PF_W) !== 0, exec: (p.flags & F.PF_X) !== 0 },
  }));
}

/** Finds the PT_LOAD segment holding an address range, in log time (an image may have 65,535 of them). */
export class SegmentLookup {
  private readonly sorted: ProgramHeader[];

  constructor(phdrs: readonly ProgramHeader[]) {
    this.sorted = [...phdrs].sort((a, b) => a.vaddr - b.vaddr);
  }

  /** The segment whose memory holds all of [addr, addr + size), if any (the loader refuses overlapping segments). */
  holding(addr: number, size: number): ProgramHeader | undefined {
    let lo = 0, hi = this.sorted.length; // find the last segment starting at or below addr
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.vaddr <= addr) lo = mid + 1;
      else hi = mid;
    }
    const p = this.sorted[lo - 1];
    return p && addr + size <= p.vaddr + p.memsz ? p : undefined;
  }
}

export function hex(n: number): string {
  return (n >>> 0).toString(16);
}
