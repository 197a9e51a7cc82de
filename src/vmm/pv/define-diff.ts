// How much of a source changes between two builds of it: with a symbol defined
// (`-D PV`) and without. A line differs when one build assembles it and the
// other skips it (a conditional branch, a macro definition in one, a file only
// one includes); the `.ifdef`/`.else`/`.endif` lines that choose are read by
// both and so do not count. Counted are lines of code (not blank, not only a
// comment), over every file either build reads, each file once: the analogue
// of the figure Barham et al. give for Xen's Linux port (1.36% of its x86 code).
//
// This runs the assembler's own preprocessor and pass 1 (conditions need the
// symbols defined so far) with a sink that notes which lines each build reads.
// Conditionals inside macro bodies are decided at each expansion; the
// definition's lines count as read when the definition is.

import path from 'node:path';
import { Diagnostics } from '../../asm/diagnostics.js';
import type { Expr } from '../../asm/ast.js';
import { tokenize } from '../../asm/lexer.js';
import { Pass1 } from '../../asm/pass1.js';
import { Preprocessor, type LineAction, type PreprocessSink, type ReadSource } from '../../asm/preprocess.js';
import type { SourceLine } from '../../asm/source.js';
import { AsmState } from '../../asm/state.js';

export interface FileDiff {
  file: string;
  /** Lines of code in the file. */
  total: number;
  /** Of them, assembled only with the symbol defined, and only without it. */
  onlyWith: number;
  onlyWithout: number;
}

export interface DefineDiff {
  name: string;
  total: number;
  onlyWith: number;
  onlyWithout: number;
  files: FileDiff[];
}

export interface DefineDiffOptions {
  /** The main source's path (relative includes are relative to it). */
  file: string;
  source: string;
  /** The symbol whose presence the two builds differ in, and its value in the build that has it (default 1). */
  name: string;
  value?: number | string;
  /** Defines both builds share. */
  defines?: Record<string, number | string>;
  readFile: ReadSource;
  /** Where .include looks after the including file's directory (-I). */
  includeDirs?: readonly string[];
}

const PRELUDE = '<command line>';
const CONDITIONALS = new Set(['.if', '.ifdef', '.ifndef', '.elif', '.else', '.endif']);

function directiveOf(text: string): string | undefined {
  const toks = tokenize(text).filter((t) => t.type !== 'ws' && t.type !== 'comment');
  let i = 0;
  while ((toks[i]?.type === 'ident' || toks[i]?.type === 'number') && toks[i + 1]?.text === ':') i += 2;
  return toks[i]?.type === 'ident' ? toks[i]!.text.toLowerCase() : undefined;
}

function isCode(text: string): boolean {
  return tokenize(text).some((t) => t.type !== 'ws' && t.type !== 'comment');
}

/** Notes the file lines (not macro expansions) one build reads, passing every line on to pass 1. */
class ReadLines implements PreprocessSink {
  /** Normalized file -> 1-based line numbers read. */
  readonly read = new Map<string, Set<number>>();
  readonly texts = new Map<string, string[]>();
  private evaluated = false;
  private collecting = 0;
  private conds: boolean[] = [];

  constructor(private readonly pass1: Pass1) {}

  line(line: SourceLine, action: LineAction): void {
    this.pass1.line(line, action);
    const evaluated = this.evaluated;
    this.evaluated = false;
    if (line.macro || line.file === PRELUDE) return;
    const name = directiveOf(line.text);
    let live: boolean;
    if (this.collecting > 0) {
      // A macro definition's body: read as the definition was (its conditionals wait for an expansion).
      if (name === '.macro') this.collecting++;
      if (name === '.endm') this.collecting--;
      live = true;
    } else if (name === '.if' || name === '.ifdef' || name === '.ifndef') {
      live = evaluated; // the preprocessor evaluates a condition only where lines are being read
      this.conds.push(live);
    } else if (name !== undefined && CONDITIONALS.has(name)) {
      live = this.conds[this.conds.length - 1] ?? true;
      if (name === '.endif') this.conds.pop();
    } else {
      live = action.kind !== 'passive';
      if (live && name === '.macro') this.collecting = 1;
    }
    const file = path.normalize(line.file);
    if (!this.texts.has(file)) this.texts.set(file, []);
    this.texts.get(file)![line.line - 1] = line.raw;
    if (!live) return;
    let set = this.read.get(file);
    if (!set) this.read.set(file, (set = new Set()));
    set.add(line.line);
  }

  condition(line: SourceLine, expr: Expr): number | undefined {
    this.evaluated = true;
    return this.pass1.condition(line, expr);
  }

  isDefined(name: string): boolean {
    this.evaluated = true;
    return this.pass1.isDefined(name);
  }
}

function readBy(opts: DefineDiffOptions, defines: Record<string, number | string>): ReadLines {
  const diags = new Diagnostics();
  const pass1 = new Pass1(new AsmState(diags));
  const sink = new ReadLines(pass1);
  const pre = new Preprocessor(sink, diags, opts.readFile, opts.includeDirs ? { includeDirs: opts.includeDirs } : {});
  pass1.macroNames = () => pre.macroNames();
  // The defines as .equ lines of a file of their own, which is not counted.
  pre.run(PRELUDE, Object.entries(defines).map(([k, v]) => `.equ ${k}, ${v}`).join('\n'));
  pre.run(opts.file, opts.source);
  return sink;
}

export function defineDiff(opts: DefineDiffOptions): DefineDiff {
  const shared = { ...opts.defines };
  delete shared[opts.name];
  const withIt = readBy(opts, { ...shared, [opts.name]: opts.value ?? 1 });
  const without = readBy(opts, shared);
  const names = [...new Set([...withIt.texts.keys(), ...without.texts.keys()])];
  const files: FileDiff[] = names.map((file) => {
    // The code lines at least one of the two builds assembles: lines both skip (other
    // options' blocks, such as tinyos's WORKLOAD variants) belong to neither kernel.
    const text = withIt.texts.get(file) ?? without.texts.get(file)!;
    const a = withIt.read.get(file) ?? new Set<number>(), b = without.read.get(file) ?? new Set<number>();
    const d: FileDiff = { file, total: 0, onlyWith: 0, onlyWithout: 0 };
    text.forEach((raw, i) => {
      if (raw === undefined || !isCode(raw) || (!a.has(i + 1) && !b.has(i + 1))) return;
      d.total++;
      if (a.has(i + 1) && !b.has(i + 1)) d.onlyWith++;
      if (b.has(i + 1) && !a.has(i + 1)) d.onlyWithout++;
    });
    return d;
  });
  const sum = (k: 'total' | 'onlyWith' | 'onlyWithout') => files.reduce((s, f) => s + f[k], 0);
  return { name: opts.name, total: sum('total'), onlyWith: sum('onlyWith'), onlyWithout: sum('onlyWithout'), files };
}

/** "PV: 78 of 1012 lines differ (7.71%): 70 only with PV, 8 only without it", then one line per file that differs. */
export function formatDefineDiff(d: DefineDiff): string {
  const n = d.onlyWith + d.onlyWithout;
  const pct = (a: number, b: number) => (b === 0 ? 0 : (100 * a) / b).toFixed(2);
  const head = `${d.name}: ${n} of ${d.total} lines differ (${pct(n, d.total)}%): ${d.onlyWith} only with ${d.name}, ${d.onlyWithout} only without it\n`;
  return head + d.files.map((f) =>
    `  ${f.file}: ${f.onlyWith + f.onlyWithout} of ${f.total} (${f.onlyWith} with, ${f.onlyWithout} without)\n`).join('');
}
