// Names for addresses, from an image's symbols and line table: `symbol+0xoff`
// for the nearest label at or below an address inside the same section, and
// `file:line` for the source line that produced an instruction.

import type { Image, ImageSection, LineEntry } from '../elf/image.js';

interface Label {
  name: string;
  value: number;
}

export class Symbolizer {
  /** Labels (not .equ constants) sorted by address; among equal addresses the first defined wins. */
  private readonly labels: Label[];
  private readonly exact = new Map<number, string>();
  private readonly byName = new Map<string, number>();
  private readonly lines = new Map<number, LineEntry>();
  private readonly sections: readonly ImageSection[];

  constructor(image: Image) {
    this.sections = image.sections.filter((s) => s.size > 0);
    const labels: Label[] = [];
    for (const s of image.symbols) {
      this.byName.set(s.name, s.value >>> 0);
      if (s.kind === 'abs') continue;
      labels.push({ name: s.name, value: s.value >>> 0 });
      if (!this.exact.has(s.value >>> 0)) this.exact.set(s.value >>> 0, s.name);
    }
    this.labels = labels.map((l, i) => ({ l, i })).sort((a, b) => a.l.value - b.l.value || a.i - b.i).map((x) => x.l);
    for (const entry of image.lines) if (!this.lines.has(entry.addr >>> 0)) this.lines.set(entry.addr >>> 0, entry);
  }

  /** An empty symbolizer (an image without symbols, or none at all). */
  static none(): Symbolizer {
    return new Symbolizer({ entry: 0, sections: [], symbols: [], lines: [] });
  }

  /** The label defined exactly at `addr`. */
  symbolAt(addr: number): string | undefined {
    return this.exact.get(addr >>> 0);
  }

  /** `name` or `name+0xoff` for the nearest label at or below `addr` in the section holding `addr`. */
  describe(addr: number): string | undefined {
    addr >>>= 0;
    const section = this.sections.find((s) => addr >= s.addr && addr < s.addr + s.size);
    if (!section) return undefined;
    let lo = 0, hi = this.labels.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.labels[mid]!.value <= addr) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // Several labels at one address: name it by the first defined.
    while (found > 0 && this.labels[found - 1]!.value === this.labels[found]!.value) found--;
    const label = this.labels[found];
    if (!label || label.value < section.addr) return undefined;
    const off = addr - label.value;
    return off === 0 ? label.name : `${label.name}+0x${off.toString(16)}`;
  }

  /** The source line that produced the instruction at `addr`. */
  source(addr: number): { file: string; line: number } | undefined {
    const e = this.lines.get(addr >>> 0);
    return e && { file: e.file, line: e.line };
  }

  /** The value of symbol `name` (labels and constants). */
  lookup(name: string): number | undefined {
    return this.byName.get(name);
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }
}
