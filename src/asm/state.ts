// What the passes share: statements recorded by pass 1, symbols, sections,
// diagnostics, and the evaluation contexts for each phase.

import type { SectionName } from '../elf/image.js';
import type { Expr, Operand } from './ast.js';
import type { Diagnostics } from './diagnostics.js';
import { evaluate, type EvalContext } from './expr.js';
import type { PlannedInsn } from './pseudo.js';
import { Sections } from './sections.js';
import { shown } from './shown.js';
import type { SourceLine } from './source.js';
import { suggest } from './suggest.js';
import { LocalLabels, SymbolTable, type DeferredEqu } from './symbols.js';

/** What a statement emits; sizes are fixed in pass 1. */
export type Item =
  | { kind: 'none' }
  | { kind: 'insns'; insns: PlannedInsn[] }
  | { kind: 'data'; width: 1 | 2 | 4; operands: Extract<Operand, { kind: 'expr' }>[] }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'fill'; count: number; fill?: Expr; fillPos?: number } // .space, and the gap a forward .org leaves
  | { kind: 'align'; count: number; nop: boolean }
  | { kind: 'set'; name: string; expr: Expr };

export interface Stmt {
  line: SourceLine;
  index: number; // position in `stmts`: orders local labels
  section: SectionName;
  offset: number; // location at the start of the statement
  size: number;
  item: Item;
  hasLabels: boolean;
  bytes?: Uint8Array; // filled by pass 2
  unit: 1 | 2 | 4; // how the listing groups the bytes
}

/**
 * How an evaluation treats what is not known:
 * - `guess`: pass 1 sizing (li): silently unknown;
 * - `now`: pass 1 needs the value at once (.if, .org, .space, .align): unknown is an error;
 * - `final`: pass 2, everything is laid out: undefined is an error.
 */
export type EvalMode = 'guess' | 'now' | 'final';

/**
 * How many "did you mean" lookups one assembly makes (docs/assembler.md,
 * "Limits"). Each compares the name with every candidate, so without a bound
 * a source with many misspellings and many names would cost their product.
 */
export const MAX_SUGGESTIONS = 100;

export class AsmState {
  readonly symbols = new SymbolTable();
  readonly locals = new LocalLabels();
  readonly sections = new Sections();
  readonly stmts: Stmt[] = [];
  readonly deferred: (DeferredEqu & { stmt: Stmt })[] = [];
  readonly globals: { name: string; line: SourceLine; pos: number }[] = [];

  private suggestions = 0;
  private readonly symbolSuggestions = new Map<string, string>();

  constructor(readonly diags: Diagnostics) {}

  /** " (did you mean X?)" or "", within the budget of MAX_SUGGESTIONS lookups. */
  didYouMean(word: string, candidates: () => Iterable<string>, caseInsensitive = true): string {
    if (this.suggestions >= MAX_SUGGESTIONS) return '';
    this.suggestions++;
    const s = suggest(word, candidates(), caseInsensitive);
    return s === undefined ? '' : ` (did you mean ${shown(s)}?)`;
  }

  /** The suggestion for an undefined symbol once all are defined: the same for every use of the name. */
  private symbolSuggestion(name: string): string {
    let s = this.symbolSuggestions.get(name);
    if (s === undefined) {
      s = this.didYouMean(name, () => this.symbols.names(), false);
      this.symbolSuggestions.set(name, s);
    }
    return s;
  }

  /** Evaluation context for an expression of statement `stmt`, with `.` at `dot` (an offset in its section). */
  context(mode: EvalMode, stmt: Stmt, dot = stmt.offset): EvalContext {
    const { symbols, locals, sections } = this;
    const line = stmt.line;
    const error = mode === 'guess' ? () => {} : (pos: number, message: string) => this.diags.at(line, pos, message);
    const pendingNote = (what: string, section: SectionName) =>
      `${what} is in ${section}, whose address is only known at the end of pass 1; it cannot be used here`;
    return {
      error,
      dot: (pos) => {
        const v = sections.address(stmt.section, dot);
        if (v === undefined && mode === 'now') error(pos, pendingNote("'.'", stmt.section));
        return v === undefined ? undefined : v | 0;
      },
      local: (label, dir, pos) => {
        const def = locals.find(label, dir, stmt.index);
        if (!def) {
          if (mode === 'final' || (mode === 'now' && dir === 'b')) error(pos, `undefined local label ${label}${dir}`);
          else if (mode === 'now') error(pos, `local label ${label}f is a forward reference; its value is needed here`);
          return undefined;
        }
        const v = sections.address(def.section, def.offset);
        if (v === undefined && mode === 'now') error(pos, pendingNote(`local label ${label}${dir}`, def.section));
        return v === undefined ? undefined : v | 0;
      },
      symbol: (name, pos) => {
        const def = symbols.get(name);
        if (!def) {
          if (mode === 'final') error(pos, `undefined symbol '${shown(name)}'${this.symbolSuggestion(name)}`);
          else if (mode === 'now') error(pos, `symbol '${shown(name)}' is not defined before this point; its value is needed here`);
          return undefined;
        }
        if (def.kind === 'label') {
          const v = sections.address(def.section, def.offset);
          if (v === undefined && mode === 'now') error(pos, pendingNote(`'${shown(name)}'`, def.section));
          return v === undefined ? undefined : v | 0;
        }
        if (def.value === undefined && !def.failed && mode !== 'guess') {
          error(pos, `symbol '${shown(name)}' has no value yet${mode === 'now' ? '; its value is needed here' : ''}`);
        }
        return def.value;
      },
    };
  }

  evaluate(e: Expr, mode: EvalMode, stmt: Stmt, dot?: number): number | undefined {
    return evaluate(e, this.context(mode, stmt, dot));
  }

  report(stmt: Stmt, pos: number, message: string): void {
    this.diags.at(stmt.line, pos, message);
  }
}
