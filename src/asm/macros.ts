// Macro definitions and the text substitution of one expansion: `\param`,
// `\@` (a number unique to each expansion) and `\()` (an empty separator, so
// `\name\()suffix` can glue text to an argument).

import type { Token } from './lexer.js';
import { columnOf, type SourceLine } from './source.js';

export interface MacroParam {
  name: string;
  default?: string;
}

export interface MacroDef {
  name: string;
  params: MacroParam[];
  body: SourceLine[];
  site: SourceLine; // the .macro line
}

export interface Substituted {
  text: string;
  cols: number[];
  errors: { pos: number; message: string }[]; // positions in the body line's text
  /** The text would have been longer than the `maxLength` given (it is cut there). */
  overflow: boolean;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

/**
 * Substitute macro arguments into one body line. Outside literals an unknown
 * `\name` is an error unless `lenient`; inside string and character literals it
 * is left alone, since `\n` there is an escape, not a parameter. Lines of a
 * macro defined inside this one are lenient: their `\name`s belong to it.
 * The result stops at `maxLength` characters (arguments that repeat a
 * parameter could otherwise grow a line without bound).
 */
export function substitute(line: SourceLine, args: ReadonlyMap<string, string>, counter: number, lenient = false, maxLength = Infinity): Substituted {
  const src = line.text;
  let text = '';
  const cols: number[] = [];
  const errors: Substituted['errors'] = [];
  let overflow = false;
  const put = (s: string, col: number): void => {
    if (text.length + s.length > maxLength) {
      overflow = true;
      s = s.slice(0, Math.max(0, maxLength - text.length));
    }
    text += s;
    for (let k = 0; k < s.length; k++) cols.push(col);
  };
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < src.length && !overflow; ) {
    const ch = src[i]!;
    const col = columnOf(line, i);
    if (!quote && (ch === ';' || ch === '#')) {
      // A comment: copied verbatim.
      for (; i < src.length; i++) put(src[i]!, columnOf(line, i));
      break;
    }
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (next === '@') {
        put(String(counter), col);
        i += 2;
        continue;
      }
      if (next === '(' && src[i + 2] === ')') {
        i += 3;
        continue;
      }
      if (IDENT_START.test(next)) {
        let j = i + 1;
        while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
        const name = src.slice(i + 1, j);
        const value = args.get(name);
        if (value !== undefined) {
          put(value, col);
          i = j;
          continue;
        }
        if (!quote && !lenient) errors.push({ pos: i, message: `unknown macro parameter \\${name}` });
      }
      // An escape inside a literal (or an error already noted): keep the backslash and what follows.
      put(ch, col);
      if (next) put(next, columnOf(line, i + 1));
      i += next ? 2 : 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      if (!quote) quote = ch;
      else if (quote === ch) quote = undefined;
    }
    put(ch, col);
    i++;
  }
  return { text, cols, errors, overflow };
}

/** Split the operand tokens of a macro call (or .macro header) at top-level commas. */
export function splitAtCommas(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && t.type === 'op' && depth <= 0) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts.length === 1 && parts[0]!.length === 0 ? [] : parts;
}

/** The source text a run of tokens covers. */
export function textOf(text: string, tokens: readonly Token[]): string {
  if (tokens.length === 0) return '';
  const last = tokens[tokens.length - 1]!;
  return text.slice(tokens[0]!.offset, last.offset + last.text.length);
}
