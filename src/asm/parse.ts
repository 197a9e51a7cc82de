// Parse one statement line into a syntax tree, or explain precisely why not.
// A hand-written parser over the line's tokens: one pass, no recursion, so a
// line costs time and memory linear in its length whatever its shape (100,000
// operands, 10,000 nested parentheses). grammar/asm.ne is the grammar it
// implements; test/asm/parser.test.ts checks both give the same trees and errors.

import { exprStart, type Label, type Operand, type ParsedLine } from './ast.js';
import { ParseFailure, isOp, parseExpr, type Cursor, type Expected } from './expr-parse.js';
import { tokenize, type Token } from './lexer.js';
import { decodeEscapes, stringBytes } from './literals.js';
import { shown } from './shown.js';

export interface SyntaxError {
  pos: number; // 0-based offset in the parsed text
  message: string;
}

export type ParseResult = { ok: true; line: ParsedLine } | { ok: false; error: SyntaxError };

/** The first lexical error of the line (bad character, unterminated string, bad escape, ...). */
export function lexicalError(tokens: readonly Token[]): SyntaxError | undefined {
  for (const t of tokens) {
    switch (t.type) {
      case 'error': return { pos: t.offset, message: `bad character '${t.text[0]}'` };
      case 'badstring': return { pos: t.offset, message: 'unterminated string' };
      case 'badchar': return { pos: t.offset, message: 'bad character literal (one character or escape between single quotes)' };
      case 'badnumber': return { pos: t.offset, message: `bad number '${shown(t.text)}'` };
      case 'string': case 'char': {
        const err = decodeEscapes(t.text.slice(1, -1)).error;
        if (err) return { pos: t.offset + err.offset, message: err.message };
        break;
      }
      default: break;
    }
  }
  return undefined;
}

export function describeToken(t: Token): string {
  return t.type === 'string' ? `string ${shown(t.text)}` : `'${shown(t.text)}'`;
}

const HINTS: Record<Expected, string> = {
  operand: ' (expected an operand)',
  close: " (expected ')')",
  comma: " (expected ',' between operands)",
  colon: " (expected ':' after a local label)",
  start: ' (expected a label, mnemonic or directive)',
};

/** One operand: a string, an expression, or `offset(base)`. */
function operand(c: Cursor): Operand {
  const t = c.toks[c.i];
  if (t?.type === 'string') {
    c.i++;
    return { kind: 'string', bytes: stringBytes(t.value), pos: t.offset };
  }
  const e = parseExpr(c);
  if (!isOp(c.toks[c.i], '(')) return { kind: 'expr', expr: e, pos: exprStart(e) };
  c.i++;
  const base = parseExpr(c);
  if (!isOp(c.toks[c.i], ')')) throw new ParseFailure(c.toks[c.i], 'close');
  c.i++;
  return { kind: 'mem', offset: e, base, pos: exprStart(e) };
}

/** labels, then an optional name with comma-separated operands. */
function parseTokens(toks: readonly Token[]): ParsedLine {
  const c: Cursor = { toks, i: 0 };
  const labels: Label[] = [];
  for (;;) {
    const t = toks[c.i];
    if (t === undefined) return { labels };
    if ((t.type === 'ident' || t.type === 'number') && isOp(toks[c.i + 1], ':')) {
      labels.push({ name: t.value, local: t.type === 'number', pos: t.offset });
      c.i += 2;
      continue;
    }
    if (t.type === 'number') throw new ParseFailure(toks[c.i + 1], 'colon');
    if (t.type !== 'ident') throw new ParseFailure(t, 'start');
    break;
  }
  const name = toks[c.i++]!;
  const operands: Operand[] = [];
  while (c.i < toks.length) {
    operands.push(operand(c));
    const t = toks[c.i];
    if (t === undefined) break;
    if (!isOp(t, ',')) throw new ParseFailure(t, 'comma');
    c.i++; // an operand must follow the comma
    if (c.i === toks.length) throw new ParseFailure(undefined, 'operand');
  }
  return { labels, statement: { name: name.value, pos: name.offset, operands } };
}

export function parseLine(text: string): ParseResult {
  const all = tokenize(text);
  const lexErr = lexicalError(all);
  if (lexErr) return { ok: false, error: lexErr };
  const toks = all.filter((t) => t.type !== 'ws' && t.type !== 'comment');
  try {
    return { ok: true, line: parseTokens(toks) };
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    const hint = HINTS[e.expected];
    if (e.token) return { ok: false, error: { pos: e.token.offset, message: `syntax error: unexpected ${describeToken(e.token)}${hint}` } };
    const last = toks[toks.length - 1];
    const end = last ? last.offset + last.text.length : 0;
    return { ok: false, error: { pos: end, message: `syntax error: unexpected end of line${hint}` } };
  }
}
