// The line-oriented front end: reads files, follows .include, records and
// expands macros, and evaluates conditional assembly. Every source line goes
// to the sink exactly once, in order (the listing shows them all); statements
// that must be assembled carry their parse tree. Everything it does is bounded
// (limits.ts): file sizes, include depth and count, macro depth, and the total
// text macro expansion may produce.

import path from 'node:path';
import type { Expr, Label, ParsedLine } from './ast.js';
import type { Diagnostics } from './diagnostics.js';
import { Conditionals } from './conditionals.js';
import { tokenize, type Token } from './lexer.js';
import {
  DEFAULT_MAX_EXPANSION_LINES, EXPANSION_BYTES_PER_LINE, MAX_INCLUDE_DEPTH, MAX_INCLUDES, MAX_MACRO_DEPTH,
  MAX_SOURCE_BYTES, MAX_TOTAL_SOURCE_BYTES, MAX_TOTAL_SOURCE_LINES,
} from './limits.js';
import { splitAtCommas, substitute, textOf, type MacroDef, type MacroParam } from './macros.js';
import { parseLine } from './parse.js';
import { describeSite } from './symbols.js';
import { decodeSource, type BadUtf8 } from './source-files.js';
import { abbreviate, splitLines, type MacroCall, type SourceLine } from './source.js';

export type LineAction =
  | { kind: 'statement'; parsed: ParsedLine } // assemble this
  | { kind: 'labels'; labels: Label[] } // define these labels only (a directive or macro call, or a line with an error)
  | { kind: 'passive' }; // listing only: skipped by a conditional, inside a macro definition, ...

export interface PreprocessSink {
  line(line: SourceLine, action: LineAction): void;
  /** Value of a .if/.elif condition now; undefined (after reporting) if it cannot be known. */
  condition(line: SourceLine, expr: Expr): number | undefined;
  isDefined(name: string): boolean;
}

export const PREPROCESSOR_DIRECTIVES = ['.include', '.macro', '.endm', '.if', '.ifdef', '.ifndef', '.elif', '.else', '.endif', '.error', '.warning'] as const;

/**
 * Reads a source file: its bytes (checked to be UTF-8) or its text. Throwing
 * means it cannot be read; an error with `missing` set, or code ENOENT, means
 * there is no such file, so an include search goes on to the next directory.
 */
export type ReadSource = (file: string) => string | Uint8Array;

export interface PreprocessOptions {
  /** Where `.include "name"` looks after the including file's directory, in order. */
  includeDirs?: readonly string[];
  /** Bound on the lines all macro expansions produce (default DEFAULT_MAX_EXPANSION_LINES). */
  maxExpansionLines?: number;
}

/** Newlines in a source, plus one (an upper bound on its lines). */
function countLines(source: string | Uint8Array): number {
  let n = 1;
  if (typeof source === 'string') {
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) n++;
  } else {
    for (let i = source.indexOf(0x0a); i >= 0; i = source.indexOf(0x0a, i + 1)) n++;
  }
  return n;
}

function isMissing(e: unknown): boolean {
  const err = e as { missing?: boolean; code?: string; message?: string };
  return err?.missing === true || err?.code === 'ENOENT' || err?.code === 'ENOTDIR' || /^ENOENT\b/.test(err?.message ?? '');
}

/** State of one file or one macro expansion: conditionals and macro definitions may not cross it. */
interface Frame {
  conds: Conditionals;
  collecting?: { def: MacroDef; pos: number; depth: number; valid: boolean };
}

interface LineHead {
  labels: Label[];
  name?: Token;
  rest: Token[]; // significant tokens after the name
}

function scanHead(text: string): LineHead {
  const toks = tokenize(text).filter((t) => t.type !== 'ws' && t.type !== 'comment');
  const labels: Label[] = [];
  let i = 0;
  while ((toks[i]?.type === 'ident' || toks[i]?.type === 'number') && toks[i + 1]?.text === ':') {
    labels.push({ name: toks[i]!.text, local: toks[i]!.type === 'number', pos: toks[i]!.offset });
    i += 2;
  }
  const name = toks[i]?.type === 'ident' ? toks[i] : undefined;
  return { labels, name, rest: name ? toks.slice(i + 1) : [] };
}

