// What the image knows about addresses: symbols both ways and the line table,
// plus the source text behind it when the files can be read.

import type { Image, ImageSymbol, LineEntry } from '../elf/image.js';

/** Reads a source file named in the line table; undefined when it cannot be read. */
export type SourceReader = (file: string) => string | undefined;

export interface SourceLocation {
  file: string;
  line: number;
}

interface Label {
  name: string;
  addr: number;
}

export class SymbolTable {
  private readonly byName = new Map<string, ImageSymbol>();
  /** Labels (not .equ constants), sorted by address; at one address the preferred name comes last. */
  private readonly labels: Label[];
  private readonly lines: LineEntry[];
  private readonly exactLine = new Map<number, LineEntry>();
  private readonly sections: { start: number; end: number }[];
  private readonly sourceCache = new Map<string, string[] | undefined>();

  constructor(image: Image, private readonly readSource: SourceReader = () => undefined) {
    for (const s of image.symbols) this.byName.set(s.name, s);
    const order = new Map(image.symbols.map((s, i) => [s, i]));
    this.labels = image.symbols
      .filter((s) => s.kind !== 'abs')
      .sort((a, b) => (a.value >>> 0) - (b.value >>> 0) || rank(a) - rank(b) || order.get(a)! - order.get(b)!)
      .map((s) => ({ name: s.name, addr: s.value >>> 0 }));
    this.lines = [...image.lines].sort((a, b) => (a.addr >>> 0) - (b.addr >>> 0));
    for (const l of this.lines) if (!this.exactLine.has(l.addr >>> 0)) this.exactLine.set(l.addr >>> 0, l);
    this.sections = image.sections.map((s) => ({ start: s.addr >>> 0, end: (s.addr >>> 0) + s.size }));
  }

  /** Value of a symbol (labels and constants), by exact name. */
  value(name: string): number | undefined {
    const s = this.byName.get(name);
    return s === undefined ? undefined : s.value >>> 0;
  }

  names(): Iterable<string> {
    return this.byName.keys();
  }

  /** The label exactly at `addr` (for branch targets in disassembly). */
  nameAt(addr: number): string | undefined {
    const i = this.labelIndex(addr >>> 0);
    return i >= 0 && this.labels[i]!.addr === addr >>> 0 ? this.labels[i]!.name : undefined;
  }

  /** "name" or "name+off" for the nearest label at or before `addr` in the same section. */
  describe(addr: number): string | undefined {
    addr >>>= 0;
    const i = this.labelIndex(addr);
    if (i < 0) return undefined;
    const label = this.labels[i]!;
    const section = this.sectionOf(addr);
    if (!section || label.addr < section.start) return undefined;
    const off = addr - label.addr;
    return off === 0 ? label.name : `${label.name}+${off}`;
  }

  /** The source line that produced `addr` (the nearest entry before it in the same section). */
  lineOf(addr: number): LineEntry | undefined {
    addr >>>= 0;
    const exact = this.exactLine.get(addr);
    if (exact) return exact;
    let lo = 0, hi = this.lines.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.lines[mid]!.addr >>> 0) <= addr) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const entry = this.lines[found]!;
    const section = this.sectionOf(addr);
    return section && (entry.addr >>> 0) >= section.start ? entry : undefined;
  }

  /**
   * The first address of `file:line`, or of the next line after it that has
   * code, as gdb does. `file` matches the recorded name, its tail or its base name.
   */
  addressOfLine(file: string, line: number): { addr: number; file: string; line: number } | undefined {
    const candidates = this.lines.filter((l) => sameFile(l.file, file) && l.line >= line);
    if (candidates.length === 0) return undefined;
    const best = Math.min(...candidates.map((l) => l.line));
    const at = candidates.filter((l) => l.line === best).sort((a, b) => (a.addr >>> 0) - (b.addr >>> 0))[0]!;
    return { addr: at.addr >>> 0, file: at.file, line: at.line };
  }

  /** Whether any line-table entry names a file matching `file`. */
  knowsFile(file: string): boolean {
    return this.lines.some((l) => sameFile(l.file, file));
  }

  /** The text of a source line, if the file can be read. */
  sourceLine(loc: SourceLocation): string | undefined {
    if (!this.sourceCache.has(loc.file)) {
      const text = this.readSource(loc.file);
      this.sourceCache.set(loc.file, text === undefined ? undefined : text.split(/\r?\n/));
    }
    return this.sourceCache.get(loc.file)?.[loc.line - 1];
  }

  private labelIndex(addr: number): number {
    let lo = 0, hi = this.labels.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.labels[mid]!.addr <= addr) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  private sectionOf(addr: number): { start: number; end: number } | undefined {
    return this.sections.find((s) => addr >= s.start && addr < s.end);
  }
}

/** Among labels at one address, names starting with '.' or '_' are the least specific (sorted first). */
function rank(s: ImageSymbol): number {
  return /^[._]/.test(s.name) ? 0 : 1;
}

function sameFile(recorded: string, given: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '');
  const r = norm(recorded), g = norm(given);
  return r === g || r.endsWith('/' + g) || g.endsWith('/' + r);
}
