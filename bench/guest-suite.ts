// The nano and macro suites: guests run under every mode, each cell measured
// twice over: the build with BENCH_ITERATIONS = N and its baseline (0
// iterations, the boot and the final line), so that per-iteration figures are
// (run(N) - run(0)) / N for host time (medians of benchmark.js samples) as for counts and
// modelled cycles (src/cli/per-iteration.ts). Before timing, every cell is run
// once and must halt with the output and code of the native run.

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import type { Image } from '../src/elf/image.js';
import { BASELINE_SYMBOL, ITERATIONS_SYMBOL, perIteration } from '../src/cli/per-iteration.js';
import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import { createVm, type CostPresetName, type VmStats } from '../src/vmm/index.js';
import { guestPath } from './paths.js';
import { timeIt, type TimingOptions } from './timing.js';

/** A column of the guest suites: a monitor mode, with its hw options. */
export interface ModeColumn {
  name: string;
  mode: 'native' | 'trap' | 'bt' | 'pv' | 'hw';
  hw?: { ept: boolean };
}

export const MODE_COLUMNS: readonly ModeColumn[] = [
  { name: 'native', mode: 'native' },
  { name: 'trap', mode: 'trap' },
  { name: 'bt', mode: 'bt' },
  { name: 'pv', mode: 'pv' },
  { name: 'hw', mode: 'hw', hw: { ept: true } },
  { name: 'hw-noept', mode: 'hw', hw: { ept: false } },
];

export interface GuestWorkload {
  name: string;
  what: string;
  /** Source under guests/. */
  source: string[];
  defines: Record<string, number>;
  /** BENCH_ITERATIONS for the suite (full and --quick). */
  iterations: number;
  quickIterations: number;
  /** Modes the guest cannot run under, and why (the column is left out). */
  skip?: Record<string, string>;
}

const NANO_GUESTS: [string, string][] = [
  ['syscall', 'null system call from ring 3'], ['in', 'port read (timer clock)'], ['crwrite', 'control-register write'],
  ['callret', 'call and return'], ['pgfault', 'page fault, handler skips the load'], ['divzero', 'divide by zero, handler skips it'],
  ['ptemod', 'PTE changed and invalidated'], ['ctxswitch', 'address-space switch'], ['aspace', 'address space created and destroyed'],
];

export const NANO: readonly GuestWorkload[] = NANO_GUESTS.map(([name, what]) => ({
  name, what, source: ['bench', `${name}.s`], defines: {}, iterations: name === 'aspace' ? 2000 : 20000, quickIterations: name === 'aspace' ? 50 : 500,
}));

/** tinyos's trap-and-emulate failure: its console driver's flags restore (docs/virtualization.md). */
const TINYOS_TRAP = 'tinyos does not run under trap-and-emulate: its boot-time timer check fails (docs/virtualization.md)';

/**
 * Instructions between timer interrupts in the macro suite: a 1 kHz tick at
 * 100 MIPS. tinyos's default (1,500, chosen so that its demonstration
 * preempts often) would make the compute workload interrupt-bound: one tick
 * per loop pass.
 */
export const MACRO_TICK_PERIOD = 100_000;

const tinyos = (name: string, workload: number, what: string, iterations: number, quickIterations: number): GuestWorkload => ({
  name, what, source: ['tinyos', 'tinyos.s'], defines: { WORKLOAD: workload, TICK_PERIOD: MACRO_TICK_PERIOD }, iterations, quickIterations,
  skip: { trap: TINYOS_TRAP },
});

export const MACRO: readonly GuestWorkload[] = [
  tinyos('compute', 1, '3 processes, ALU loops, timer preemption', 40000, 500),
  tinyos('syscall', 2, '3 processes, getpid in a loop', 1000, 50),
  tinyos('switch', 3, '3 processes, yield in a loop', 1000, 50),
  tinyos('aspace', 4, '3 processes, fork-like newspace in a loop', 200, 10),
];

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
  /** Counters per iteration (non-zero only; baseline subtracted). */
  counts: { machine: Record<string, number>; monitor: Record<string, number> | null };
  /** Modelled cycles per iteration under the preset. */
  cycles: { preset: string; perIteration: number; guest: number; overhead: number };
  /** This cell over the native cell of the same workload; null natively measured as 0. */
  ratioToNative: { host: number | null; cycles: number | null };
}

export interface GuestSuiteResult {
  modes: string[];
  /** Modes left out, per workload, with the reason. */
  skipped: { workload: string; mode: string; reason: string }[];
  cells: CellResult[];
}

function build(w: GuestWorkload, col: ModeColumn, extra: Record<string, number>): Image {
  const defines = { ...w.defines, ...extra, ...(col.mode === 'pv' ? { PV: 1 } : {}) };
  const r = assembleFile(guestPath(...w.source), { defines });
  if (!r.image) throw new Error(`${w.source.join('/')}: ${r.diagnostics.map(formatDiagnostic).join('; ')}`);
  return r.image;
}

