// Load an Image into a machine: reset it, clear RAM, copy each section to its
// address, start at the entry point. Images that cannot be loaded as a whole
// are refused with a LoadError before anything is written.

import type { Image, ImageSection } from '../elf/image.js';
import type { Machine } from './machine.js';

export class LoadError extends Error {
  override readonly name = 'LoadError';
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function extent(s: ImageSection): string {
  return `${s.name} [${hex(s.addr)}, ${hex(s.addr + s.size)})`;
}

/**
 * The image's non-empty sections, after checking that they fit in `[0, size)`
 * without overlapping and that the entry point is a word inside it. Throws a
 * one-line LoadError naming `space` ("memory", "guest memory") otherwise.
 */
export function checkImageFits(image: Image, size: number, space: string, rangeName: string): ImageSection[] {
  const sections = image.sections.filter((s) => s.size > 0);
  const outside = `lies outside ${space} (${rangeName} is [0x0, ${hex(size)}))`;
  for (const s of sections) {
    if (!Number.isInteger(s.addr) || s.addr < 0 || s.addr + s.size > size) throw new LoadError(`section ${extent(s)} ${outside}`);
    if (s.data.length > s.size) throw new LoadError(`section ${s.name} has ${s.data.length} bytes of data but size ${s.size}`);
  }
  const sorted = [...sections].sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!, cur = sorted[i]!;
    if (cur.addr < prev.addr + prev.size) throw new LoadError(`sections ${extent(prev)} and ${extent(cur)} overlap`);
  }
  if (!Number.isInteger(image.entry) || image.entry < 0 || image.entry >= size) {
    throw new LoadError(`entry point ${hex(image.entry)} ${outside}`);
  }
  if (image.entry % 4 !== 0) throw new LoadError(`entry point ${hex(image.entry)} is not 4-aligned`);
  return sections;
}

/** Throws LoadError (one line) if the image does not fit the machine; otherwise loads it and resets the CPU. */
export function loadImage(machine: Machine, image: Image): void {
  const sections = checkImageFits(image, machine.mem.size, 'memory', 'RAM');
  machine.mem.clear();
  for (const s of sections) machine.mem.load(s.addr, s.data);
  machine.reset(image.entry);
}
