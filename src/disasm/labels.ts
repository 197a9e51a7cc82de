// Which labels the disassembly defines, and where: every section symbol goes to
// exactly one place (the first section of its name whose range, end included,
// holds it), so reassembly never sees a label twice.

import type { Image, ImageSection, ImageSymbol } from '../elf/image.js';

/** The assembler's identifier syntax (src/asm/lexer.ts): anything else cannot be written back as a label. */
const IDENT = /^[A-Za-z_.$][0-9A-Za-z_.$]*$/;

export function isAssemblerName(name: string): boolean {
  return IDENT.test(name) && name !== '.';
}

export interface LabelPlan {
  /** Labels to define inside each section (by index in image.sections), by address. */
  bySection: Map<number, Map<number, ImageSymbol[]>>;
  /** Constants to define with .equ: abs symbols, and section symbols no section holds. */
  equates: ImageSymbol[];
  /** Symbols whose names the assembler cannot read back; reported in a comment. */
  unnamed: ImageSymbol[];
  /** Name for a branch target address (the first label defined there). */
  nameAt: (addr: number) => string | undefined;
}

export function planLabels(image: Image): LabelPlan {
  const bySection = new Map<number, Map<number, ImageSymbol[]>>();
  const equates: ImageSymbol[] = [];
  const unnamed: ImageSymbol[] = [];
  const targets = new Map<number, string>();
  const seen = new Set<string>();
  for (const sym of image.symbols) {
    if (!isAssemblerName(sym.name) || seen.has(sym.name)) { unnamed.push(sym); continue; }
    seen.add(sym.name);
    const value = sym.value >>> 0;
    const index = sym.section === undefined ? -1 : image.sections.findIndex((s) => holds(s, sym.section!, value));
    if (index < 0) { equates.push(sym); continue; }
    let at = bySection.get(index);
    if (!at) bySection.set(index, (at = new Map()));
    at.set(value, [...(at.get(value) ?? []), sym]);
    if (!targets.has(value)) targets.set(value, sym.name);
  }
  return { bySection, equates, unnamed, nameAt: (addr) => targets.get(addr >>> 0) };
}

function holds(s: ImageSection, name: string, value: number): boolean {
  return s.name === name && value >= s.addr >>> 0 && value <= (s.addr >>> 0) + s.size;
}