export class Preprocessor {
  private seq = 0;
  private expansions = 0;
  private readonly macros = new Map<string, MacroDef>();
  private readonly includeStack: { resolved: string; shown: string }[] = [];
  private includes = 0;
  private sourceBytes = 0;
  private sourceLines = 0;
  /** The macro calls being expanded, outermost first. */
  private readonly calls: { line: SourceLine; pos: number; name: string }[] = [];
  private expandedLines = 0;
  private expandedChars = 0;
  private readonly maxLines: number;
  private readonly maxChars: number;
  /** Set once the expansion bound is hit: no further expansion happens. */
  private exhausted = false;

  constructor(
    private readonly sink: PreprocessSink,
    private readonly diags: Diagnostics,
    private readonly readFile: ReadSource,
    private readonly opts: PreprocessOptions = {},
  ) {
    this.maxLines = opts.maxExpansionLines ?? DEFAULT_MAX_EXPANSION_LINES;
    this.maxChars = this.maxLines * EXPANSION_BYTES_PER_LINE;
  }

  macroNames(): IterableIterator<string> {
    return this.macros.keys();
  }

  /**
   * Preprocess a main source. Its size is checked here; an error about the
   * file as a whole (too large) is reported at line 1, column 1.
   */
  run(file: string, source: string | Uint8Array): void {
    const problem = this.admit(source);
    if (problem) return this.diags.add({ file, line: 1, column: 1, message: problem, severity: 'error' }, this.seq++);
    this.processFile(file, source);
  }

  /** Why a file's contents may not be read on (size limits), else undefined. Counts what it admits. */
  private admit(source: string | Uint8Array): string | undefined {
    const bytes = typeof source === 'string' ? Buffer.byteLength(source) : source.length;
    if (bytes > MAX_SOURCE_BYTES) return `${bytes} bytes, more than the ${MAX_SOURCE_BYTES} bytes a source file may hold`;
    if (this.sourceBytes + bytes > MAX_TOTAL_SOURCE_BYTES) {
      return `the sources read add up to more than ${MAX_TOTAL_SOURCE_BYTES} bytes (every inclusion counts)`;
    }
    const lines = countLines(source);
    if (this.sourceLines + lines > MAX_TOTAL_SOURCE_LINES) {
      return `the sources read add up to more than ${MAX_TOTAL_SOURCE_LINES} lines (every inclusion counts)`;
    }
    this.sourceBytes += bytes;
    this.sourceLines += lines;
    return undefined;
  }

  private processFile(file: string, source: string | Uint8Array): void {
    const { text, bad } = typeof source === 'string' ? { text: source, bad: [] as BadUtf8[] } : decodeSource(source);
    const badAt = new Map(bad.map((b) => [b.line, b]));
    this.includeStack.push({ resolved: path.resolve(file), shown: file });
    const raws = splitLines(text);
    const self = this;
    function* lines(): Generator<{ line: SourceLine; bad?: boolean }> {
      for (let i = 0; i < raws.length; i++) {
        const line: SourceLine = { file, line: i + 1, raw: raws[i]!, text: raws[i]!, seq: self.seq++ };
        const b = badAt.get(i + 1);
        // Bytes that are not UTF-8 are reported, never assembled as some other text.
        if (b) self.diags.at(line, b.pos, `invalid UTF-8 (byte 0x${b.byte.toString(16).padStart(2, '0')}): sources must be UTF-8`);
        yield { line, bad: b !== undefined };
      }
    }
    this.processFrame(lines());
    this.includeStack.pop();
  }

  private processFrame(lines: Iterable<{ line: SourceLine; bad?: boolean }>, cutShort = () => false): void {
    const frame: Frame = { conds: new Conditionals() };
    for (const { line, bad } of lines) this.processLine(frame, line, bad ?? false);
    if (cutShort()) return; // an expansion stopped at the bound: its open blocks are no news
    for (const c of frame.conds.unclosed()) this.diags.at(c.line, c.pos, `unterminated conditional: ${c.name} without .endif`);
    if (frame.collecting) {
      const { def, pos } = frame.collecting;
      this.diags.at(def.site, pos, `unterminated macro: .macro ${def.name} without .endm`);
    }
  }

