// The in-memory form of a program: what the assembler produces, what an ELF
// file stores, and what the loader and debugger consume.

export type SectionName = '.text' | '.data' | '.bss';

export interface ImageSection {
  name: SectionName;
  /** Load address (virtual = physical for the images the assembler writes). */
  addr: number;
  /** Contents; for .bss, zero-length, with `size` giving the extent. */
  data: Uint8Array;
  size: number;
  flags: { read: boolean; write: boolean; exec: boolean };
}

export interface ImageSymbol {
  name: string;
  value: number;
  /** Section the symbol is defined in, or undefined for an absolute (.equ) value. */
  section?: SectionName;
  global: boolean;
  /** 'func' for labels in .text, 'object' for labels in .data/.bss, 'abs' for .equ/.set constants. */
  kind: 'func' | 'object' | 'abs';
}

/** Maps an address to the source line that produced it (for `where` and traces). */
export interface LineEntry {
  addr: number;
  file: string;
  line: number;
}

/** A piece of memory the loader fills: an ELF PT_LOAD program header. */
export interface ImageSegment {
  /** Index of the program header it was read from; undefined for a segment made from an assembled section. */
  header?: number;
  /** The section it was made from, when the image has no program headers (an assembled image). */
  section?: SectionName;
  /** Load address (p_vaddr): virtlab loads at physical = virtual address; p_paddr is ignored. */
  addr: number;
  /** The bytes from the file (p_filesz of them); memory past them up to `size` is zero. */
  data: Uint8Array;
  /** Bytes of memory it occupies (p_memsz). */
  size: number;
  flags: { read: boolean; write: boolean; exec: boolean };
}

export interface Image {
  entry: number;
  /** What the disassembler, symbolizer and debugger see; the loader loads `segments` when there are any. */
  sections: ImageSection[];
  symbols: ImageSymbol[];
  lines: LineEntry[];
  /**
   * What the loader copies into memory. readElf sets it from the PT_LOAD program
   * headers, as every ELF loader does; an assembled image has none, and loads one
   * segment per non-empty section (the segments writeElf would write for it).
   */
  segments?: ImageSegment[];
}
