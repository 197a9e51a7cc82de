// Reading source files in bounded time and memory, and decoding them without
// changing a byte silently. Only regular files are read: a directory, a FIFO
// (whose open() would wait for a writer) or a device such as /dev/zero (which
// never ends) is refused before anything is read from it.

import { readRegularFile, RegularFileError } from '../util/regular-file.js';
import { MAX_SOURCE_BYTES } from './limits.js';

/** A file that cannot be read; `missing` when it does not exist (an include search tries the next directory). */
export class SourceReadError extends Error {
  constructor(message: string, readonly missing = false) {
    super(message);
  }
}

/** The bytes of the regular file `file`, at most MAX_SOURCE_BYTES; throws SourceReadError. */
export function readSourceFile(file: string): Uint8Array {
  try {
    return readRegularFile(file, MAX_SOURCE_BYTES, (bytes) =>
      `${bytes === undefined ? 'larger than' : `${bytes} bytes, more than`} the ${MAX_SOURCE_BYTES} bytes a source file may hold`);
  } catch (e) {
    if (e instanceof RegularFileError) throw new SourceReadError(e.message, e.missing);
    throw e;
  }
}

/** A byte sequence that is not UTF-8: where it starts in the decoded text. */
export interface BadUtf8 {
  line: number; // 1-based
  pos: number; // offset in the decoded line
  byte: number;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** Offset of the first byte of `b` that does not start or continue a valid UTF-8 sequence, or -1. */
function firstInvalid(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let n: number, min: number;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Decode a source. Text that is not UTF-8 is not repaired in silence: each
 * line holding such bytes is listed (the decoded text has U+FFFD there, and
 * the preprocessor reports the line and does not assemble it).
 */
export function decodeSource(bytes: Uint8Array): { text: string; bad: BadUtf8[] } {
  try {
    return { text: strict.decode(bytes), bad: [] };
  } catch {
    // Fall through: find the lines at fault.
  }
  const bad: BadUtf8[] = [];
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const lineBytes = bytes.subarray(start, end);
    const at = firstInvalid(lineBytes);
    if (at >= 0) bad.push({ line, pos: lenient.decode(lineBytes.subarray(0, at)).length, byte: lineBytes[at]! });
    start = end + 1;
  }
  return { text: lenient.decode(bytes), bad };
}
