// Load an Image into a machine: reset it, clear RAM, copy each segment to its
// address, start at the entry point. An image read from ELF loads its PT_LOAD
// program headers; an assembled one its non-empty sections (the segments its
// ELF file would have). Images that cannot be loaded as a whole are refused with
// a one-line LoadError before anything is written. The reader has checked an
// ELF file's structure; these are the rules against the machine (docs/isa.md,
// "Loading"): inside memory, never in page 0, no overlaps, and (ELF) an entry
// point in an executable segment.

import type { Image, ImageSegment } from '../elf/image.js';
import { segmentsOf } from '../elf/segments.js';
import { PAGE_SIZE } from '../isa/index.js';
import type { Machine } from './machine.js';

export class LoadError extends Error {
  override readonly name = 'LoadError';
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function range(s: ImageSegment): string {
  return `[${hex(s.addr)}, ${hex(s.addr + s.size)})`;
}

/** "program header 1", or "section .data" for an assembled image's segment. */
function nameOf(s: ImageSegment): string {
  if (s.header !== undefined) return `program header ${s.header}`;
  return s.section !== undefined ? `section ${s.section}` : `the segment at ${hex(s.addr)}`;
}

function amount(bytes: number): string {
  if (bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * The segments to copy (the non-empty ones), after checking that they fit in
 * `[0, size)` above page 0 without overlapping and that the entry point is an
 * aligned word in memory (for ELF, inside an executable segment). Throws a
 * one-line LoadError naming `space` ("memory", "guest memory") otherwise. ELF
 * segments are named by program header and field, an assembled image's by
 * section.
 */
export function checkImageFits(image: Image, size: number, space: string, rangeName: string): ImageSegment[] {
  const segments = segmentsOf(image).filter((s) => s.size > 0);
  const elf = image.segments !== undefined;
  const outside = `lies outside ${space} (${rangeName} is [0x0, ${hex(size)}))`;
  const page0 = `lies in page 0 [0x0, ${hex(PAGE_SIZE)}), where nothing is loaded`;
  for (const s of segments) {
    const what = nameOf(s);
    if (elf) {
      // readElf gives 32-bit fields and p_filesz <= p_memsz; segments built by hand get the same checks.
      if (!Number.isInteger(s.addr) || s.addr < 0 || !Number.isInteger(s.size)) throw new LoadError(`${what}: p_vaddr ${s.addr} or p_memsz ${s.size} is not an unsigned 32-bit number`);
      if (s.data.length > s.size) throw new LoadError(`${what}: p_filesz ${hex(s.data.length)} exceeds p_memsz ${hex(s.size)}`);
      if (s.addr < PAGE_SIZE) throw new LoadError(`${what}: p_vaddr ${hex(s.addr)} ${page0}`);
      if (s.size > size) throw new LoadError(`${what}: p_memsz ${hex(s.size)} exceeds ${space} (${amount(size)})`);
      if (s.addr + s.size > size) throw new LoadError(`${what}: p_vaddr ${hex(s.addr)} + p_memsz ${hex(s.size)} ends past ${space} (${amount(size)})`);
    } else {
      if (!Number.isInteger(s.addr) || s.addr < 0 || s.addr + s.size > size) throw new LoadError(`${what} ${range(s)} ${outside}`);
      if (s.data.length > s.size) throw new LoadError(`${what} has ${s.data.length} bytes of data but size ${s.size}`);
      if (s.addr < PAGE_SIZE) throw new LoadError(`${what} ${range(s)} ${page0}`);
    }
  }
  const sorted = [...segments].sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!, cur = sorted[i]!;
    if (cur.addr >= prev.addr + prev.size) continue;
    throw new LoadError(elf
      ? `${nameOf(cur)}: p_vaddr ${hex(cur.addr)} overlaps ${nameOf(prev)} ${range(prev)}`
      : `sections ${prev.section} ${range(prev)} and ${cur.section} ${range(cur)} overlap`);
  }
  checkEntry(image.entry, segments, elf, size, outside);
  return segments;
}

/**
 * ELF: the entry word must lie in a PF_X segment. An assembled image only needs
 * an aligned entry in memory: the assembler chose it (_start, else the start of
 * .text), and an empty program is a bare machine that stops at its first trap.
 */
function checkEntry(entry: number, segments: readonly ImageSegment[], elf: boolean, size: number, outside: string): void {
  const what = `${elf ? 'e_entry' : 'entry point'} ${hex(entry)}`;
  if (!Number.isInteger(entry) || entry < 0 || entry >= size) throw new LoadError(`${what} ${outside}`);
  if (entry % 4 !== 0) throw new LoadError(`${what} is not 4-aligned`);
  if (!elf) return;
  const holder = segments.find((s) => entry >= s.addr && entry + 4 <= s.addr + s.size);
  if (holder?.flags.exec) return;
  throw new LoadError(`${what} is not inside an executable (PF_X) segment${holder ? ` (it is in ${nameOf(holder)}, which is not)` : ''}`);
}

/** Throws LoadError (one line) if the image does not fit the machine; otherwise loads it and resets the CPU. */
export function loadImage(machine: Machine, image: Image): void {
  const segments = checkImageFits(image, machine.mem.size, 'memory', 'RAM');
  machine.mem.clear();
  for (const s of segments) machine.mem.load(s.addr, s.data);
  machine.reset(image.entry);
}
