// ELF32 little-endian executable -> Image, validating every offset and size
// against the file so that a damaged or foreign file gives one ElfError line
// and never a host exception. The image's segments come from the program
// headers (what is loaded); its sections, symbols and lines from the section
// headers (what the disassembler and debugger show), which must agree with the
// segments.

import { EM_VIRTLAB } from '../isa/arch.js';
import { ElfError } from './error.js';
import * as F from './format.js';
import type { Image, ImageSection, ImageSymbol, LineEntry, SectionName } from './image.js';
import { decodeLines } from './lines.js';
import { hex, imageSegments, readProgramHeaders, SegmentLookup, type ProgramHeader } from './program-headers.js';

interface SectionHeader extends F.SectionHeaderFields {
  index: number;
}

type Fail = (problem: string) => never;

export function readElf(bytes: Uint8Array, name = 'image'): Image {
  const fail: Fail = (problem) => { throw new ElfError(name, problem); };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkIdent(bytes, fail);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);

  const type = u16(16);
  if (type !== F.ET_EXEC) fail(`not an executable: e_type ${type} (${ELF_TYPES[type] ?? 'unknown'})`);
  const machine = u16(18);
  if (machine !== EM_VIRTLAB) {
    fail(`not a virtlab image: e_machine 0x${machine.toString(16)} (${F.MACHINE_NAMES[machine] ?? 'unknown machine'}), expected 0x${EM_VIRTLAB.toString(16)}`);
  }
  if (u32(20) !== F.EV_CURRENT) fail(`unsupported ELF version ${u32(20)}`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const ehsize = u16(40);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);
  if (ehsize < F.EHDR_SIZE) fail(`e_ehsize ${ehsize} is smaller than an ELF32 header (${F.EHDR_SIZE})`);

  const phdrs = readProgramHeaders(bytes, { offset: phoff, entsize: phentsize, count: phnum }, fail);
  const segments = imageSegments(bytes, phdrs);
  const shdrs = readSectionHeaders();
  if (shdrs.length === 0) return { entry, sections: sectionsFromSegments(bytes, phdrs, fail), symbols: [], lines: [], segments };

  const lookup = new SegmentLookup(phdrs);
  const sections: ImageSection[] = [];
  const imageIndex = new Map<number, ImageSection>();
  checkNoSharedBytes(shdrs, fail);
  for (const sh of shdrs) {
    if (!(sh.flags & F.SHF_ALLOC) || (sh.type !== F.SHT_PROGBITS && sh.type !== F.SHT_NOBITS)) continue;
    const section = imageSection(sh, sh.size > 0 ? loadingSegment(sh, lookup, phnum, fail) : undefined, bytes, fail);
    imageIndex.set(sh.index, section);
    sections.push(section);
  }
  const symtab = shdrs.find((s) => s.type === F.SHT_SYMTAB);
  const symbols = symtab ? readSymbols(symtab, shdrs, imageIndex, bytes, fail) : [];
  const linesSection = shdrs.find((s) => s.name === F.LINES_SECTION);
  const lines: LineEntry[] = linesSection
    ? decodeLines(contents(linesSection, bytes), (p) => fail(`section ${F.LINES_SECTION}: ${p}`))
    : [];
  return { entry, sections, symbols, lines, segments };

  function readSectionHeaders(): SectionHeader[] {
    if (shnum === 0) {
      if (shoff !== 0) fail('extended section numbering (e_shnum 0 with a section header table) is not supported');
      return [];
    }
    if (shentsize !== F.SHDR_SIZE) fail(`e_shentsize ${shentsize}, expected ${F.SHDR_SIZE}`);
    checkRange(shoff, shnum * F.SHDR_SIZE, bytes.length, 'section header table', fail);
    if (shstrndx === 0 || shstrndx >= shnum) fail(`e_shstrndx ${shstrndx} is not a section (there are ${shnum})`);
    const raw = Array.from({ length: shnum }, (_, i) => {
      const at = shoff + i * F.SHDR_SIZE;
      return {
        index: i, nameOffset: u32(at), type: u32(at + 4), flags: u32(at + 8), addr: u32(at + 12), offset: u32(at + 16),
        size: u32(at + 20), link: u32(at + 24), info: u32(at + 28), entsize: u32(at + 36),
      };
    });
    for (const sh of raw) {
      if (sh.type !== F.SHT_NOBITS && sh.type !== F.SHT_NULL) checkRange(sh.offset, sh.size, bytes.length, `section ${sh.index}`, fail);
    }
    const names = raw[shstrndx]!;
    if (names.type !== F.SHT_STRTAB) fail(`section-name table (section ${shstrndx}) is not a string table`);
    const nameBytes = bytes.subarray(names.offset, names.offset + names.size);
    return raw.map(({ nameOffset, ...sh }) => ({ ...sh, name: cString(nameBytes, nameOffset, `name of section ${sh.index}`, fail) }));
  }
}

