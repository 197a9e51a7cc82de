// The nano and macro suites: guests run under every mode column, each cell
// measured by bench/guest-cell.ts, per-iteration figures being
// (run(N) - run(0)) / N for host time as for counts and modelled cycles
// (src/cli/per-iteration.ts). Host time is CPU time, measured in rounds: each
// round opens every mode of a workload in a fresh process and takes their
// samples in turn (bench/interleave.ts); a round's figure is from its fastest
// samples, a mode's ratio to native is its figure over native's of the same
// round, and the cell's figure the median over the rounds, printed with the
// rounds' spread (bench/spread.ts). The machine's speed reference is sampled
// in turn with the modes (bench/machine-speed.ts), so that an absolute time
// can be judged at equal machine speed. Every cell must halt with the output
// and code of the native run.

import type { CostPresetName } from '../src/vmm/index.js';
import type { EngineName } from '../src/engine/registry.js';
import type { GuestCellInfo, GuestCellMeasurement, GuestCellSpec } from './guest-cell.js';
import { GUEST_SUITES, MODE_COLUMNS, type GuestSuiteName, type GuestWorkload, type ModeColumn } from './guest-workloads.js';
import { median, type TimingOptions } from './timing.js';
import type { GuestSample, OpenEngineSession, OpenSession, Session } from './cell-session.js';
import type { EngineCellSpec } from './engine-cell.js';
import { measureInterleaved, type InterleavedCell } from './interleave.js';
import { perReference, referenceSeconds, speedReferenceSpec, type Clock, type PerReference, type SlowSpells } from './machine-speed.js';
import type { Sample } from './timing.js';
import { figure, formatSpread } from './spread.js';
import { belowNativeReason } from './below-native.js';

export interface CellResult {
  workload: string;
  mode: string;
  iterations: number;
  host: {
    /** CPU ns per iteration, (run(N) - run(0)) / N: the rounds' median; null when lost in noise (run(N) <= run(0)). */
    nsPerIteration: number | null;
    /** Interquartile range / median of the rounds' figures (bench/spread.ts; null with one round). */
    spread: number | null;
    /** Each round's figure (from its fastest samples). */
    rounds: (number | null)[];
    /** The same figure by the wall clock (the rounds' median). */
    wallNsPerIteration: number | null;
    /** Samples per round. */
    samples: number;
    /** CPU milliseconds of one run of the N build and of the baseline (the rounds' median of their fastest). */
    runMs: number;
    baselineMs: number;
  } & Partial<PerReference>;
  counts: GuestCellMeasurement['counts'];
  cycles: GuestCellMeasurement['cycles'];
  /** This cell over the native cell of the same workload; null natively measured as 0. */
  ratioToNative: {
    /** Host time: per round the cell's figure over native's of that round, then the rounds' median. */
    host: number | null;
    hostSpread: number | null;
    hostRounds: (number | null)[];
    cycles: number | null;
  };
  /** Why this monitor's host time comes out below native's (bench/below-native.ts); absent when it does not. */
  belowNative?: string;
  /** The same figures by the wall clock, from the same samples (docs/benchmarks.md, "Which clock"). */
  wall?: WallFigures;
}

/** A cell's host-time figures by the wall clock: per iteration and against native, each per round then the rounds' median and spread. */
export interface WallFigures extends Partial<PerReference> {
  nsPerIteration: number | null;
  spread: number | null;
  ratioToNative: number | null;
  ratioSpread: number | null;
}

export interface GuestSuiteResult {
  modes: string[];
  /** Modes left out, per workload, with the reason. */
  skipped: { workload: string; mode: string; reason: string }[];
  cells: CellResult[];
}

interface SuiteOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
  /** Run only these workloads (by name). */
  only?: readonly string[];
  /** Rounds: each a fresh process per cell. */
  rounds: number;
  log: (s: string) => void;
}

export interface InterleavedSuiteOptions extends SuiteOptions {
  /** Opens a cell for sampling: in a child process (bench/cell-session.ts forkedSessions) or here. */
  open: OpenSession;
  /** Samples of each cell per round. */
  samples: number;
  /** Opens the machine's speed reference (bench/machine-speed.ts), sampled in turn with each workload's modes; without it, none. */
  openReference?: OpenEngineSession;
  /** With the reference: a round sampled in a slow spell of the machine is sampled again (not with --quick). */
  spells?: SlowSpells;
}

