// The nano and macro suites: guests run under every mode column, each cell
// measured by bench/guest-cell.ts (in a process of its own unless --no-fork:
// bench/fork.ts), per-iteration figures being (run(N) - run(0)) / N for host
// time (medians of benchmark.js samples) as for counts and modelled cycles
// (src/cli/per-iteration.ts). Every cell must halt with the output and code of
// the native run; the ratios to native are computed here.

import type { CostPresetName } from '../src/vmm/index.js';
import type { EngineName } from '../src/engine/registry.js';
import type { GuestCellMeasurement, GuestCellSpec } from './guest-cell.js';
import { GUEST_SUITES, MODE_COLUMNS, type GuestSuiteName } from './guest-workloads.js';
import type { TimingOptions } from './timing.js';
import { fastestOfRounds } from './cell.js';

export interface CellResult {
  workload: string;
  mode: string;
  iterations: number;
  host: {
    /** (median(N) - median(0)) / N, nanoseconds; null when median(N) <= median(0) (lost in noise). */
    nsPerIteration: number | null;
    /** Margin of error of the N run, percent. */
    rme: number;
    samples: number;
    runMs: number;
    baselineMs: number;
  };
  counts: GuestCellMeasurement['counts'];
  cycles: GuestCellMeasurement['cycles'];
  /** This cell over the native cell of the same workload; null natively measured as 0. */
  ratioToNative: { host: number | null; cycles: number | null };
}

export interface GuestSuiteResult {
  modes: string[];
  /** Modes left out, per workload, with the reason. */
  skipped: { workload: string; mode: string; reason: string }[];
  cells: CellResult[];
}

export interface GuestSuiteOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
  /** Run only these workloads (by name). */
  only?: readonly string[];
  /** Measures one cell: measureGuestCell itself, or the same in a child process (bench/fork.ts). */
  measure: (spec: GuestCellSpec) => GuestCellMeasurement;
  /** Times each cell is measured, the fastest kept (fastestOfRounds). */
  rounds: number;
  log: (s: string) => void;
}

export function runGuestSuite(suite: GuestSuiteName, o: GuestSuiteOptions): GuestSuiteResult {
  const result: GuestSuiteResult = { modes: MODE_COLUMNS.map((c) => c.name), skipped: [], cells: [] };
  for (const w of GUEST_SUITES[suite].filter((x) => !o.only || o.only.includes(x.name))) {
    let native: CellResult | undefined;
    let nativeOut: { out: string; code: number } | undefined;
    const cols = MODE_COLUMNS.filter((col) => {
      const reason = w.skip?.[col.name];
      if (reason) result.skipped.push({ workload: w.name, mode: col.name, reason });
      return !reason;
    });
    const specs = cols.map((col): GuestCellSpec => ({
      kind: 'guest', suite, workload: w.name, mode: col.name, engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing,
    }));
    const progress = (s: GuestCellSpec, m: GuestCellMeasurement, r: number) => {
      if (o.rounds > 1) o.log(`${suite} ${w.name} ${s.mode} round ${r}/${o.rounds}: ${formatNs(perIterationNs(m))}/iteration`);
    };
    const measured = fastestOfRounds(specs, o.rounds, o.measure, (m) => m.run.median, progress);
    for (const [k, col] of cols.entries()) {
      const m = measured[k]!;
      if (!nativeOut) nativeOut = { out: m.out, code: m.code };
      else if (m.out !== nativeOut.out || m.code !== nativeOut.code) throw new Error(`${suite} ${w.name} ${col.name}: output or halt code differs from native`);
      const n = m.iterations;
      const ns = perIterationNs(m);
      const cell: CellResult = {
        workload: w.name, mode: col.name, iterations: n,
        host: { nsPerIteration: ns === null ? null : round(ns), rme: round(m.run.rme), samples: m.run.samples, runMs: round(m.run.median * 1000), baselineMs: round(m.baseline.median * 1000) },
        counts: m.counts,
        cycles: m.cycles,
        ratioToNative: { host: null, cycles: null },
      };
      if (col.name === 'native') native = cell;
      if (native) {
        cell.ratioToNative = {
          host: ns !== null && native.host.nsPerIteration ? round(ns / native.host.nsPerIteration) : null,
          cycles: native.cycles.perIteration > 0 ? round(cell.cycles.perIteration / native.cycles.perIteration) : null,
        };
      }
      result.cells.push(cell);
      o.log(`${suite} ${w.name} ${col.name}: ${formatNs(ns)}/iteration (run ${(m.run.median * 1000).toFixed(2)} ms ±${m.run.rme.toFixed(1)}%, baseline ${(m.baseline.median * 1000).toFixed(2)} ms), ${m.cycles.perIteration} cycles/iteration`);
    }
  }
  return result;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Host time per iteration; a difference lost in the noise of the two medians is null, not a time. */
function perIterationNs(m: GuestCellMeasurement): number | null {
  return m.run.median > m.baseline.median ? (m.run.median - m.baseline.median) / m.iterations * 1e9 : null;
}

export function formatNs(ns: number | null): string {
  if (ns === null) return 'noise';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(ns >= 100 ? 0 : 1)} ns`;
}
