// ELF32 container for virtlab images: the in-memory Image, its writer and reader.
export * from './image.js';
export { ElfError } from './error.js';
export { writeElf } from './writer.js';
export { readElf } from './reader.js';
export { canonicalImage, canonicalSymbols } from './canonical.js';
export { segmentsOf } from './segments.js';
export { LINES_SECTION } from './format.js';
