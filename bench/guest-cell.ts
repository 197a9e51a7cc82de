// One cell of the nano and macro suites (a guest under one mode column),
// measured: the build with BENCH_ITERATIONS = N and its baseline (0
// iterations: the boot and the final line) are each run once on a fresh VM and
// once more after a reset (which must count the same), warmed up, and timed.
// The suite calls this directly (--no-fork) or through bench/cell-process.ts,
// in a process of the cell's own (bench/fork.ts); it compares the output and
// halt code with native's and computes the ratios itself.

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import type { Image } from '../src/elf/image.js';
import { BASELINE_SYMBOL, ITERATIONS_SYMBOL, perIteration } from '../src/cli/per-iteration.js';
import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import { COST_PRESET_NAMES, createVm, type CostPresetName, type VmStats } from '../src/vmm/index.js';
import { GUEST_SUITES, MODE_COLUMNS, type GuestSuiteName, type GuestWorkload, type ModeColumn } from './guest-workloads.js';
import { guestPath } from './paths.js';
import { callsPerSample, sampleOnce, settle, timeIt, type Sample, type Timing, type TimingOptions } from './timing.js';

/** Which cell, and how to measure it (plain data: it is passed to the child process as JSON). */
export interface GuestCellSpec {
  kind: 'guest';
  suite: GuestSuiteName;
  workload: string;
  /** A column of MODE_COLUMNS, by name. */
  mode: string;
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
}

export interface GuestCellMeasurement {
  /** Console output and halt code of the N build's first run (the suite compares them with native's). */
  out: string;
  code: number;
  iterations: number;
  run: Timing;
  baseline: Timing;
  /** Counters per iteration (non-zero only; baseline subtracted). */
  counts: { machine: Record<string, number>; monitor: Record<string, number> | null };
  /** Modelled cycles per iteration under the cost model. */
  cycles: { preset: string; perIteration: number; guest: number; overhead: number };
}

const MAX_STEPS = 2_000_000_000;
/** Untimed runs of each build before timing a cell: at least min, then until WARM_UP_MS have passed, at most max. */
const WARM_UP_RUNS = { min: 5, max: 30 };
const WARM_UP_MS = 300;
/** Enough for every guest (they use the first 4 MiB); small, so that a reset clears little. */
const GUEST_MEMORY = 4 << 20;

export function guestCellLabel(s: Pick<GuestCellSpec, 'suite' | 'workload' | 'mode'>): string {
  return `${s.suite} ${s.workload} ${s.mode}`;
}

export function measureGuestCell(spec: GuestCellSpec): GuestCellMeasurement {
  const cell = prepareGuestCell(spec);
  const label = guestCellLabel(spec);
  const tRun = timeIt(label, cell.run, spec.timing);
  const tBase = timeIt(`${label} baseline`, cell.baseline, spec.timing);
  return { ...cell.info, run: tRun, baseline: tBase };
}

/** What a prepared cell knows before anything is timed (exact: counts and cycles). */
export type GuestCellInfo = Omit<GuestCellMeasurement, 'run' | 'baseline'>;

/** A cell built, checked and warmed up: its figures, and its two builds' runs (each from a reset), ready to time. */
export interface PreparedGuestCell {
  info: GuestCellInfo;
  run: () => void;
  baseline: () => void;
}

