// Image -> ELF32 little-endian executable. Layout of the file:
//   ELF header | program headers | .text/.data bytes (each at a file offset
//   congruent to its address modulo SEGMENT_ALIGN, as loaders require) |
//   .symtab | .strtab | .virtlab.lines | .shstrtab | section header table
// One PT_LOAD per non-empty section; .bss has p_filesz 0.

import { EM_VIRTLAB } from '../isa/arch.js';
import { canonicalSymbols } from './canonical.js';
import { ElfError } from './error.js';
import * as F from './format.js';
import type { Image, ImageSection, SectionName } from './image.js';
import { encodeLines } from './lines.js';
import { StringTable } from './strtab.js';

interface OutSection extends F.SectionHeaderFields {
  align: number;
  /** File contents; undefined for SHT_NULL and SHT_NOBITS. */
  bytes?: Uint8Array;
  /** Set for sections that get a PT_LOAD. */
  segmentFlags?: number;
}

const U32_LIMIT = 2 ** 32;

/** Serialise an image. Throws ElfError (naming `name`) for an image no ELF file can hold. */
export function writeElf(image: Image, name = 'image'): Uint8Array {
  const fail = (problem: string): never => { throw new ElfError(name, problem); };
  const sections: OutSection[] = [nullSection()];

  for (const s of image.sections) sections.push(allocSection(s, fail));
  // A symbol may name a section the image left out (a label in an empty .data):
  // give it an empty header so st_shndx stays meaningful.
  for (const sym of image.symbols) {
    if (sym.section && !image.sections.some((s) => s.name === sym.section)) {
      if (!sections.some((s) => s.name === sym.section)) sections.push(placeholderSection(sym.section, sym.value));
    }
  }

  const strtab = new StringTable();
  const symbols = canonicalSymbols(image.symbols);
  const firstGlobal = 1 + symbols.filter((s) => !s.global).length;
  const symBytes = new Uint8Array(F.SYM_SIZE * (symbols.length + 1));
  const symView = new DataView(symBytes.buffer);
  symbols.forEach((sym, i) => {
    const at = F.SYM_SIZE * (i + 1);
    const type = sym.kind === 'func' ? F.STT_FUNC : sym.kind === 'object' ? F.STT_OBJECT : F.STT_NOTYPE;
    const shndx = sym.section ? sectionIndexFor(sections, sym.section, sym.value >>> 0) : F.SHN_ABS;
    symView.setUint32(at, strtab.add(sym.name), true);
    symView.setUint32(at + 4, sym.value >>> 0, true);
    symView.setUint32(at + 8, 0, true);
    symView.setUint8(at + 12, (sym.global ? F.STB_GLOBAL : F.STB_LOCAL) << 4 | type);
    symView.setUint8(at + 13, 0);
    symView.setUint16(at + 14, shndx, true);
  });

  const symtabIndex = sections.length;
  sections.push({ ...meta('.symtab', F.SHT_SYMTAB, symBytes, 4), link: symtabIndex + 1, info: firstGlobal, entsize: F.SYM_SIZE });
  sections.push(meta('.strtab', F.SHT_STRTAB, strtab.bytes(), 1));
  sections.push(meta(F.LINES_SECTION, F.SHT_PROGBITS, encodeLines(image.lines), 4));
  const shstrtabIndex = sections.length;
  const shstrtab = new StringTable();
  const shstrtabSection = meta('.shstrtab', F.SHT_STRTAB, new Uint8Array(0), 1);
  sections.push(shstrtabSection);
  const nameOffsets = sections.map((s) => shstrtab.add(s.name));
  shstrtabSection.bytes = shstrtab.bytes();
  shstrtabSection.size = shstrtabSection.bytes.length;

  // Program headers in ascending p_vaddr, as the gABI requires of PT_LOAD entries.
  const loaded = sections.filter((s) => s.segmentFlags !== undefined).sort((x, y) => x.addr - y.addr);

  let offset = F.EHDR_SIZE + F.PHDR_SIZE * loaded.length;
  for (const s of sections.slice(1)) {
    if (s.flags & F.SHF_ALLOC) {
      offset += (((s.addr - offset) % F.SEGMENT_ALIGN) + F.SEGMENT_ALIGN) % F.SEGMENT_ALIGN;
    } else {
      offset = alignUp(offset, s.align);
    }
    s.offset = offset;
    if (s.type !== F.SHT_NOBITS) offset += s.size;
  }
  const shoff = alignUp(offset, 4);
  const out = new Uint8Array(shoff + F.SHDR_SIZE * sections.length);
  const view = new DataView(out.buffer);

  out.set(F.ELFMAG, 0);
  out[4] = F.ELFCLASS32;
  out[5] = F.ELFDATA2LSB;
  out[6] = F.EV_CURRENT;
  out[7] = F.ELFOSABI_NONE;
  view.setUint16(16, F.ET_EXEC, true);
  view.setUint16(18, EM_VIRTLAB, true);
  view.setUint32(20, F.EV_CURRENT, true);
  view.setUint32(24, image.entry >>> 0, true);
  view.setUint32(28, loaded.length ? F.EHDR_SIZE : 0, true); // e_phoff must be 0 without program headers
  view.setUint32(32, shoff, true);
  view.setUint32(36, 0, true); // e_flags
  view.setUint16(40, F.EHDR_SIZE, true);
  view.setUint16(42, F.PHDR_SIZE, true);
  view.setUint16(44, loaded.length, true);
  view.setUint16(46, F.SHDR_SIZE, true);
  view.setUint16(48, sections.length, true);
  view.setUint16(50, shstrtabIndex, true);

  loaded.forEach((s, i) => {
    const at = F.EHDR_SIZE + F.PHDR_SIZE * i;
    view.setUint32(at, F.PT_LOAD, true);
    view.setUint32(at + 4, s.offset, true);
    view.setUint32(at + 8, s.addr, true); // p_vaddr
    view.setUint32(at + 12, s.addr, true); // p_paddr: virtual = physical for virtlab images
    view.setUint32(at + 16, s.type === F.SHT_NOBITS ? 0 : s.size, true);
    view.setUint32(at + 20, s.size, true);
    view.setUint32(at + 24, s.segmentFlags!, true);
    view.setUint32(at + 28, F.SEGMENT_ALIGN, true);
  });

  sections.forEach((s, i) => {
    if (s.bytes && s.type !== F.SHT_NOBITS) out.set(s.bytes, s.offset);
    const at = shoff + F.SHDR_SIZE * i;
    view.setUint32(at, nameOffsets[i]!, true);
    view.setUint32(at + 4, s.type, true);
    view.setUint32(at + 8, s.flags, true);
    view.setUint32(at + 12, s.addr, true);
    view.setUint32(at + 16, s.offset, true);
    view.setUint32(at + 20, s.size, true);
    view.setUint32(at + 24, s.link, true);
    view.setUint32(at + 28, s.info, true);
    view.setUint32(at + 32, s.align, true);
    view.setUint32(at + 36, s.entsize, true);
  });
  return out;
}