const MAX_STEPS = 2_000_000_000;
/** Untimed runs of each build before timing a cell: at least min, then until WARM_UP_MS have passed, at most max. */
const WARM_UP_RUNS = { min: 5, max: 30 };
const WARM_UP_MS = 500;
/** Enough for every guest (they use the first 4 MiB); small, so that a reset clears little. */
const GUEST_MEMORY = 4 << 20;

/** A VM for the cell: fresh for the checked run, then reset() before every timed run (bit-identical to a fresh one: test/vmm/reset.test.ts). */
function makeVm(image: Image, col: ModeColumn, engine: EngineName, sink: (b: Uint8Array) => void) {
  return createVm({
    image, mode: col.mode, guestMemory: GUEST_MEMORY, engine: ENGINE_FACTORIES[engine],
    ...(col.hw ? { hw: { ept: col.hw.ept, vpid: true } } : {}),
    console: { sink },
  });
}

export interface GuestSuiteOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
  /** Run only these workloads (by name). */
  only?: readonly string[];
  log: (s: string) => void;
}

export function runGuestSuite(suite: string, workloads: readonly GuestWorkload[], o: GuestSuiteOptions): GuestSuiteResult {
  const result: GuestSuiteResult = { modes: MODE_COLUMNS.map((c) => c.name), skipped: [], cells: [] };
  for (const w of workloads.filter((x) => !o.only || o.only.includes(x.name))) {
    const n = o.quick ? w.quickIterations : w.iterations;
    let native: CellResult | undefined;
    let nativeOut: { out: string; code: number } | undefined;
    for (const col of MODE_COLUMNS) {
      const reason = w.skip?.[col.name];
      if (reason) { result.skipped.push({ workload: w.name, mode: col.name, reason }); continue; }
      const full = build(w, col, { [ITERATIONS_SYMBOL]: n });
      const base = build(w, col, { [ITERATIONS_SYMBOL]: 0, [BASELINE_SYMBOL]: n });
      // Run once on a fresh VM (output and halt code checked against native), then
      // again after a reset, which must count the same: the timed runs reuse the VM.
      const checked = (image: Image, what: string): { stats: VmStats; rerun: () => void } => {
        let out = '';
        const decoder = new TextDecoder();
        let capture = true;
        const vm = makeVm(image, col, o.engine, (b) => { if (capture) out += decoder.decode(b, { stream: true }); });
        const { stop } = vm.run(MAX_STEPS);
        const where = `${suite} ${w.name} ${col.name}${what}`;
        if (stop.kind !== 'halted') throw new Error(`${where}: stopped with ${stop.kind}`);
        if (what === '') {
          if (!nativeOut) nativeOut = { out, code: stop.code };
          else if (out !== nativeOut.out || stop.code !== nativeOut.code) throw new Error(`${where}: output or halt code differs from native`);
        }
        const stats = vm.stats(o.costModel);
        capture = false;
        vm.reset();
        vm.run(MAX_STEPS);
        if (JSON.stringify(vm.counters()) !== JSON.stringify({ machine: stats.machine, monitor: stats.monitor })) {
          throw new Error(`${where}: a run after reset() counts differently from a fresh VM`);
        }
        return { stats, rerun: () => { vm.reset(); vm.run(MAX_STEPS); } };
      };
      const run = checked(full, '');
      const baseline = checked(base, ' (baseline)');
      const per = perIteration(n, run.stats, baseline.stats, null);
      // Warm up the host's JIT and ours on this cell (regions of rarely run code become hot only over several runs).
      const warmUntil = performance.now() + WARM_UP_MS;
      for (let i = 0; i < WARM_UP_RUNS.max && (i < WARM_UP_RUNS.min || performance.now() < warmUntil); i++) { run.rerun(); baseline.rerun(); }
      const tRun = timeIt(`${w.name} ${col.name}`, run.rerun, o.timing);
      const tBase = timeIt(`${w.name} ${col.name} baseline`, baseline.rerun, o.timing);
      // A difference lost in the noise of the two medians is reported as null, not as a time.
      const ns = tRun.median > tBase.median ? (tRun.median - tBase.median) / n * 1e9 : null;
      const cell: CellResult = {
        workload: w.name, mode: col.name, iterations: n,
        host: { nsPerIteration: ns === null ? null : round(ns), rme: round(tRun.rme), samples: tRun.samples, runMs: round(tRun.median * 1000), baselineMs: round(tBase.median * 1000) },
        counts: { machine: per.machine, monitor: per.monitor },
        cycles: { preset: per.cost.preset, perIteration: per.cost.totalCycles, guest: per.cost.guestCycles, overhead: per.cost.overheadCycles },
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
      o.log(`${suite} ${w.name} ${col.name}: ${formatNs(ns)}/iteration (run ${(tRun.median * 1000).toFixed(2)} ms ±${tRun.rme.toFixed(1)}%, baseline ${(tBase.median * 1000).toFixed(2)} ms), ${per.cost.totalCycles} cycles/iteration`);
    }
  }
  return result;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function formatNs(ns: number | null): string {
  if (ns === null) return 'noise';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(ns >= 100 ? 0 : 1)} ns`;
}
