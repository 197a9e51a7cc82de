// The assembler's driver: defines, preprocessing with pass 1, layout,
// forward .equ resolution, pass 2, image and listing.

import type { Image } from '../elf/image.js';
import { buildImage, checkPlacement } from './build-image.js';
import { Diagnostics, type Diagnostic } from './diagnostics.js';
import { resolveDeferred } from './deferred.js';
import { evaluate } from './expr.js';
import { buildListing, type ListingLine } from './listing.js';
import { parseLine } from './parse.js';
import { Pass1 } from './pass1.js';
import { runPass2 } from './pass2.js';
import { Preprocessor, type ReadSource } from './preprocess.js';
import { readSourceFile } from './source-files.js';
import { AsmState } from './state.js';

export interface AssembleOptions {
  /** Path of the main source, used in diagnostics and for relative .include. */
  file: string;
  /** From -D NAME[=VALUE]; a bare -D NAME means 1. String values are expressions. */
  defines?: Record<string, number | string>;
  /**
   * Reads an include (and, for assembleFile, the main source). Defaults to
   * readSourceFile (regular files only, size-bounded). Throwing means the file
   * cannot be read; an error with code ENOENT means it does not exist (the
   * include search tries the next directory). Bytes are checked to be UTF-8.
   */
  readFile?: ReadSource;
  /** Where `.include` looks after the including file's directory, in order (-I). */
  includeDirs?: readonly string[];
  /** Bound on the lines macro expansion may produce in all (--max-expansion). */
  maxExpansion?: number;
}

export interface AssembleResult {
  /** Undefined if and only if there was an error. */
  image?: Image;
  diagnostics: Diagnostic[];
  listing: ListingLine[];
}

const COMMAND_LINE = '<command line>';

function defineFromCommandLine(st: AsmState, name: string, value: number | string): void {
  const report = (message: string) =>
    st.diags.add({ file: COMMAND_LINE, line: 1, column: 1, message: `-D ${name}=${value}: ${message}`, severity: 'error' });
  if (!/^[A-Za-z_.$][0-9A-Za-z_.$]*$/.test(name)) return report('not a valid symbol name');
  let v: number | undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) return report('not a 32-bit integer');
    v = value | 0;
  } else {
    const parsed = value.trim() === '' ? undefined : parseLine(`_ ${value}`);
    const op = parsed?.ok ? parsed.line.statement?.operands : undefined;
    if (!op || op.length !== 1 || op[0]!.kind !== 'expr') return report('the value is not an expression');
    let problem: string | undefined;
    v = evaluate(op[0].expr, {
      symbol: (sym) => {
        const def = st.symbols.get(sym);
        if (def && def.kind !== 'label' && def.value !== undefined) return def.value;
        problem ??= `'${sym}' is not defined`;
        return undefined;
      },
      local: () => ((problem ??= 'local labels are not allowed here'), undefined),
      dot: () => ((problem ??= "'.' is not allowed here"), undefined),
      error: (_pos, message) => void (problem ??= message),
    });
    if (v === undefined) return report(problem ?? 'cannot evaluate');
  }
  const err = st.symbols.defineConst('define', name, v, { file: COMMAND_LINE, line: 0 });
  if (err) report(err);
}

function checkGlobals(st: AsmState): void {
  for (const g of st.globals) {
    if (!st.symbols.get(g.name)) st.diags.at(g.line, g.pos, `.global ${g.name}: symbol is never defined`);
  }
}

/** Assemble a source held in memory: its text, or its bytes (which must be UTF-8). */
export function assemble(source: string | Uint8Array, opts: AssembleOptions): AssembleResult {
  const diags = new Diagnostics();
  const st = new AsmState(diags);
  for (const [name, value] of Object.entries(opts.defines ?? {})) defineFromCommandLine(st, name, value);

  const pass1 = new Pass1(st);
  const pre = new Preprocessor(pass1, diags, opts.readFile ?? readSourceFile, {
    ...(opts.includeDirs ? { includeDirs: opts.includeDirs } : {}),
    ...(opts.maxExpansion !== undefined ? { maxExpansionLines: opts.maxExpansion } : {}),
  });
  pass1.macroNames = () => pre.macroNames();
  pre.run(opts.file, source);

  st.sections.layout();
  checkPlacement(st);
  resolveDeferred(st);
  checkGlobals(st);
  const out = runPass2(st);
  const listing = buildListing(st, pass1.listing);
  const image = diags.hasErrors ? undefined : buildImage(st, out);
  return image ? { image, diagnostics: diags.list(), listing } : { diagnostics: diags.list(), listing };
}

export function assembleFile(path: string, opts: Omit<AssembleOptions, 'file'> = {}): AssembleResult {
  const readFile = opts.readFile ?? readSourceFile;
  let source: string | Uint8Array;
  try {
    source = readFile(path);
  } catch (e) {
    const message = `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`;
    return { diagnostics: [{ file: path, line: 1, column: 1, message, severity: 'error' }], listing: [] };
  }
  return assemble(source, { ...opts, file: path, readFile });
}