/** What one round gave a cell: its per-iteration figure (CPU and wall ns) and, beside native, its ratio. */
interface RoundFigures { ns: number | null; wallNs: number | null; ratio: number | null; runMs: number; baselineMs: number }

/** The suite's workloads and, per workload, the columns it runs under (the others recorded as skipped). */
function plan(suite: GuestSuiteName, o: SuiteOptions, result: GuestSuiteResult): { w: GuestWorkload; cols: ModeColumn[]; specs: GuestCellSpec[] }[] {
  return GUEST_SUITES[suite].filter((x) => !o.only || o.only.includes(x.name)).map((w) => {
    const cols = MODE_COLUMNS.filter((col) => {
      const reason = w.skip?.[col.name];
      if (reason) result.skipped.push({ workload: w.name, mode: col.name, reason });
      return !reason;
    });
    const specs = cols.map((col): GuestCellSpec => ({
      kind: 'guest', suite, workload: w.name, mode: col.name, engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing,
    }));
    return { w, cols, specs };
  });
}

/**
 * The suite measured in interleaved rounds (bench/interleave.ts): what
 * `virtlab bench` runs for nano and macro.
 */
export async function runGuestSuiteInterleaved(suite: GuestSuiteName, o: InterleavedSuiteOptions): Promise<GuestSuiteResult> {
  const result: GuestSuiteResult = { modes: MODE_COLUMNS.map((c) => c.name), skipped: [], cells: [] };
  const openReference = o.openReference;
  for (const { w, cols, specs } of plan(suite, o, result)) {
    // The machine's speed reference, when there is one, is the group's last member.
    const all: (GuestCellSpec | EngineCellSpec)[] = openReference ? [...specs, speedReferenceSpec(o.timing, o.quick)] : specs;
    const measured = await measureInterleaved<GuestCellSpec | EngineCellSpec, unknown, GuestSample | Sample>(all, {
      rounds: o.rounds, samples: o.samples,
      open: (s) => (s.kind === 'engine' ? openReference!(s) : o.open(s)) as Promise<Session<unknown, GuestSample | Sample>>,
      ...(openReference && o.spells && !o.quick ? { slow: o.spells.check<GuestSample | Sample>(() => `${suite} ${w.name}`, (t) => t.length - 1, o.log) } : {}),
      roundDone: (r, taken) => {
        const n = iterationsOf(w, o.quick);
        const nat = fastestNs(taken[0] as GuestSample[], n, 'cpu');
        o.log(`${suite} ${w.name} round ${r}/${o.rounds}: ` + cols.map((col, k) => {
          const ns = fastestNs(taken[k] as GuestSample[], n, 'cpu');
          return `${col.name} ${formatNs(ns)}${k === 0 || ns === null || nat === null ? '' : ` ×${(ns / nat).toFixed(2)}`}`;
        }).join(', ') + (openReference ? `; speed reference ${formatNs((referenceSeconds(taken[cols.length] as Sample[]) ?? NaN) * 1e9)}` : ''));
      },
    });
    const guests = measured.slice(0, cols.length) as InterleavedCell<GuestCellInfo, GuestSample>[];
    const refsBy = (clock: Clock) => (openReference ? (measured[cols.length]!.rounds as Sample[][]).map((r) => referenceSeconds(r, clock)) : null);
    const refs = refsBy('cpu');
    const rounds = guests.map((cell, k) => cell.rounds.map((samples, r): RoundFigures => {
      const n = cell.info.iterations;
      const ns = fastestNs(samples, n, 'cpu');
      return {
        ns, wallNs: fastestNs(samples, n, 'wall'),
        ratio: k === 0 ? 1 : ratioOf(ns, fastestNs(guests[0]!.rounds[r]!, n, 'cpu')),
        runMs: Math.min(...samples.map((s) => s.run.cpu)) * 1000,
        baselineMs: Math.min(...samples.map((s) => s.baseline.cpu)) * 1000,
      };
    }));
    const done = cells(suite, w, cols, guests.map((m) => m.info), rounds, o.samples, o.log, refs);
    const wallRefs = refsBy('wall');
    for (const [k, cell] of done.entries()) cell.wall = wallFigures(guests, k, wallRefs);
    result.cells.push(...done);
  }
  return result;
}

