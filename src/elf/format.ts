// ELF32 numbers from the System V gABI that the writer and reader share.
// Only what virtlab images use; names follow <elf.h>.

export const EI_NIDENT = 16;
export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46] as const; // "\x7fELF"
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;
export const ELFOSABI_NONE = 0;

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const EHDR_SIZE = 52;
export const PHDR_SIZE = 32;
export const SHDR_SIZE = 40;
export const SYM_SIZE = 16;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
/** Names of the program header types a virtlab image may not have, so a refusal can say what it found. */
export const PT_NAMES: Record<number, string> = {
  2: 'PT_DYNAMIC',
  3: 'PT_INTERP',
  5: 'PT_SHLIB',
  6: 'PT_PHDR',
  7: 'PT_TLS',
  0x6474e550: 'PT_GNU_EH_FRAME',
  0x6474e551: 'PT_GNU_STACK',
  0x6474e552: 'PT_GNU_RELRO',
  0x6474e553: 'PT_GNU_PROPERTY',
};
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
/** Page size the PT_LOAD segments are aligned to: the ISA's page size. */
export const SEGMENT_ALIGN = 0x1000;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_XINDEX = 0xffff;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;

/** Name of the non-allocated section holding the address-to-source line table (see lines.ts). */
export const LINES_SECTION = '.virtlab.lines';

/** A few well-known e_machine values, so "not a virtlab image" can say what the file is. */
export const MACHINE_NAMES: Record<number, string> = {
  0x02: 'SPARC',
  0x03: 'x86',
  0x08: 'MIPS',
  0x14: 'PowerPC',
  0x15: 'PowerPC64',
  0x16: 'S/390',
  0x28: 'ARM',
  0x2a: 'SuperH',
  0x32: 'IA-64',
  0x3e: 'x86-64',
  0xb7: 'AArch64',
  0xf3: 'RISC-V',
  0xf7: 'BPF',
  0x102: 'LoongArch',
};

/** The fields of an Elf32_Shdr (sh_name as the name itself), as the reader parses and the writer lays out. */
export interface SectionHeaderFields {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}
