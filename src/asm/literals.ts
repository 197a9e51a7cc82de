// Values of number, character and string literals. The lexer guarantees the
// token shapes; escapes are validated here so the line parser can report them.

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10, t: 9, r: 13, '0': 0, '\\': 92, '"': 34, "'": 39,
};

export interface DecodedText {
  bytes: number[]; // UTF-8 for plain characters, the byte for escapes
  error?: { offset: number; message: string }; // offset within the literal token
}

/** Decode the body of a string or character literal (without its quotes). */
export function decodeEscapes(body: string, offsetInToken = 1): DecodedText {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      const cp = body.codePointAt(i)!;
      if (cp < 0x80) bytes.push(cp);
      else {
        if (cp > 0xffff) i++;
        for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      }
      continue;
    }
    const next = body[i + 1];
    if (next === 'x') {
      const hex = body.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        return { bytes, error: { offset: offsetInToken + i, message: 'escape \\x needs two hex digits' } };
      }
      bytes.push(parseInt(hex, 16));
      i += 3;
      continue;
    }
    if (next !== undefined && next in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[next]!);
      i++;
      continue;
    }
    return { bytes, error: { offset: offsetInToken + i, message: `unknown escape '\\${next ?? ''}'` } };
  }
  return { bytes };
}

/** Value of a character literal token such as 'a', '\n' or '\x41'. */
export function charValue(token: string): number {
  const body = token.slice(1, -1);
  if (body.startsWith('\\')) return decodeEscapes(body).bytes[0] ?? 0;
  return body.codePointAt(0) ?? 0;
}

/**
 * Value of a number token (0x, 0b, 0o or decimal); may exceed 32 bits. A
 * literal of more than 64 significant digits is far beyond 32 bits in any
 * base: it is not converted (BigInt parsing is superlinear in the length).
 */
export function numberValue(token: string): number {
  const digits = /^0[xXbBoO]/.test(token) ? token.slice(2) : token;
  let first = 0;
  while (first < digits.length - 1 && digits[first] === '0') first++;
  if (digits.length - first > 64) return Infinity;
  return Number(BigInt(token));
}

/** Bytes of a string literal token, quotes included. */
export function stringBytes(token: string): number[] {
  return decodeEscapes(token.slice(1, -1)).bytes;
}
