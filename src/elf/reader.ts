// ELF32 little-endian executable -> Image, validating every offset and size
// against the file so that a damaged or foreign file gives one ElfError line
// and never a host exception.

import { EM_VIRTLAB } from '../isa/arch.js';
import { ElfError } from './error.js';
import * as F from './format.js';
import type { Image, ImageSection, ImageSymbol, LineEntry, SectionName } from './image.js';
import { decodeLines } from './lines.js';

interface SectionHeader extends F.SectionHeaderFields {
  index: number;
}

interface ProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
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

  const phdrs = readProgramHeaders();
  const shdrs = readSectionHeaders();
  if (shdrs.length === 0) return { entry, sections: sectionsFromSegments(bytes, phdrs, fail), symbols: [], lines: [] };

  const sections: ImageSection[] = [];
  const imageIndex = new Map<number, ImageSection>();
  for (const sh of shdrs) {
    if (!(sh.flags & F.SHF_ALLOC) || (sh.type !== F.SHT_PROGBITS && sh.type !== F.SHT_NOBITS)) continue;
    const section = imageSection(sh, phdrs, bytes, fail);
    imageIndex.set(sh.index, section);
    sections.push(section);
  }
  const symtab = shdrs.find((s) => s.type === F.SHT_SYMTAB);
  const symbols = symtab ? readSymbols(symtab, shdrs, imageIndex, bytes, fail) : [];
  const linesSection = shdrs.find((s) => s.name === F.LINES_SECTION);
  const lines: LineEntry[] = linesSection
    ? decodeLines(contents(linesSection, bytes), (p) => fail(`section ${F.LINES_SECTION}: ${p}`))
    : [];
  return { entry, sections, symbols, lines };

  function readProgramHeaders(): ProgramHeader[] {
    if (phnum === 0) return [];
    if (phentsize !== F.PHDR_SIZE) fail(`e_phentsize ${phentsize}, expected ${F.PHDR_SIZE}`);
    checkRange(phoff, phnum * F.PHDR_SIZE, bytes.length, 'program header table', fail);
    const out: ProgramHeader[] = [];
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * F.PHDR_SIZE;
      const ph = { type: u32(at), offset: u32(at + 4), vaddr: u32(at + 8), filesz: u32(at + 16), memsz: u32(at + 20), flags: u32(at + 24) };
      if (ph.type !== F.PT_LOAD) continue;
      checkRange(ph.offset, ph.filesz, bytes.length, `segment ${i}`, fail);
      if (ph.filesz > ph.memsz) fail(`segment ${i}: p_filesz ${ph.filesz} exceeds p_memsz ${ph.memsz}`);
      if (ph.vaddr + ph.memsz > 2 ** 32) fail(`segment ${i} at 0x${hex(ph.vaddr)} extends past the 32-bit address space`);
      out.push(ph);
    }
    return out;
  }

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

function imageSection(sh: SectionHeader, phdrs: readonly ProgramHeader[], bytes: Uint8Array, fail: Fail): ImageSection {
  if (sh.addr + sh.size > 2 ** 32) fail(`section ${sh.index} (${sh.name}) at 0x${hex(sh.addr)} extends past the 32-bit address space`);
  const name = sectionName(sh.name, sh.type, sh.flags);
  const nobits = sh.type === F.SHT_NOBITS;
  if (name === '.bss' && !nobits) fail(`section ${sh.index} (.bss) has file contents (expected SHT_NOBITS)`);
  if (name !== '.bss' && nobits) fail(`section ${sh.index} (${name}) is SHT_NOBITS`);
  // ELF sections have no read permission; it lives on the segment that loads the section.
  const segment = phdrs.find((p) => sh.size > 0 && sh.addr >= p.vaddr && sh.addr + sh.size <= p.vaddr + p.memsz);
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
      out.push({ name: exec ? '.text' : '.data', addr: p.vaddr, data: bytes.slice(p.offset, p.offset + p.filesz), size: p.filesz, flags: { read, write, exec } });
    }
    if (p.memsz > p.filesz) {
      out.push({ name: '.bss', addr: p.vaddr + p.filesz, data: new Uint8Array(0), size: p.memsz - p.filesz, flags: { read, write, exec } });
    }
  }
  return out;
}

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
