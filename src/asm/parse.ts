// Parse one statement line into a syntax tree, or explain precisely why not.

import nearley from 'nearley';
import type { ParsedLine } from './ast.js';
import grammar from './grammar.generated.js';
import { tokenize, type Token } from './lexer.js';
import { decodeEscapes } from './literals.js';

export interface SyntaxError {
  pos: number; // 0-based offset in the parsed text
  message: string;
}

export type ParseResult = { ok: true; line: ParsedLine } | { ok: false; error: SyntaxError };

const compiled = nearley.Grammar.fromCompiled(grammar as unknown as nearley.CompiledRules);

/** The first lexical error of the line (bad character, unterminated string, bad escape, ...). */
function lexicalError(tokens: readonly Token[]): SyntaxError | undefined {
  for (const t of tokens) {
    switch (t.type) {
      case 'error': return { pos: t.offset, message: `bad character '${t.text[0]}'` };
      case 'badstring': return { pos: t.offset, message: 'unterminated string' };
      case 'badchar': return { pos: t.offset, message: 'bad character literal (one character or escape between single quotes)' };
      case 'badnumber': return { pos: t.offset, message: `bad number '${t.text}'` };
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

function describeToken(t: Token): string {
  return t.type === 'string' ? `string ${t.text}` : `'${t.text}'`;
}

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

export function parseLine(text: string): ParseResult {
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
