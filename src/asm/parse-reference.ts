// The reference parser: grammar/asm.ne run by nearley (an Earley parser),
// with hints read from its parse table. The assembler does not use it (Earley
// parsing costs too much on long lines, and its trees nest as deep as the
// input); test/asm/parser.test.ts checks that the hand-written parser in
// parse.ts gives the same trees and the same errors on many lines.

import nearley from 'nearley';
import type { ParsedLine } from './ast.js';
import grammar from './grammar.generated.js';
import { tokenize, type Token } from './lexer.js';
import { describeToken, lexicalError, type ParseResult } from './parse.js';

const compiled = nearley.Grammar.fromCompiled(grammar as unknown as nearley.CompiledRules);

interface EarleyState { rule: { symbols: unknown[] }; dot: number }
interface EarleyTable { table: ({ states: EarleyState[] } | undefined)[] }

/** A short hint of what the grammar expected in a parser column (terminals only). */
function expectation(parser: nearley.Parser, column: number): string {
  const states = (parser as unknown as EarleyTable).table[column]?.states ?? [];
  const literals = new Set<string>();
  const types = new Set<string>();
  for (const s of states) {
    const sym = s.rule.symbols[s.dot] as { literal?: string; type?: string } | string | undefined;
    if (sym && typeof sym === 'object') {
      if (sym.literal !== undefined) literals.add(sym.literal);
      if (sym.type !== undefined) types.add(sym.type);
    }
  }
  if (types.has('number') && literals.has('(')) return ' (expected an operand)';
  if (literals.has(')') && !literals.has(',')) return " (expected ')')";
  if (literals.has(',')) return " (expected ',' between operands)";
  if (literals.has(':')) return " (expected ':' after a local label)";
  if (types.has('ident')) return ' (expected a label, mnemonic or directive)';
  return '';
}

export function parseLineReference(text: string): ParseResult {
  const tokens = tokenize(text);
  const lexErr = lexicalError(tokens);
  if (lexErr) return { ok: false, error: lexErr };
  const parser = new nearley.Parser(compiled);
  try {
    parser.feed(text);
  } catch (e) {
    const token = (e as { token?: Token }).token;
    if (token) {
      const hint = expectation(parser, (parser as unknown as EarleyTable).table.length - 2);
      return { ok: false, error: { pos: token.offset, message: `syntax error: unexpected ${describeToken(token)}${hint}` } };
    }
    return { ok: false, error: { pos: 0, message: 'syntax error' } };
  }
  const results = parser.results as ParsedLine[];
  if (results.length === 0) {
    const last = tokens.filter((t) => t.type !== 'ws' && t.type !== 'comment').at(-1);
    const end = last ? last.offset + last.text.length : 0;
    return { ok: false, error: { pos: end, message: `syntax error: unexpected end of line${expectation(parser, parser.current)}` } };
  }
  if (results.length > 1) throw new Error(`internal: ambiguous parse of ${JSON.stringify(text)}`);
  return { ok: true, line: results[0]! };
}
