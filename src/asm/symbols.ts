// The symbol table: labels (a section and an offset in it, since .data and
// .bss only get their addresses after pass 1), .equ/.set constants and -D
// defines, plus numeric local labels.

import type { SectionName } from '../elf/image.js';
import type { Expr } from './ast.js';
import { shown } from './shown.js';

/** Where a symbol was defined, for "first defined at" notes. */
export interface DefSite {
  file: string;
  line: number;
}

export type SymbolDef =
  | { kind: 'label'; name: string; section: SectionName; offset: number; site: DefSite }
  | {
      kind: 'equ' | 'set' | 'define';
      name: string;
      value: number | undefined; // undefined until a forward reference is resolved
      site: DefSite;
      failed?: boolean; // its expression could not be evaluated: already reported
    };

export function describeSite(site: DefSite): string {
  return site.line > 0 ? `${site.file}:${site.line}` : site.file;
}

export class SymbolTable {
  private readonly defs = new Map<string, SymbolDef>();

  get(name: string): SymbolDef | undefined {
    return this.defs.get(name);
  }

  names(): IterableIterator<string> {
    return this.defs.keys();
  }

  all(): IterableIterator<SymbolDef> {
    return this.defs.values();
  }

  /** Define a label; returns an error message if the name is taken. */
  defineLabel(name: string, section: SectionName, offset: number, site: DefSite): string | undefined {
    const old = this.defs.get(name);
    if (old) return duplicate(name, old);
    this.defs.set(name, { kind: 'label', name, section, offset, site });
    return undefined;
  }

  /** Define or (for .set) redefine a constant; returns an error message if not allowed. */
  defineConst(kind: 'equ' | 'set' | 'define', name: string, value: number | undefined, site: DefSite): string | undefined {
    const old = this.defs.get(name);
    if (old && !(kind === 'set' && old.kind === 'set')) return duplicate(name, old);
    this.defs.set(name, { kind, name, value, site });
    return undefined;
  }
}

function duplicate(name: string, old: SymbolDef): string {
  const where = old.kind === 'define' ? 'on the command line' : `at ${describeSite(old.site)}`;
  return `duplicate symbol '${shown(name)}' (first defined ${where})`;
}

/** Numeric local labels `N:`, found by `Nb` (nearest at or before) and `Nf` (nearest after). */
export class LocalLabels {
  private readonly defs = new Map<number, { seq: number; section: SectionName; offset: number }[]>();

  define(label: number, seq: number, section: SectionName, offset: number): void {
    let list = this.defs.get(label);
    if (!list) this.defs.set(label, (list = []));
    list.push({ seq, section, offset });
  }

  /**
   * The definition `Nb`/`Nf` refers to from statement `seq`. Definitions
   * arrive in seq order, so a binary search finds it (a scan would make a
   * source with thousands of `1:` quadratic).
   */
  find(label: number, dir: 'b' | 'f', seq: number): { section: SectionName; offset: number } | undefined {
    const list = this.defs.get(label) ?? [];
    // The first definition after `seq`.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return dir === 'b' ? list[lo - 1] : list[lo];
  }
}

/** A .equ whose value was not known in pass 1; resolved once the layout is fixed. */
export interface DeferredEqu {
  name: string;
  expr: Expr;
  seq: number; // the statement, for `.` and local labels
}