const ELF_TYPES: Record<number, string> = { 0: 'none', [F.ET_REL]: 'relocatable', [F.ET_DYN]: 'shared object', [F.ET_CORE]: 'core dump' };

function checkIdent(bytes: Uint8Array, fail: Fail): void {
  if (bytes.length < F.EHDR_SIZE) {
    if (bytes.length >= 4 && !F.ELFMAG.every((b, i) => bytes[i] === b)) fail('not an ELF file (bad magic)');
    fail(`file too short for an ELF header (${bytes.length} bytes, need ${F.EHDR_SIZE})`);
  }
  if (!F.ELFMAG.every((b, i) => bytes[i] === b)) fail('not an ELF file (bad magic)');
  if (bytes[4] === F.ELFCLASS64) fail('not ELF32: this is a 64-bit ELF file (ELFCLASS64)');
  if (bytes[4] !== F.ELFCLASS32) fail(`not ELF32: EI_CLASS ${bytes[4]}`);
  if (bytes[5] === F.ELFDATA2MSB) fail('not little-endian: this is a big-endian ELF file (ELFDATA2MSB)');
  if (bytes[5] !== F.ELFDATA2LSB) fail(`not little-endian: EI_DATA ${bytes[5]}`);
  if (bytes[6] !== F.EV_CURRENT) fail(`unsupported ELF version ${bytes[6]} in e_ident`);
}

/**
 * The PT_LOAD segment that loads an allocated section, checked to load it as
 * the section says: its file bytes from the section's offset, or zeros for
 * SHT_NOBITS; executable if the section holds instructions.
 */
function loadingSegment(sh: SectionHeader, lookup: SegmentLookup, phnum: number, fail: Fail): ProgramHeader {
  const what = `section ${sh.index} (${sh.name})`;
  const range = `[0x${hex(sh.addr)}, 0x${hex(sh.addr + sh.size)})`;
  if (sh.addr + sh.size > 2 ** 32) fail(`${what} at 0x${hex(sh.addr)} extends past the 32-bit address space`);
  if (phnum === 0) fail(`e_phnum 0: no program headers, but ${what} ${range} is to be loaded`);
  const p = lookup.holding(sh.addr, sh.size);
  if (!p) return fail(`${what} ${range} is not inside any PT_LOAD segment`);
  const ph = `program header ${p.index}`;
  const fileEnd = p.vaddr + p.filesz;
  if (sh.type === F.SHT_NOBITS) {
    if (sh.addr < fileEnd) fail(`${what} ${range} is SHT_NOBITS but ${ph} loads file bytes there (p_vaddr 0x${hex(p.vaddr)}, p_filesz 0x${hex(p.filesz)})`);
  } else {
    if (sh.addr + sh.size > fileEnd) fail(`${what} ${range} has file contents but ${ph} loads only zeros past 0x${hex(fileEnd)} (p_filesz 0x${hex(p.filesz)})`);
    const expected = p.offset + (sh.addr - p.vaddr);
    if (sh.offset !== expected) fail(`${what}: sh_offset 0x${hex(sh.offset)} is not where ${ph} loads it from (file offset 0x${hex(expected)})`);
  }
  if ((sh.flags & F.SHF_EXECINSTR) && !(p.flags & F.PF_X)) fail(`${what} is SHF_EXECINSTR but ${ph} is not executable (p_flags 0x${hex(p.flags)}, no PF_X)`);
  return p;
}

/** Allocated sections get copies of their bytes: no two may share file bytes, so the copies never outgrow the file. */
function checkNoSharedBytes(shdrs: readonly SectionHeader[], fail: Fail): void {
  const placed = shdrs.filter((sh) => sh.flags & F.SHF_ALLOC && sh.type === F.SHT_PROGBITS && sh.size > 0)
    .sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < placed.length; i++) {
    const prev = placed[i - 1]!, cur = placed[i]!;
    if (cur.offset < prev.offset + prev.size) {
      fail(`section ${cur.index} (${cur.name}): sh_offset 0x${hex(cur.offset)} lies in the file bytes of section ${prev.index} (${prev.name}) [0x${hex(prev.offset)}, 0x${hex(prev.offset + prev.size)})`);
    }
  }
}

function checkRange(offset: number, size: number, fileSize: number, what: string, fail: Fail): void {
  if (offset + size > fileSize) {
    fail(`${what} (offset 0x${hex(offset)}, ${size} bytes) lies outside the file (${fileSize} bytes)`);
  }
}

