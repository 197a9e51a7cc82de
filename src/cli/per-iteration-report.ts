// The nanobenchmarks' per-iteration figures as data and text (what `run --stats`
// and `--json` add for an image with BENCH_ITERATIONS; per-iteration.ts runs the
// baseline). Pure, with no file or process access: the playground's worker uses it too.

import type { Image } from '../elf/image.js';
import type { Stop } from '../machine/stop.js';
import type { CostReport, VmStats } from '../vmm/index.js';

export const ITERATIONS_SYMBOL = 'BENCH_ITERATIONS';
/** Defined (= N) in the baseline build, so that the guest can print what the measured run prints. */
export const BASELINE_SYMBOL = 'BENCH_BASELINE';

export interface PerIterationCostRow {
  kind: string;
  counter: string;
  /** Events per iteration. */
  count: number;
  /** Modelled cycles per event. */
  each: number;
  /** Modelled cycles per iteration. */
  cycles: number;
}

export interface PerIterationReport {
  iterations: number;
  /** How the setup was taken out: 'subtracted' (a run with 0 iterations), or 'included' (totals / N). */
  setup: 'subtracted' | 'included';
  /** Why the setup could not be subtracted; null when it was. */
  note: string | null;
  /** The baseline run's totals (steps, instructions, modelled cycles), or null without one. */
  baseline: { steps: number; instructions: number; totalCycles: number } | null;
  /** Counters per iteration, only those that are not zero (3 decimals). */
  machine: Record<string, number>;
  monitor: Record<string, number> | null;
  /** Modelled cycles per iteration under the run's cost model: per event kind (non-zero rows) and in total. */
  cost: { preset: string; rows: PerIterationCostRow[]; guestCycles: number; overheadCycles: number; totalCycles: number };
}

/** N, if the image is a nanobenchmark: an absolute BENCH_ITERATIONS >= 1. */
export function benchIterations(image: Image): number | undefined {
  const s = image.symbols.find((x) => x.name === ITERATIONS_SYMBOL && x.kind === 'abs');
  return s && s.value >= 1 ? s.value : undefined;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** (run - baseline) / n for every counter and cost row; without a baseline, run / n. Exported for tests. */
export function perIteration(n: number, run: VmStats, baseline: VmStats | undefined, note: string | null): PerIterationReport {
  const diff = (a: object, b: object | undefined | null): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(a) as [string, number][]) {
      const d = round((v - ((b as Record<string, number> | undefined)?.[k] ?? 0)) / n);
      if (d !== 0) out[k] = d;
    }
    return out;
  };
  return {
    iterations: n,
    setup: baseline ? 'subtracted' : 'included',
    note,
    baseline: baseline
      ? { steps: baseline.machine.steps, instructions: baseline.machine.instructions, totalCycles: baseline.cost.totalCycles }
      : null,
    machine: diff(run.machine, baseline?.machine),
    monitor: run.monitor ? diff(run.monitor, baseline?.monitor) : null,
    cost: costPerIteration(n, run.cost, baseline?.cost),
  };
}

/** Rows matched by event kind: a row only one run has (the cost model omits rows of events a mode never has) counts 0 in the other. */
function costPerIteration(n: number, run: CostReport, base: CostReport | undefined): PerIterationReport['cost'] {
  const kinds = [...run.rows.map((r) => r.kind), ...(base?.rows ?? []).map((r) => r.kind).filter((k) => !run.rows.some((r) => r.kind === k))];
  const rows: PerIterationCostRow[] = [];
  for (const kind of kinds) {
    const a = run.rows.find((r) => r.kind === kind);
    const b = base?.rows.find((r) => r.kind === kind);
    const ref = (a ?? b)!;
    const count = round(((a?.count ?? 0) - (b?.count ?? 0)) / n);
    const cycles = round(((a?.cycles ?? 0) - (b?.cycles ?? 0)) / n);
    if (count !== 0 || cycles !== 0) rows.push({ kind, counter: ref.counter, count, each: ref.each, cycles });
  }
  return {
    preset: run.preset,
    rows,
    guestCycles: round((run.guestCycles - (base?.guestCycles ?? 0)) / n),
    overheadCycles: round((run.overheadCycles - (base?.overheadCycles ?? 0)) / n),
    totalCycles: round((run.totalCycles - (base?.totalCycles ?? 0)) / n),
  };
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));

/** Aligned columns: the first `left` ones (names) to the left, the numbers to the right. */
function table(head: string[] | undefined, rows: string[][], left = 1): string {
  const all = head ? [head, ...rows] : rows;
  if (all.length === 0) return '';
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd() + '\n').join('');
}

/** The --stats section: non-zero counters per iteration, then modelled cycles per iteration. */
export function formatPerIteration(r: PerIterationReport): string {
  const how = r.setup === 'subtracted'
    ? 'setup subtracted: (run - run with 0 iterations) / N'
    : `setup included: totals / N (${r.note})`;
  let text = `\nper iteration, ${ITERATIONS_SYMBOL} = ${r.iterations}, ${how}:\n`;
  text += table(undefined, Object.entries(r.machine).map(([k, v]) => [k, num(v)]));
  if (r.monitor) text += 'monitor:\n' + table(undefined, Object.entries(r.monitor).map(([k, v]) => [k, num(v)]));
  text += `modelled cycles per iteration, cost model ${r.cost.preset}:\n`;
  // Each row names its counter, as the lists above print it (the same table as --stats's totals).
  text += table(['event', 'counter', 'count', 'each', 'cycles'], [
    ...r.cost.rows.map((q) => [q.kind, q.counter, num(q.count), String(q.each), num(q.cycles)]),
    ['total', '', '', '', num(r.cost.totalCycles)],
  ], 2);
  return text;
}

/** A baseline run (BENCH_ITERATIONS=0) as it ended, or why there is none (one clause: the reason). */
export type Baseline = { stop: Stop; stats: VmStats } | { why: string };

/**
 * The report of a run that halted with `code` after N iterations, against its
 * baseline: the baseline's counters subtracted when it halted with the same
 * code, otherwise the totals divided by N with the reason. One wording for
 * `run` and the playground, which must print the same.
 */
export function perIterationAgainst(n: number, run: VmStats, code: number, baseline: Baseline): PerIterationReport {
  const divided = (why: string) => perIteration(n, run, undefined, `${why}: totals divided by N, setup included`);
  if ('why' in baseline) return divided(baseline.why);
  const { stop } = baseline;
  if (stop.kind !== 'halted' || stop.code !== code) {
    return divided(`the baseline (BENCH_ITERATIONS=0) ended with ${stop.kind === 'halted' ? `halt ${stop.code}` : stop.kind}`);
  }
  return perIteration(n, run, baseline.stats, null);
}