/** Cell k's figures by the wall clock, as the CPU ones: per round its fastest samples, against native's of the same round. */
function wallFigures(guests: readonly InterleavedCell<GuestCellInfo, GuestSample>[], k: number, refs: readonly (number | null)[] | null): WallFigures {
  const n = guests[k]!.info.iterations;
  const ns = guests[k]!.rounds.map((samples) => fastestNs(samples, n, 'wall'));
  const f = figure(ns);
  const ratio = figure(ns.map((x, r) => ratioOf(x, fastestNs(guests[0]!.rounds[r]!, n, 'wall'))));
  return {
    nsPerIteration: f.value, spread: f.spread, ratioToNative: k === 0 ? (f.value === null ? null : 1) : ratio.value, ratioSpread: k === 0 ? null : ratio.spread,
    ...(refs ? perReference(ns, refs) : {}),
  };
}

function cells(suite: string, w: GuestWorkload, cols: readonly ModeColumn[], infos: readonly GuestCellInfo[], rounds: readonly RoundFigures[][], samples: number, log: (s: string) => void, refs: readonly (number | null)[] | null): CellResult[] {
  const out: CellResult[] = [];
  const native = infos[0]!;
  for (const [k, col] of cols.entries()) {
    const info = infos[k]!;
    if (k > 0 && (info.out !== native.out || info.code !== native.code)) throw new Error(`${suite} ${w.name} ${col.name}: output or halt code differs from native`);
    const rs = rounds[k]!;
    const ns = figure(rs.map((x) => x.ns));
    const ratio = k === 0 ? { value: 1, spread: null, rounds: rs.map(() => 1) } : figure(rs.map((x) => x.ratio));
    const cell: CellResult = {
      workload: w.name, mode: col.name, iterations: info.iterations,
      host: {
        nsPerIteration: ns.value, spread: ns.spread, rounds: ns.rounds, wallNsPerIteration: figure(rs.map((x) => x.wallNs)).value, samples,
        runMs: round(median(rs.map((x) => x.runMs))), baselineMs: round(median(rs.map((x) => x.baselineMs))),
        ...(refs ? perReference(rs.map((x) => x.ns), refs) : {}),
      },
      counts: info.counts,
      cycles: info.cycles,
      ratioToNative: {
        host: k === 0 ? (ns.value === null ? null : 1) : ratio.value,
        hostSpread: ratio.spread, hostRounds: ratio.rounds,
        cycles: native.cycles.perIteration > 0 ? round(info.cycles.perIteration / native.cycles.perIteration) : null,
      },
    };
    const why = k === 0 ? undefined : belowNativeReason(cell, suite);
    if (why !== undefined) cell.belowNative = why;
    out.push(cell);
    log(`${suite} ${w.name} ${col.name}: ${formatNs(ns.value)}/iteration ${formatSpread(ns.spread)}` +
      `${k === 0 ? '' : `, ×${cell.ratioToNative.host?.toFixed(2) ?? '-'} ${formatSpread(ratio.spread)} native`} (CPU time, ${rs.length} round${rs.length === 1 ? '' : 's'}), ${info.cycles.perIteration} cycles/iteration`);
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function iterationsOf(w: GuestWorkload, quick: boolean): number {
  return quick ? w.quickIterations : w.iterations;
}

/**
 * Host ns per iteration of a round: (fastest run(N) - fastest run(0)) / N over
 * its samples; null when not positive (lost in noise). The fastest, because
 * what a shared host adds (a preemption, caches another process emptied) only
 * ever slows a sample: the fastest is the least disturbed.
 */
export function fastestNs(samples: readonly GuestSample[], n: number, clock: 'cpu' | 'wall'): number | null {
  const d = Math.min(...samples.map((s) => s.run[clock])) - Math.min(...samples.map((s) => s.baseline[clock]));
  return d > 0 ? d / n * 1e9 : null;
}

function ratioOf(x: number | null, native: number | null): number | null {
  return x === null || native === null ? null : x / native;
}

export function formatNs(ns: number | null): string {
  if (ns === null) return 'noise';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(ns >= 100 ? 0 : 1)} ns`;
}
