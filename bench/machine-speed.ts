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
import type { SlowSpellCheck } from './interleave.js';
import { figure } from './spread.js';
import type { Sample, TimingOptions } from './timing.js';

/**
 * A take (a round's samples, or a group's) whose speed reference ran more than
 * SLOW_SPELL times the fastest the run has seen was sampled in a slow spell of
 * the machine, and is taken again (bench/interleave.ts). In the full run of
 * 2026-12-07 the reference's round figure was 1.03-1.20 ms in 70% of rounds and
 * 1.46-2.05 ms in the rest; the ratio to the reference does not cancel a spell
 * that large (a native cell 2.4× slower where the reference was 1.5×).
 */
export const SLOW_SPELL = 1.3;

/** One retake, as the report lists it. */
export interface Retake { where: string; round: number; referenceMs: number }

/** The run's fastest reference figure so far, and the retakes it caused. */
export class SlowSpells {
  private fastest = Infinity;
  readonly retakes: Retake[] = [];

  isSlow(seconds: number): boolean {
    this.fastest = Math.min(this.fastest, seconds);
    return seconds > this.fastest * SLOW_SPELL;
  }

  /** The fastest reference figure of the run, ms; null before any. */
  fastestMs(): number | null {
    return Number.isFinite(this.fastest) ? Math.round(this.fastest * 1e6) / 1000 : null;
  }

  /** The check an interleaved suite hands bench/interleave.ts: the reference is member `refIndex(taken)` of a take. */
  check<S>(where: (group: number | null) => string, refIndex: (taken: S[][]) => number, log: (s: string) => void, retakes = 2): SlowSpellCheck<S> {
    return {
      speedOf: (taken) => referenceSeconds(taken[refIndex(taken)] as unknown as Sample[]),
      spells: this, retakes,
      retaken: (round, group, seconds) => {
        const at = where(group);
        this.retakes.push({ where: at, round, referenceMs: Math.round(seconds * 1e6) / 1000 });
        log(`${at} round ${round}: the speed reference took ${(seconds * 1000).toFixed(3)} ms, ${(seconds / this.fastest).toFixed(2)}× the run's fastest: a slow spell of the machine, sampled again`);
      },
    };
  }
}

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
