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

export interface Image {
  entry: number;
  sections: ImageSection[];
  symbols: ImageSymbol[];
  lines: LineEntry[];
}