function nullSection(): OutSection {
  return { name: '', type: F.SHT_NULL, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 };
}

function meta(name: string, type: number, bytes: Uint8Array, align: number): OutSection {
  return { name, type, flags: 0, addr: 0, offset: 0, size: bytes.length, link: 0, info: 0, align, entsize: 0, bytes };
}

function allocSection(s: ImageSection, fail: (problem: string) => never): OutSection {
  const addr = s.addr >>> 0;
  const nobits = s.name === '.bss';
  if (!nobits && s.data.length !== s.size) fail(`section ${s.name} at 0x${hex(addr)}: size ${s.size} but ${s.data.length} data bytes`);
  if (nobits && s.data.length !== 0) fail(`section .bss at 0x${hex(addr)} carries data bytes`);
  if (!Number.isInteger(s.size) || s.size < 0 || addr + s.size > U32_LIMIT) {
    fail(`section ${s.name} at 0x${hex(addr)} with size ${s.size} does not fit the 32-bit address space`);
  }
  const flags = F.SHF_ALLOC | (s.flags.write ? F.SHF_WRITE : 0) | (s.flags.exec ? F.SHF_EXECINSTR : 0);
  const segmentFlags = (s.flags.read ? F.PF_R : 0) | (s.flags.write ? F.PF_W : 0) | (s.flags.exec ? F.PF_X : 0);
  return {
    name: s.name, type: nobits ? F.SHT_NOBITS : F.SHT_PROGBITS, flags, addr, offset: 0, size: s.size,
    link: 0, info: 0, align: naturalAlign(addr), entsize: 0,
    bytes: nobits ? undefined : s.data,
    segmentFlags: s.size > 0 ? segmentFlags : undefined,
  };
}

function placeholderSection(name: SectionName, addr: number): OutSection {
  const write = name !== '.text';
  return {
    name, type: name === '.bss' ? F.SHT_NOBITS : F.SHT_PROGBITS,
    flags: F.SHF_ALLOC | (write ? F.SHF_WRITE : F.SHF_EXECINSTR), addr: addr >>> 0, offset: 0, size: 0,
    link: 0, info: 0, align: naturalAlign(addr >>> 0), entsize: 0, bytes: name === '.bss' ? undefined : new Uint8Array(0),
  };
}

/** Index of the section named `name` that holds `value` (its end included, for end labels), else the first so named. */
function sectionIndexFor(sections: readonly OutSection[], name: string, value: number): number {
  let first = -1;
  for (let i = 1; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.name !== name || !(s.flags & F.SHF_ALLOC)) continue;
    if (value >= s.addr && value <= s.addr + s.size) return i;
    if (first < 0) first = i;
  }
  return first;
}

/** sh_addralign must divide sh_addr: the largest of 4, 2, 1 that does. */
function naturalAlign(addr: number): number {
  return addr % 4 === 0 ? 4 : addr % 2 === 0 ? 2 : 1;
}

function alignUp(n: number, align: number): number {
  return align > 1 ? Math.ceil(n / align) * align : n;
}

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
