// Location counters and the final placement of .text, .data and .bss.
// Pass 1 tracks offsets within each section. .text starts at TEXT_BASE, so its
// addresses are known at once; .data and .bss follow on the next page boundary
// after the previous section, which is known only when pass 1 has sized
// everything, unless `.org` placed them explicitly.

import { PAGE_SIZE } from '../isa/index.js';
import type { SectionName } from '../elf/image.js';
import type { SourceLine } from './source.js';

export const TEXT_BASE = 0x1000;
export const SECTION_NAMES: readonly SectionName[] = ['.text', '.data', '.bss'];

export interface SectionState {
  name: SectionName;
  /** Absolute start address; undefined while it depends on the size of the previous section. */
  base: number | undefined;
  /** Set by a `.org` before any content: the section was placed explicitly. */
  placed: boolean;
  loc: number; // current offset from base
  size: number; // highest offset reached
  placedAt?: { line: SourceLine; pos: number }; // the `.org` that placed it, for overlap errors
}

export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

export class Sections {
  readonly byName: Record<SectionName, SectionState>;
  current: SectionState;

  constructor() {
    const make = (name: SectionName, base: number | undefined): SectionState => ({ name, base, placed: false, loc: 0, size: 0 });
    this.byName = { '.text': make('.text', TEXT_BASE), '.data': make('.data', undefined), '.bss': make('.bss', undefined) };
    this.current = this.byName['.text'];
  }

  switchTo(name: SectionName): void {
    this.current = this.byName[name];
  }

  /** Absolute address of an offset in a section, if the section's base is known. */
  address(name: SectionName, offset: number): number | undefined {
    const base = this.byName[name].base;
    return base === undefined ? undefined : (base + offset) >>> 0;
  }

  /** Advance the current location by `n` bytes of content. */
  advance(n: number): void {
    const s = this.current;
    s.loc += n;
    if (s.loc > s.size) s.size = s.loc;
  }

  /**
   * Fix the bases of .data and .bss that were not placed with `.org`: each
   * starts on the page boundary after the end of the section before it. An
   * empty section still counts as one byte, so every section has its own page
   * and no two sections share a start address.
   */
  layout(): void {
    let prev = this.byName['.text'];
    for (const name of ['.data', '.bss'] as const) {
      const s = this.byName[name];
      if (s.base === undefined) s.base = alignUp(prev.base! + Math.max(prev.size, 1), PAGE_SIZE);
      prev = s;
    }
  }
}
