// Numbers typed on the command line: decimal, 0x hex, 0b binary, 0o octal, optional sign.

const NUMBER = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/;

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
