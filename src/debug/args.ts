// Splitting a command's argument text. Arguments are separated by blanks,
// except inside (), [] or quotes, so `mem (sp + 4) 16` has two arguments.

import { parseNumber } from '../cli/numbers.js';
import { DebugError } from './errors.js';

export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = '';
  for (const ch of text.trim()) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (cur) args.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) args.push(cur);
  return args;
}

/** `text` split at the first blank-separated `if`: [before, condition or undefined]. */
export function splitCondition(text: string): [string, string | undefined] {
  const m = /(^|\s)if(\s|$)/.exec(text);
  if (!m) return [text.trim(), undefined];
  const cond = text.slice(m.index + m[0].length).trim();
  if (cond === '') throw new DebugError("expected a condition after 'if'");
  return [text.slice(0, m.index).trim(), cond];
}

/** A whole number within [min, max], written as numbers are on the command line (src/cli/numbers.ts: decimal, 0x, 0b or 0o). */
export function parseCount(text: string, what: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const value = parseNumber(text) ?? NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new DebugError(`expected ${what} (a whole number${max === Number.MAX_SAFE_INTEGER ? ` >= ${min}` : ` from ${min} to ${max}`}), got '${text}'`);
  }
  return value;
}