export function prepareGuestCell(spec: GuestCellSpec): PreparedGuestCell {
  const label = guestCellLabel(spec);
  const suite = Object.hasOwn(GUEST_SUITES, spec.suite) ? GUEST_SUITES[spec.suite] : undefined;
  if (!suite) throw new Error(`${label}: unknown suite '${spec.suite}'`);
  const w = suite.find((x) => x.name === spec.workload);
  if (!w) throw new Error(`${label}: unknown ${spec.suite} workload '${spec.workload}'`);
  const col = MODE_COLUMNS.find((c) => c.name === spec.mode);
  if (!col) throw new Error(`${label}: unknown mode column '${spec.mode}'`);
  if (!Object.hasOwn(ENGINE_FACTORIES, spec.engine)) throw new Error(`${label}: unknown engine '${spec.engine}'`);
  if (!COST_PRESET_NAMES.includes(spec.costModel)) throw new Error(`${label}: unknown cost model '${spec.costModel}'`);
  const n = spec.quick ? w.quickIterations : w.iterations;
  const run = checkedRun(build(w, col, { [ITERATIONS_SYMBOL]: n }), col, spec, label);
  const baseline = checkedRun(build(w, col, { [ITERATIONS_SYMBOL]: 0, [BASELINE_SYMBOL]: n }), col, spec, `${label} (baseline)`);
  const per = perIteration(n, run.stats, baseline.stats, null);
  // Warm up V8 on this cell (ours starts over at every reset, so each run does what the first did: src/engine/jit/jit.ts).
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let i = 0; i < WARM_UP_RUNS.max && (i < WARM_UP_RUNS.min || performance.now() < warmUntil); i++) { run.rerun(); baseline.rerun(); }
  return {
    info: {
      out: run.out, code: run.code, iterations: n,
      counts: { machine: per.machine, monitor: per.monitor },
      cycles: { preset: per.cost.preset, perIteration: per.cost.totalCycles, guest: per.cost.guestCycles, overhead: per.cost.overheadCycles },
    },
    run: run.rerun,
    baseline: baseline.rerun,
  };
}

/** One timed sample of a cell: seconds per run of its N build and of its baseline. */
export interface GuestSample { run: Sample; baseline: Sample }

/** A cell prepared, its sample size fixed and both builds run until steady (settle): ready to take samples. */
export interface ReadyGuestCell {
  info: GuestCellInfo;
  calls: { run: number; baseline: number };
  sample(): GuestSample;
}

export function readyGuestCell(spec: GuestCellSpec): ReadyGuestCell {
  const cell = prepareGuestCell(spec);
  const calls = { run: callsPerSample(cell.run, spec.timing.minSampleTime), baseline: callsPerSample(cell.baseline, spec.timing.minSampleTime) };
  if (!spec.quick) {
    settle(cell.run, calls.run);
    settle(cell.baseline, calls.baseline);
  }
  return { info: cell.info, calls, sample: () => ({ run: sampleOnce(cell.run, calls.run), baseline: sampleOnce(cell.baseline, calls.baseline) }) };
}

function build(w: GuestWorkload, col: ModeColumn, extra: Record<string, number>): Image {
  const defines = { ...w.defines, ...extra, ...(col.mode === 'pv' ? { PV: 1 } : {}) };
  const r = assembleFile(guestPath(...w.source), { defines });
  if (!r.image) throw new Error(`${w.source.join('/')}: ${r.diagnostics.map(formatDiagnostic).join('; ')}`);
  return r.image;
}

/**
 * Runs the image once on a fresh VM (its output captured), then again after a
 * reset, which must count the same: the timed runs reuse the VM (reset() is
 * bit-identical to a fresh VM: test/vmm/reset.test.ts), so that no run pays for allocating RAM.
 */
function checkedRun(image: Image, col: ModeColumn, spec: GuestCellSpec, where: string): { out: string; code: number; stats: VmStats; rerun: () => void } {
  let out = '';
  const decoder = new TextDecoder();
  let capture = true;
  const vm = createVm({
    image, mode: col.mode, guestMemory: GUEST_MEMORY, engine: ENGINE_FACTORIES[spec.engine],
    ...(col.hw ? { hw: { ept: col.hw.ept, vpid: true } } : {}),
    console: { sink: (b: Uint8Array) => { if (capture) out += decoder.decode(b, { stream: true }); } },
  });
  const { stop } = vm.run(MAX_STEPS);
  if (stop.kind !== 'halted') throw new Error(`${where}: stopped with ${stop.kind}`);
  const stats = vm.stats(spec.costModel);
  capture = false;
  vm.reset();
  vm.run(MAX_STEPS);
  if (JSON.stringify(vm.counters()) !== JSON.stringify({ machine: stats.machine, monitor: stats.monitor })) {
    throw new Error(`${where}: a run after reset() counts differently from a fresh VM`);
  }
  return { out, code: stop.code, stats, rerun: () => { vm.reset(); vm.run(MAX_STEPS); } };
}
