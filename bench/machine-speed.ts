// The machine's speed, measured in the same seconds as the cells: a fixed
// workload (the engine suite's memory loop on the JIT) sampled in turn with
// every group of cells, in a process of its own, as one more member of the
// rotation (bench/interleave.ts). On a shared cloud vCPU the whole machine runs
// faster or slower by minutes: two full runs of 2026-12-07 had nano native
// times 13-27% apart while every ratio to native held within 3%. A ratio to
// native cancels that; an absolute time cannot. So beside each absolute time
// the suites keep its ratio to this reference of the same round, and
// `--compare` judges absolute times by that ratio: the change at equal machine
// speed (docs/benchmarks.md, "The machine's speed").

import type { EngineCellSpec } from './engine-cell.js';
import { figure } from './spread.js';
import type { Sample, TimingOptions } from './timing.js';

/** What the reference runs: emulator code like the cells' (compiled regions, the TLB, guest memory), and fixed work. */
export const SPEED_REFERENCE = { workload: 'memory', column: 'jit' } as const;
export const SPEED_REFERENCE_WHAT = 'the engine suite\'s memory workload on the JIT (load/add/store over 64 KiB, paging on)';

export function speedReferenceSpec(timing: TimingOptions, quick: boolean): EngineCellSpec {
  return { kind: 'engine', ...SPEED_REFERENCE, timing, quick };
}

/** Which clock a figure is read from: CPU time of the process (every thread), or the monotonic clock around the sample. */
export type Clock = 'cpu' | 'wall';

/** A round's reference figure: its fastest sample's seconds per run by `clock` (a shared host only ever adds to a sample). */
export function referenceSeconds(samples: readonly Sample[], clock: Clock = 'cpu'): number | null {
  const xs = samples.map((s) => s[clock]).filter((x) => Number.isFinite(x) && x > 0);
  return xs.length === 0 ? null : Math.min(...xs);
}

/** An absolute figure against the machine's speed: per round over the reference's seconds of that round, then the rounds' median and spread. */
export interface PerReference {
  /** The rounds' median of the figure over the reference's milliseconds per run (the figure's unit per reference ms); null when unmeasured. */
  perReference: number | null;
  perReferenceSpread: number | null;
  /** The reference's CPU milliseconds per run: the rounds' median (the machine's speed while the cell was measured). */
  referenceMs: number | null;
}

/** `values` in the unit the table prints (ms, ns, µs), `refs` the reference's seconds per run, both per round. */
export function perReference(values: readonly (number | null)[], refs: readonly (number | null)[]): PerReference {
  // Scaled so that the median is near 1000 before figure() rounds to 3 decimals, then scaled back: no unit loses digits.
  const raw = values.map((x, r) => (x === null || !refs[r] ? null : x / (refs[r]! * 1000)));
  const known = raw.filter((x): x is number => x !== null && x > 0);
  const scale = known.length ? 1000 / Math.max(...known) : 1;
  const f = figure(raw.map((x) => (x === null ? null : x * scale)));
  const ms = figure(refs.map((x) => (x === null ? null : x * 1000)));
  return { perReference: f.value === null ? null : Number((f.value / scale).toPrecision(6)), perReferenceSpread: f.spread, referenceMs: ms.value };
}

/** The machine's speed while a table was measured: the reference's milliseconds per run, the range over the table's groups. */
export function speedLegend(ms: readonly (number | null)[]): string {
  const xs = ms.filter((x): x is number => x !== null);
  if (xs.length === 0) return '';
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return `machine speed: ${SPEED_REFERENCE_WHAT} took ${lo.toFixed(3)}${hi > lo ? `-${hi.toFixed(3)}` : ''} ms per run, sampled in turn with these cells (absolute times move with it; --compare judges them against it)\n`;
}
