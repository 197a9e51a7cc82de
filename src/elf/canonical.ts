// The form of an Image that an ELF file can hold exactly: what readElf returns
// for writeElf(image). ELF stores local symbols before global ones (gABI) and
// 32-bit unsigned values, and a file has the program headers writeElf derives
// from the sections, so those are the only normalisations.

import type { Image, ImageSymbol } from './image.js';
import { writtenSegments } from './segments.js';

/** Symbols in ELF order: locals first, then globals, each group in its original order. */
export function canonicalSymbols(symbols: readonly ImageSymbol[]): ImageSymbol[] {
  const norm = (s: ImageSymbol): ImageSymbol => ({ ...s, value: s.value >>> 0 });
  return [...symbols.filter((s) => !s.global).map(norm), ...symbols.filter((s) => s.global).map(norm)];
}

export function canonicalImage(image: Image): Image {
  return {
    entry: image.entry >>> 0,
    sections: image.sections.map((s) => ({ ...s, addr: s.addr >>> 0, flags: { ...s.flags } })),
    symbols: canonicalSymbols(image.symbols),
    lines: image.lines.map((l) => ({ ...l, addr: l.addr >>> 0 })),
    segments: writtenSegments(image.sections),
  };
}