function contents(sh: SectionHeader, bytes: Uint8Array): Uint8Array {
  return bytes.subarray(sh.offset, sh.offset + sh.size);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function cString(table: Uint8Array, offset: number, what: string, fail: Fail): string {
  const end = offset < table.length ? table.indexOf(0, offset) : -1;
  if (end < 0) fail(`${what}: string offset ${offset} is outside its string table or not terminated`);
  try {
    return decoder.decode(table.subarray(offset, end));
  } catch {
    return fail(`${what} is not valid UTF-8`);
  }
}

/** The image's name for an allocated section: its own if it is one of ours, else by its flags. */
function sectionName(name: string, type: number, flags: number): SectionName {
  if (name === '.text' || name === '.data' || name === '.bss') return name;
  if (type === F.SHT_NOBITS) return '.bss';
  return flags & F.SHF_EXECINSTR ? '.text' : '.data';
}

/** `segment`: the one that loads it (undefined for an empty section). */
function imageSection(sh: SectionHeader, segment: ProgramHeader | undefined, bytes: Uint8Array, fail: Fail): ImageSection {
  const name = sectionName(sh.name, sh.type, sh.flags);
  const nobits = sh.type === F.SHT_NOBITS;
  if (name === '.bss' && !nobits) fail(`section ${sh.index} (.bss) has file contents (expected SHT_NOBITS)`);
  if (name !== '.bss' && nobits) fail(`section ${sh.index} (${name}) is SHT_NOBITS`);
  // ELF sections have no read permission; it lives on the segment that loads the section.
  return {
    name,
    addr: sh.addr,
    data: nobits ? new Uint8Array(0) : bytes.slice(sh.offset, sh.offset + sh.size),
    size: sh.size,
    flags: {
      read: segment ? (segment.flags & F.PF_R) !== 0 : true,
      write: (sh.flags & F.SHF_WRITE) !== 0,
      exec: (sh.flags & F.SHF_EXECINSTR) !== 0,
    },
  };
}

function readSymbols(
  symtab: SectionHeader, shdrs: readonly SectionHeader[], imageIndex: ReadonlyMap<number, ImageSection>,
  bytes: Uint8Array, fail: Fail,
): ImageSymbol[] {
  if (symtab.entsize !== F.SYM_SIZE) fail(`symbol table entry size ${symtab.entsize}, expected ${F.SYM_SIZE}`);
  if (symtab.size % F.SYM_SIZE !== 0) fail(`symbol table size ${symtab.size} is not a multiple of ${F.SYM_SIZE}`);
  const strtab = shdrs[symtab.link];
  if (!strtab || strtab.type !== F.SHT_STRTAB) fail(`symbol table's sh_link ${symtab.link} is not a string table`);
  const names = contents(strtab!, bytes);
  const data = contents(symtab, bytes);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: ImageSymbol[] = [];
  for (let i = 1; i < data.length / F.SYM_SIZE; i++) {
    const at = i * F.SYM_SIZE;
    const info = view.getUint8(at + 12);
    const bind = info >> 4;
    const type = info & 0xf;
    const shndx = view.getUint16(at + 14, true);
    if (type !== F.STT_NOTYPE && type !== F.STT_OBJECT && type !== F.STT_FUNC) continue; // section/file symbols carry no label
    if (shndx === F.SHN_UNDEF) fail(`symbol ${i} is undefined (an executable has no undefined symbols)`);
    if (bind !== F.STB_LOCAL && bind !== F.STB_GLOBAL) fail(`symbol ${i} has unsupported binding ${bind}`);
    const name = cString(names, view.getUint32(at, true), `name of symbol ${i}`, fail);
    const value = view.getUint32(at + 4, true);
    const global = bind === F.STB_GLOBAL;
    if (shndx === F.SHN_ABS) {
      out.push({ name, value, global, kind: type === F.STT_FUNC ? 'func' : type === F.STT_OBJECT ? 'object' : 'abs' });
      continue;
    }
    if (shndx >= F.SHN_LORESERVE) fail(`symbol '${name}' has unsupported section index 0x${shndx.toString(16)}`);
    const section = imageIndex.get(shndx);
    if (!section) fail(`symbol '${name}' refers to section ${shndx}, which is not a loaded section`);
    out.push({ name, value, section: section!.name, global, kind: type === F.STT_FUNC ? 'func' : type === F.STT_OBJECT ? 'object' : 'abs' });
  }
  return out;
}

/** Without section headers, rebuild sections from the PT_LOAD segments: a segment's tail past p_filesz is .bss. */
function sectionsFromSegments(bytes: Uint8Array, phdrs: readonly ProgramHeader[], fail: Fail): ImageSection[] {
  if (phdrs.length === 0) fail('no sections and no loadable segments: nothing to load');
  const out: ImageSection[] = [];
  for (const p of [...phdrs].sort((x, y) => x.vaddr - y.vaddr)) {
    const read = (p.flags & F.PF_R) !== 0;
    const write = (p.flags & F.PF_W) !== 0;
    const exec = (p.flags & F.PF_X) !== 0;
    if (p.filesz > 0) {
      out.push({ name: exec ? '.text' : '.data', addr: p.vaddr, data: bytes.subarray(p.offset, p.offset + p.filesz), size: p.filesz, flags: { read, write, exec } });
    }
    if (p.memsz > p.filesz) {
      out.push({ name: '.bss', addr: p.vaddr + p.filesz, data: new Uint8Array(0), size: p.memsz - p.filesz, flags: { read, write, exec } });
    }
  }
  return out;
}
