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

/** Throws LoadError (one line) if the image does not fit the machine; otherwise loads it and resets the CPU. */
export function loadImage(machine: Machine, image: Image): void {
  const ram = machine.mem.size;
  const sections = image.sections.filter((s) => s.size > 0);
  for (const s of sections) {
    if (!Number.isInteger(s.addr) || s.addr < 0 || s.addr + s.size > ram) {
      throw new LoadError(`section ${extent(s)} lies outside memory (RAM is [0x0, ${hex(ram)}))`);
    }
    if (s.data.length > s.size) throw new LoadError(`section ${s.name} has ${s.data.length} bytes of data but size ${s.size}`);
  }
  const sorted = [...sections].sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!, cur = sorted[i]!;
    if (cur.addr < prev.addr + prev.size) throw new LoadError(`sections ${extent(prev)} and ${extent(cur)} overlap`);
  }
  if (!Number.isInteger(image.entry) || image.entry < 0 || image.entry >= ram) {
    throw new LoadError(`entry point ${hex(image.entry)} lies outside memory (RAM is [0x0, ${hex(ram)}))`);
  }
  if (image.entry % 4 !== 0) throw new LoadError(`entry point ${hex(image.entry)} is not 4-aligned`);

  machine.mem.clear();
  for (const s of sections) machine.mem.load(s.addr, s.data);
  machine.reset(image.entry);
}
