// A VM's counters and modelled cycles as the CLI reports them: the text of
// `run --stats` (with a nanobenchmark's per-iteration section, its baseline
// assembled and run as run.ts does) or of a VM's section of `host --stats`,
// and the objects of `run --json`. Only the CLI's own formatters are used.

import type { HostVm } from '../host/index.js';
import type { Stop } from '../machine/index.js';
import type { CostPresetName, VmStats } from '../vmm/index.js';
import { formatVmNet } from '../cli/net-report.js';
import { formatCounters, formatRunStats } from '../cli/stats.js';
import { vmStats } from '../cli/host-report.js';
import {
  BASELINE_SYMBOL, benchIterations, formatPerIteration, ITERATIONS_SYMBOL, perIterationAgainst, type Baseline, type PerIterationReport,
} from '../cli/per-iteration-report.js';
import { loneVm, type LoneBuild } from './build.js';
import type { CatalogFiles } from './catalog.js';
import { PlaygroundError } from './errors.js';
import type { Configuration, Counters } from './protocol.js';

function countersOf(stats: VmStats, statsText: string, perIteration: PerIterationReport | null): Counters {
  return {
    statsText,
    machine: { ...stats.machine },
    monitor: stats.monitor ? { ...stats.monitor } : null,
    cost: stats.cost,
    perIteration,
  };
}

/** What `run --stats` prints for a lone VM (and `run --json` holds), after the run so far. */
export function loneCounters(b: LoneBuild, preset: CostPresetName, perIter: PerIterationReport | undefined): Counters {
  const text = formatRunStats(b.vm, preset) + formatVmNet(b.vm) + (perIter ? formatPerIteration(perIter) : '');
  return countersOf(b.vm.stats(preset), text, perIter ?? null);
}

/** A host VM's section of `host --stats` (without its `== name (mode) ==` heading). */
export function hostVmCounters(vm: HostVm, preset: CostPresetName): Counters {
  const text = formatRunStats({ stats: (p = preset) => vmStats(vm, p) }, preset) + '\nhost:\n' + formatCounters(vm.host);
  return countersOf(vmStats(vm, preset), text, null);
}

/**
 * A halted nanobenchmark's per-iteration report, as run.ts measures it: the
 * guest assembled again with BENCH_ITERATIONS=0 BENCH_BASELINE=N, run the same
 * way, its counters subtracted. Undefined for other images and runs.
 */
export function measurePerIteration(files: CatalogFiles, config: Configuration, b: LoneBuild, stop: Stop | undefined): PerIterationReport | undefined {
  const n = benchIterations(b.assembled.image!);
  if (n === undefined || stop?.kind !== 'halted') return undefined;
  return perIterationAgainst(n, b.vm.stats(config.costModel), stop.code, baseline(files, config, b, n));
}

function baseline(files: CatalogFiles, config: Configuration, b: LoneBuild, n: number): Baseline {
  let base: LoneBuild;
  try {
    base = loneVm(files, config, { ...b.spec, defines: { ...b.defines, [ITERATIONS_SYMBOL]: 0, [BASELINE_SYMBOL]: n } });
  } catch (e) {
    if (e instanceof PlaygroundError) return { why: e.detail ? 'the guest does not assemble with BENCH_ITERATIONS=0' : `the baseline does not load (${e.message})` };
    throw e;
  }
  const { stop } = base.engine.run(config.maxSteps ?? 100_000_000);
  return { stop, stats: base.vm.stats(config.costModel) };
}
