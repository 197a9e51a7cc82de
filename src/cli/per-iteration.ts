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
import type { VmStats } from '../vmm/index.js';
import { CliError, type CliContext } from './context.js';
import { machineFromOptions, type MachineOptionValues } from './machine-options.js';
import { assembleSource, isAssemblySource } from './program.js';
import type { IncludeSearch } from './assembler-options.js';
import { BASELINE_SYMBOL, benchIterations, ITERATIONS_SYMBOL, perIterationAgainst, type Baseline, type PerIterationReport } from './per-iteration-report.js';

export * from './per-iteration-report.js';

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
  return perIterationAgainst(n, a.stats, a.stop.code, baseline(a, n));
}

function baseline(a: MeasureArgs, n: number): Baseline {
  if (!isAssemblySource(a.file)) return { why: 'an ELF image cannot be assembled with BENCH_ITERATIONS=0' };
  const result = assembleSource(a.ctx, a.file, { ...a.defines, [ITERATIONS_SYMBOL]: 0, [BASELINE_SYMBOL]: n }, a.search);
  if (!result.image) return { why: 'the guest does not assemble with BENCH_ITERATIONS=0' };
  let loaded;
  try {
    loaded = machineFromOptions(a.ctx, result.image, { ...a.opts, pcap: undefined }, 'capture'); // the capture is the measured run's
  } catch (e) {
    if (e instanceof CliError) return { why: `the baseline does not load (${e.message})` };
    throw e;
  }
  const { stop } = loaded.engine.run(loaded.maxSteps);
  return { stop, stats: loaded.vm.stats(a.opts.costModel) };
}
