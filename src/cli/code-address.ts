// An option naming an instruction address: a symbol of the program or a
// number, 4-aligned (trace --start-at, bt-dump --pc).

import { didYouMean } from '../asm/suggest.js';
import type { Symbolizer } from '../trace/index.js';
import { UsageError } from './context.js';
import { parseAddress } from './numbers.js';

export function resolveCodeAddress(option: string, text: string, symbols: Symbolizer): number {
  const addr = symbols.lookup(text) ?? parseAddress(text);
  if (addr === undefined) {
    throw new UsageError(`${option} '${text}' is neither a symbol of the program nor an address${didYouMean(text, symbols.names(), false)}`);
  }
  if (addr % 4 !== 0) throw new UsageError(`${option} '${text}' is 0x${addr.toString(16)}, not 4-aligned: no instruction starts there`);
  return addr >>> 0;
}