  private processLine(frame: Frame, line: SourceLine, bad: boolean): void {
    const head = scanHead(line.text);
    const name = head.name?.text.toLowerCase();
    const namePos = head.name?.offset ?? 0;
    const active = frame.conds.active;

    if (frame.collecting) {
      this.collectMacroLine(frame, line, name);
      return this.sink.line(line, { kind: 'passive' });
    }
    if (name === '.if' || name === '.ifdef' || name === '.ifndef' || name === '.elif' || name === '.else' || name === '.endif') {
      this.conditional(frame, line, name, head, active);
      return this.sink.line(line, active && head.labels.length ? { kind: 'labels', labels: head.labels } : { kind: 'passive' });
    }
    if (!active) return this.sink.line(line, { kind: 'passive' });
    if (bad) return this.sink.line(line, { kind: 'labels', labels: head.labels });

    if (name === '.macro') {
      this.sink.line(line, { kind: 'labels', labels: head.labels });
      return this.startMacro(frame, line, head);
    }
    if (name === '.endm') {
      this.diags.at(line, namePos, '.endm without .macro');
      return this.sink.line(line, { kind: 'labels', labels: head.labels });
    }
    const macro = head.name ? this.macros.get(head.name.text) : undefined;
    if (macro) {
      this.sink.line(line, { kind: 'labels', labels: head.labels });
      return this.expand(macro, line, head);
    }

    const parsed = parseLine(line.text);
    if (!parsed.ok) {
      this.diags.at(line, parsed.error.pos, parsed.error.message);
      return this.sink.line(line, { kind: 'labels', labels: head.labels });
    }
    const stmt = parsed.line.statement;
    const directive = stmt?.name.toLowerCase();
    if (stmt && (directive === '.include' || directive === '.error' || directive === '.warning')) {
      this.sink.line(line, { kind: 'labels', labels: parsed.line.labels });
      const op = stmt.operands[0];
      if (stmt.operands.length !== 1 || op?.kind !== 'string') {
        const what = directive === '.include' ? 'a file name' : 'a message';
        return this.diags.at(line, op?.pos ?? stmt.pos, `${directive} expects ${what} in double quotes`);
      }
      const text = Buffer.from(op.bytes).toString('utf8');
      if (directive === '.include') return this.include(line, op.pos, text);
      return this.diags.at(line, stmt.pos, text, directive === '.error' ? 'error' : 'warning');
    }
    this.sink.line(line, { kind: 'statement', parsed: parsed.line });
  }

  // ---- conditionals ----

  private conditional(frame: Frame, line: SourceLine, name: string, head: LineHead, active: boolean): void {
    const pos = head.name!.offset;
    const { conds } = frame;
    let error: string | undefined;
    switch (name) {
      case '.if': case '.ifdef': case '.ifndef':
        conds.open(line, pos, head.name!.text, active ? this.evalCondition(line, name, head) : undefined);
        return;
      case '.elif':
        error = conds.elif(conds.elifMayTake ? this.evalCondition(line, '.if', head) : undefined);
        break;
      case '.else':
        error = conds.else();
        break;
      case '.endif':
        error = conds.endif();
        break;
    }
    if (error) this.diags.at(line, pos, error);
  }

  /** 1/0 for .ifdef/.ifndef, the expression's value for .if/.elif; undefined after an error. */
  private evalCondition(line: SourceLine, name: string, head: LineHead): number | undefined {
    const parsed = parseLine(line.text);
    if (!parsed.ok) {
      this.diags.at(line, parsed.error.pos, parsed.error.message);
      return undefined;
    }
    const stmt = parsed.line.statement!;
    const ops = stmt.operands;
    if (name === '.ifdef' || name === '.ifndef') {
      const op = ops[0];
      if (ops.length !== 1 || op?.kind !== 'expr' || op.expr.kind !== 'sym') {
        this.diags.at(line, op?.pos ?? stmt.pos, `${head.name!.text} expects one symbol name`);
        return undefined;
      }
      const defined = this.sink.isDefined(op.expr.name);
      return defined === (name === '.ifdef') ? 1 : 0;
    }
    const op = ops[0];
    if (ops.length !== 1 || op?.kind !== 'expr') {
      this.diags.at(line, op?.pos ?? stmt.pos, `${head.name!.text} expects one expression`);
      return undefined;
    }
    return this.sink.condition(line, op.expr);
  }

