// The listing: every source line (blank, comment, skipped and macro-expanded
// lines included) with its address and the bytes it produced.

import type { ListingEntry } from './pass1.js';
import type { AsmState } from './state.js';

export interface ListingLine {
  file: string;
  line: number;
  addr?: number;
  /** The emitted bytes grouped as written: words for instructions and .word, halves for .half, else bytes. */
  words: number[];
  bytes: Uint8Array;
  source: string;
}

function group(bytes: Uint8Array, unit: 1 | 2 | 4): number[] {
  const out: number[] = [];
  let i = 0;
  for (; i + unit <= bytes.length; i += unit) {
    let v = 0;
    for (let k = unit - 1; k >= 0; k--) v = v * 256 + bytes[i + k]!;
    out.push(v);
  }
  for (; i < bytes.length; i++) out.push(bytes[i]!); // a tail shorter than the unit
  return out;
}

export function buildListing(st: AsmState, entries: readonly ListingEntry[]): ListingLine[] {
  return entries.map(({ line, stmt }) => {
    const bytes = stmt?.bytes ?? new Uint8Array(0);
    const out: ListingLine = { file: line.file, line: line.line, words: group(bytes, stmt?.unit ?? 1), bytes, source: line.text };
    if (stmt && (stmt.size > 0 || stmt.hasLabels)) {
      const addr = st.sections.address(stmt.section, stmt.offset);
      if (addr !== undefined) out.addr = addr;
    }
    return out;
  });
}

const BYTES_PER_ROW = 8;
const MAX_ROWS = 4;
const CODE_WIDTH = 23; // "xx xx xx xx xx xx xx xx"

function hexWord(v: number, digits: number): string {
  return v.toString(16).padStart(digits, '0');
}

/**
 * One row per source line: line number, address, encoded words, source text.
 * Long data continues on extra rows (at most MAX_ROWS, then a count of the rest).
 * A header line marks each change of file.
 */
export function formatListing(listing: readonly ListingLine[]): string {
  const out: string[] = [];
  let file: string | undefined;
  for (const l of listing) {
    if (l.file !== file) {
      file = l.file;
      out.push(`==> ${file} <==`);
    }
    // Unit size in bytes, recovered from how the words were grouped.
    const unit = l.words.length ? Math.max(1, Math.round(l.bytes.length / l.words.length)) : 1;
    const perRow = Math.max(1, Math.floor(BYTES_PER_ROW / unit));
    const rows: string[] = [];
    for (let i = 0; i < l.words.length; i += perRow) {
      rows.push(l.words.slice(i, i + perRow).map((w) => hexWord(w, unit * 2)).join(' '));
    }
    const addr = (i: number) => (l.addr === undefined ? ' '.repeat(8) : hexWord((l.addr + i * perRow * unit) >>> 0, 8));
    const lineNo = String(l.line).padStart(5);
    out.push(`${lineNo}  ${addr(0)}  ${(rows[0] ?? '').padEnd(CODE_WIDTH)}  ${l.source}`.trimEnd());
    const shown = Math.min(rows.length, MAX_ROWS);
    for (let r = 1; r < shown; r++) out.push(`${' '.repeat(5)}  ${addr(r)}  ${rows[r]}`);
    if (rows.length > shown) {
      const rest = l.bytes.length - shown * perRow * unit;
      out.push(`${' '.repeat(5)}  ${addr(shown)}  ... ${rest} more byte${rest === 1 ? '' : 's'}`);
    }
  }
  return out.join('\n') + (out.length ? '\n' : '');
}
