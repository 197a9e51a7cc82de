// Per-iteration figures for nanobenchmark guests (guests/bench/, docs/benchmarks.md).
// An image that defines the absolute symbol BENCH_ITERATIONS = N (an `.equ`, or
// -D BENCH_ITERATIONS=N) repeats one event N times. `run --stats` / `--json` then
// also report (counts(N) - counts(0)) / N: the guest is assembled again with
// -D BENCH_ITERATIONS=0 -D BENCH_BASELINE=N and run the same way (same mode,
// options, cost model), and its counters, which are everything but the loop
// (boot, page tables, the final line: the baseline prints the same N), are
// subtracted. An ELF image cannot be assembled again: its figures are the
// totals divided by N, setup included, and the report says so.

import type { Image } from '../elf/image.js';
import type { Stop } from '../machine/index.js';
import type { CostReport, VmStats } from '../vmm/index.js';
import { CliError, type CliContext } from './context.js';
import { machineFromOptions, type MachineOptionValues } from './machine-options.js';
import { assembleSource, isAssemblySource } from './program.js';
import type { IncludeSearch } from './assembler-options.js';

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

/** A context whose standard input is read at most once, so that the baseline run sees the same bytes. */
export function withStdinOnce(ctx: CliContext): CliContext {
  let bytes: Uint8Array | undefined;
  return { ...ctx, readStdin: () => (bytes ??= ctx.readStdin()) };
}

export interface MeasureArgs {
  ctx: CliContext;
  file: string;
  defines: Record<string, number | string>;
  /** -I and --max-expansion, for assembling the baseline. */
  search?: IncludeSearch;
  image: Image;
  stats: VmStats;
  stop: Stop;
  opts: MachineOptionValues;
}

/** The per-iteration report of a halted nanobenchmark run; undefined for other images and runs. */
export function measurePerIteration(a: MeasureArgs): PerIterationReport | undefined {
  const n = benchIterations(a.image);
  if (n === undefined || a.stop.kind !== 'halted') return undefined;
  const base = baselineStats(a, n);
  return perIteration(n, a.stats, 'stats' in base ? base.stats : undefined, 'note' in base ? base.note : null);
}

function baselineStats(a: MeasureArgs, n: number): { stats: VmStats } | { note: string } {
  if (!isAssemblySource(a.file)) return { note: 'an ELF image cannot be assembled with BENCH_ITERATIONS=0: totals divided by N, setup included' };
  const result = assembleSource(a.ctx, a.file, { ...a.defines, [ITERATIONS_SYMBOL]: 0, [BASELINE_SYMBOL]: n }, a.search);
  if (!result.image) return { note: 'the guest does not assemble with BENCH_ITERATIONS=0: totals divided by N, setup included' };
  let loaded;
  try {
    loaded = machineFromOptions(a.ctx, result.image, { ...a.opts, pcap: undefined }, 'capture'); // the capture is the measured run's
  } catch (e) {
    if (e instanceof CliError) return { note: `the baseline does not load (${e.message}): totals divided by N, setup included` };
    throw e;
  }
  const { stop } = loaded.engine.run(loaded.maxSteps);
  if (stop.kind !== 'halted' || stop.code !== (a.stop as Extract<Stop, { kind: 'halted' }>).code) {
    return { note: `the baseline (BENCH_ITERATIONS=0) ended with ${stop.kind === 'halted' ? `halt ${stop.code}` : stop.kind}: totals divided by N, setup included` };
  }
  return { stats: loaded.vm.stats(a.opts.costModel) };
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
