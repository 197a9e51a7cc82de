// decode() for the monitor's trap and exit paths: the same few instruction
// words trap over and over (a kernel's mfcr, out, hcall), and decoding walks
// the row's operands and allocates, so decoded words are kept by value. The
// results are shared: callers must not change them. Bounded, so a guest that
// traps on ever new words costs memory no more than a fixed table.

import { decode, type Decoded } from '../isa/index.js';

const LIMIT = 4096;
const cache = new Map<number, Decoded | null>();

/** decode(word), shared between calls with the same word (treat the result as read-only). */
export function decodeCached(word: number): Decoded | undefined {
  const w = word >>> 0;
  const hit = cache.get(w);
  if (hit !== undefined) return hit ?? undefined;
  const d = decode(w);
  if (cache.size >= LIMIT) cache.clear();
  cache.set(w, d ?? null);
  return d;
}
