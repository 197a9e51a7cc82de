// A host-time figure over rounds: the median of the rounds' figures, and
// their spread, the interquartile range over the median, which the tables
// print beside it and flag beyond SPREAD_LIMIT (docs/benchmarks.md, "Host
// time"). Not the range: one disturbed round out of five (macro compute
// hw-noept: 409 ns where the others were 336-348) does not move the median,
// and a range made that cell look five times as unsteady as it was.

import { median } from './timing.js';

/** Spread beyond which a figure is flagged (`?`): the ±10% two runs must agree within. */
export const SPREAD_LIMIT = 0.1;

export interface Figure {
  /** The rounds' median; null when no round measured one. */
  value: number | null;
  /** Interquartile range / median of the rounds' figures (quartiles interpolated, so with 2 or 3 rounds about half their range); null with fewer than two. */
  spread: number | null;
  /** Each round's figure, in order (null: that round's was lost in noise). */
  rounds: (number | null)[];
}

export function figure(rounds: readonly (number | null)[]): Figure {
  const xs = rounds.filter((x): x is number => x !== null && Number.isFinite(x) && x > 0);
  if (xs.length === 0) return { value: null, spread: null, rounds: rounds.map(roundTo) };
  const m = median(xs);
  return { value: roundTo(m), spread: xs.length < 2 ? null : roundTo((quantile(xs, 0.75) - quantile(xs, 0.25)) / m), rounds: rounds.map(roundTo) };
}

/** The q-quantile, interpolated between the nearest ranks (R's type 7). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}

/** The median of the positive, finite values; null when there are none. */
export function medianOf(xs: readonly (number | null)[]): number | null {
  const ok = xs.filter((x): x is number => x !== null && Number.isFinite(x) && x > 0);
  return ok.length === 0 ? null : median(ok);
}

export function flagged(spread: number | null): boolean {
  return spread !== null && spread > SPREAD_LIMIT;
}

/** `±4%` (the rounds' interquartile range over their median), and `?` after it beyond SPREAD_LIMIT; empty without a spread (one round). */
export function formatSpread(spread: number | null): string {
  if (spread === null) return '';
  return `±${Math.round(spread * 100)}%${flagged(spread) ? '?' : ''}`;
}

function roundTo<T extends number | null>(x: T): T {
  return (x === null ? null : Math.round(x * 1000) / 1000) as T;
}