  // ---- macros ----

  private startMacro(frame: Frame, line: SourceLine, head: LineHead): void {
    const pos = head.name!.offset;
    const [nameTok, ...rest] = head.rest;
    if (nameTok?.type !== 'ident') {
      this.diags.at(line, nameTok?.offset ?? pos, '.macro expects a macro name');
      // Still swallow the body up to .endm so it is not assembled as plain code.
      frame.collecting = { def: { name: '?', params: [], body: [], site: line }, pos, depth: 1, valid: false };
      return;
    }
    const params: MacroParam[] = [];
    const def: MacroDef = { name: nameTok.text, params, body: [], site: line };
    let ok = true;
    // Parameters: `p`, `p=default`; an optional comma may follow the name.
    const parts = splitAtCommas(rest[0]?.text === ',' ? rest.slice(1) : rest);
    const seen = new Set<string>(); // a set: a macro of many parameters stays linear
    for (const part of parts) {
      const [p, eq, ...dflt] = part;
      if (p?.type !== 'ident' || (eq !== undefined && eq.text !== '=')) {
        this.diags.at(line, (p?.type !== 'ident' ? p : eq)?.offset ?? pos, 'bad macro parameter: expected NAME or NAME=default');
        ok = false;
        continue;
      }
      if (seen.has(p.text)) {
        this.diags.at(line, p.offset, `duplicate macro parameter '${p.text}'`);
        ok = false;
        continue;
      }
      seen.add(p.text);
      params.push(eq ? { name: p.text, default: textOf(line.text, dflt) } : { name: p.text });
    }
    const old = this.macros.get(def.name);
    if (old) {
      this.diags.at(line, nameTok.offset, `macro ${def.name} already defined at ${describeSite(old.site)}`);
      ok = false;
    }
    frame.collecting = { def, pos, depth: 1, valid: ok };
  }

  private collectMacroLine(frame: Frame, line: SourceLine, name: string | undefined): void {
    const c = frame.collecting!;
    if (name === '.macro') c.depth++;
    if (name === '.endm' && --c.depth === 0) {
      frame.collecting = undefined;
      if (c.valid) this.macros.set(c.def.name, c.def);
      return;
    }
    c.def.body.push(line);
  }

  private expand(macro: MacroDef, line: SourceLine, head: LineHead): void {
    const namePos = head.name!.offset;
    if (this.exhausted) return; // the bound was hit and reported: expand nothing more
    const args = this.bindArguments(macro, line, head);
    if (!args) return;
    if (this.calls.length >= MAX_MACRO_DEPTH) {
      return this.diags.at(line, namePos, `macro expansion nested more than ${MAX_MACRO_DEPTH} deep (is macro ${macro.name} recursive?)`);
    }
    const call: MacroCall = { name: macro.name, file: line.file, line: line.line, outer: line.macro };
    const counter = this.expansions++;
    const self = this;
    function* lines(): Generator<{ line: SourceLine; bad?: boolean }> {
      let nested = 0; // depth of .macro definitions inside this body
      for (const body of macro.body) {
        if (self.exhausted) return;
        const name = scanHead(body.text).name?.text.toLowerCase();
        if (name === '.endm') nested--;
        const s = substitute(body, args!, counter, nested > 0, self.maxChars - self.expandedChars);
        if (name === '.macro') nested++;
        self.expandedLines++;
        self.expandedChars += s.text.length;
        if (s.overflow || self.expandedLines > self.maxLines) return self.expansionExhausted(s.overflow);
        const out: SourceLine = { file: body.file, line: body.line, raw: body.raw, text: s.text, cols: s.cols, macro: call, seq: self.seq++ };
        // Errors point into the body line as written, so report them against it.
        for (const e of s.errors) self.diags.at({ ...body, macro: call, seq: out.seq }, e.pos, e.message);
        yield { line: out, bad: s.errors.length > 0 };
      }
    }
    this.calls.push({ line, pos: namePos, name: macro.name });
    this.processFrame(lines(), () => this.exhausted);
    this.calls.pop();
  }

