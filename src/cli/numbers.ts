// Numbers typed on the command line: one grammar for every numeric option of
// every command, the debugger's counts and lengths, and -D values; the
// assembler's (and the debugger's expressions') literals:
//   decimal 1000, hex 0x3e8, binary 0b1111101000, octal 0o1750, optional sign.
// Refused: exponents (1e3), fractions, digit separators (1_000), and blanks
// inside. Leading zeros do not make octal: 010 is ten.

const NUMBER = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/;

/** The grammar in a few words, for --help and error messages. */
export const NUMBER_FORMS = 'decimal, 0x hex, 0b binary or 0o octal';

export function parseNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const negative = text.startsWith('-');
  const digits = text.replace(/^[-+]/, '');
  const value = /^0[oO]/.test(digits) ? parseInt(digits.slice(2), 8) : Number(digits);
  return negative ? -value : value;
}

/** A 32-bit address (0..0xffffffff). */
export function parseAddress(text: string): number | undefined {
  const n = parseNumber(text);
  return n !== undefined && n >= 0 && n <= 0xffffffff ? n : undefined;
}

/** Why `text` is not a whole number in [min, max] (undefined when it is one); `what` names it: 'a number of steps'. */
export function wholeNumberProblem(text: string, what: string, min: number, max: number): string | undefined {
  const n = parseNumber(text.trim());
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  if (n === undefined) return `expected ${what} (a whole number ${range}, written in ${NUMBER_FORMS})`;
  if (!Number.isSafeInteger(n) || n < min || n > max) return `expected ${what} (a whole number ${range})`;
  return undefined;
}

/** A whole number in [min, max]; throws an Error whose message says what was expected. */
export function parseWhole(text: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const problem = wholeNumberProblem(text, what, min, max);
  if (problem !== undefined) throw new Error(problem);
  return parseNumber(text.trim())!;
}