  /** Report the expansion bound once, at the outermost call, with the chain of calls that reached it. */
  private expansionExhausted(byChars: boolean): void {
    this.exhausted = true;
    const [outer] = this.calls;
    if (!outer) return;
    const chain = this.calls.map((c) => `${c.name} at ${c.line.file}:${c.line.line}`);
    const what = byChars ? `${this.maxChars} characters` : `${this.maxLines} lines`;
    this.diags.at(
      { ...outer.line, macro: undefined },
      outer.pos,
      `macro expansion exceeds ${what} (raise the bound with --max-expansion); calls: ${abbreviate(chain, ' -> ')}`,
    );
  }

  private bindArguments(macro: MacroDef, line: SourceLine, head: LineHead): Map<string, string> | undefined {
    const parts = splitAtCommas(head.rest);
    const values = new Map<string, string>();
    const names = new Set(macro.params.map((p) => p.name)); // named arguments found in constant time
    let next = 0;
    let ok = true;
    for (const part of parts) {
      const [first, second] = part;
      if (first?.type === 'ident' && second?.text === '=' && names.has(first.text)) {
        values.set(first.text, textOf(line.text, part.slice(2)));
        continue;
      }
      const param = macro.params[next++];
      if (!param) {
        const n = macro.params.length;
        this.diags.at(line, first?.offset ?? head.name!.offset, `macro ${macro.name} takes ${n} argument${n === 1 ? '' : 's'}, got ${parts.length}`);
        return undefined;
      }
      if (part.length) values.set(param.name, textOf(line.text, part));
    }
    for (const p of macro.params) {
      if (values.has(p.name)) continue;
      if (p.default !== undefined) values.set(p.name, p.default);
      else {
        this.diags.at(line, head.name!.offset, `macro ${macro.name}: missing argument for parameter '${p.name}'`);
        ok = false;
      }
    }
    return ok ? values : undefined;
  }

  // ---- includes ----

  /** The paths `.include "name"` tries, in order: the including file's directory, then each include directory. */
  private candidates(from: string, name: string): string[] {
    if (path.isAbsolute(name)) return [name];
    const dirs = [path.dirname(from), ...(this.opts.includeDirs ?? [])];
    return [...new Set(dirs.map((d) => path.join(d, name)))];
  }

  private include(line: SourceLine, pos: number, name: string): void {
    if (this.includeStack.length >= MAX_INCLUDE_DEPTH) {
      return this.diags.at(line, pos, `includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
    }
    if (++this.includes > MAX_INCLUDES) return this.diags.at(line, pos, `more than ${MAX_INCLUDES} .include directives`);
    const tried = this.candidates(line.file, name);
    let found: { file: string; source: string | Uint8Array } | undefined;
    for (const file of tried) {
      try {
        found = { file, source: this.readFile(file) };
        break;
      } catch (e) {
        if (isMissing(e)) continue;
        return this.diags.at(line, pos, `cannot read include file '${file}': ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (!found) return this.diags.at(line, pos, `include file '${name}' not found (looked for ${tried.join(', ')})`);
    const { file, source } = found;
    const resolved = path.resolve(file);
    const at = this.includeStack.findIndex((f) => f.resolved === resolved);
    if (at >= 0) {
      const chain = [...this.includeStack.slice(at).map((f) => f.shown), file].join(' -> ');
      return this.diags.at(line, pos, `include cycle: ${chain}`);
    }
    const problem = this.admit(source);
    if (problem) return this.diags.at(line, pos, `cannot include '${file}': ${problem}`);
    this.processFile(file, source);
  }
}
