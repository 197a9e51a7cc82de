// One cell of the host suite: N small tinyos VMs (`-D SMALL`, 1 MiB each; pv
// the `-D PV` build) in one mode on one Host, run to completion. Before
// timing, each VM must halt with the console output and the guest
// instructions of the same VM run alone (createVm), and the host's first run
// is repeated after a reset, which must count the same. Timed: the host's run
// from reset to the last VM's halt; the reset (clearing and reloading every
// VM's window) is not timed, being no guest work. The suite calls this
// directly (--no-fork) or through bench/cell-process.ts (bench/fork.ts).
//
// The ratio to one VM is measured in the cell's own process, paired: each
// sample of the N-VM host is followed by N runs of a one-VM host, timed
// together as one sample (the same guest work, garbage collections included:
// the median of single short runs would leave out the collections that every
// long run pays its share of); the ratio is the median of the pairs' ratios,
// each pair measured back to back, so both see the same load on a shared machine (on the 2-core host of the README the
// load average was 8-10 during the runs, and the same cell measured 2x apart
// from one process to the next: ratios across processes measured the load).
// Both hosts run the same mode, so neither pollutes the other's type feedback.

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import type { Image } from '../src/elf/image.js';
import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import { Host, type HostVmConfig } from '../src/host/index.js';
import { COST_PRESET_NAMES, createVm, type CostPresetName } from '../src/vmm/index.js';
import { switchCost, type SwitchCost, type VmCounts } from './host-cost.js';
import { guestPath } from './paths.js';
import { median, type TimingOptions } from './timing.js';

export interface HostColumn {
  name: string;
  mode: 'bt' | 'pv' | 'hw';
  hw?: { ept: boolean; vpid: boolean };
}

/** The modes of the host suite (trap is left out: tinyos's timer check fails under trap-and-emulate). */
export const HOST_COLUMNS: readonly HostColumn[] = [
  { name: 'bt', mode: 'bt' },
  { name: 'pv', mode: 'pv' },
  { name: 'hw', mode: 'hw', hw: { ept: true, vpid: true } },
  { name: 'hw-noept', mode: 'hw', hw: { ept: false, vpid: true } },
];
export const HOST_VM_COUNTS: readonly number[] = [1, 2, 8, 64];
/** The suite's one workload, by name for --only. */
export const HOST_WORKLOAD = 'tinyos';
/** Guest RAM of each VM: what tinyos -D SMALL needs (guests/tinyos/memory.inc). */
export const SMALL_GUEST_MEMORY = 1 << 20;

export interface HostCellSpec {
  kind: 'host';
  mode: string;
  vms: number;
  engine: EngineName;
  costModel: CostPresetName;
  timing: TimingOptions;
}

export interface HostTiming {
  /** Seconds of one run of all the VMs to completion: the median of the samples, and the fastest and slowest. */
  median: number;
  min: number;
  max: number;
  /** Relative margin of error of the mean, percent (95%, normal approximation). */
  rme: number;
  samples: number;
}

export interface HostCellMeasurement {
  /** Guest instructions retired by all the VMs in one run. */
  instructions: number;
  /** World switches in one run, the TLB flushes they made, and how the slices ended. */
  switches: number;
  switchFlushes: number;
  preempted: number;
  yields: number;
  timing: HostTiming;
  /** N runs of a one-VM host of the same mode, timed together, interleaved with this one's samples (for N = 1: the same figures). */
  reference: HostTiming;
  /** Aggregate guest instructions per second over one VM's: the median over the sample pairs of reference / sample. */
  ratioToOne: number;
  cost: SwitchCost & { preset: string };
}

const MAX_STEPS = 2_000_000_000;
const WARM_UP_RUNS = { min: 2, max: 30 };
const WARM_UP_MS = 300;

export function hostCellLabel(s: Pick<HostCellSpec, 'mode' | 'vms'>): string {
  return `host ${s.mode} x${s.vms}`;
}

export function tinyosSmall(pv: boolean): Image {
  const r = assembleFile(guestPath('tinyos', 'tinyos.s'), { defines: pv ? { SMALL: 1, PV: 1 } : { SMALL: 1 } });
  if (!r.image) throw new Error(`tinyos/tinyos.s: ${r.diagnostics.map(formatDiagnostic).join('; ')}`);
  return r.image;
}

export function measureHostCell(spec: HostCellSpec): HostCellMeasurement {
  const label = hostCellLabel(spec);
  const col = HOST_COLUMNS.find((c) => c.name === spec.mode);
  if (!col) throw new Error(`${label}: unknown mode column '${spec.mode}' (${HOST_COLUMNS.map((c) => c.name).join(', ')})`);
  if (!Number.isInteger(spec.vms) || spec.vms < 1 || spec.vms > 64) throw new Error(`${label}: the number of VMs must be a whole number from 1 to 64`);
  if (!Object.hasOwn(ENGINE_FACTORIES, spec.engine)) throw new Error(`${label}: unknown engine '${spec.engine}'`);
  if (!COST_PRESET_NAMES.includes(spec.costModel)) throw new Error(`${label}: unknown cost model '${spec.costModel}'`);
  const image = tinyosSmall(col.mode === 'pv');
  const engine = ENGINE_FACTORIES[spec.engine];

  // The same VM alone: what every VM on the host must print and retire.
  const lone = createVm({ image, mode: col.mode, guestMemory: SMALL_GUEST_MEMORY, engine, ...(col.hw ? { hw: col.hw } : {}) });
  const loneStop = lone.run(MAX_STEPS).stop;
  if (loneStop.kind !== 'halted' || loneStop.code !== 0) throw new Error(`${label}: tinyos alone stopped with ${loneStop.kind}`);
  const loneCounts = lone.counters();
  const aloneCounts: VmCounts = { machine: { ...loneCounts.machine }, monitor: loneCounts.monitor ? { ...loneCounts.monitor } : undefined };
  const aloneOut = lone.consoleText();

  const configs = (n: number): HostVmConfig[] => Array.from({ length: n }, (_, i) => ({
    name: `vm${i}`, image, mode: col.mode, guestMemory: SMALL_GUEST_MEMORY, ...(col.hw ? { hw: col.hw } : {}),
  }));
  const host = new Host({ vms: configs(spec.vms), engine });
  const runOf = (h: Host) => () => {
    const r = h.run(MAX_STEPS);
    if (r.end !== 'stopped') throw new Error(`${label}: the host's run ended with ${typeof r.end === 'string' ? r.end : r.end.kind}`);
  };
  const run = runOf(host);
  run();
  host.vms.forEach((vm) => {
    if (vm.stop?.kind !== 'halted' || vm.stop.code !== 0) throw new Error(`${label}: ${vm.name} stopped with ${vm.stop?.kind ?? 'nothing'}`);
    if (vm.consoleText() !== aloneOut) throw new Error(`${label}: ${vm.name} printed other than tinyos alone`);
    if (vm.counters.instructions !== aloneCounts.machine.instructions) throw new Error(`${label}: ${vm.name} retired ${vm.counters.instructions} instructions, alone ${aloneCounts.machine.instructions}`);
  });
  const first = JSON.stringify(host.vms.map((vm) => [vm.counters, vm.host]));
  const onHost: VmCounts[] = host.vms.map((vm) => ({ machine: { ...vm.counters }, monitor: { ...vm.monitor.counters } }));
  const switches = host.counters.worldSwitches;
  const sum = (f: (vm: (typeof host.vms)[number]) => number) => host.vms.reduce((n, vm) => n + f(vm), 0);
  const instructions = sum((vm) => vm.counters.instructions);
  const shape = { switchFlushes: sum((vm) => vm.host.switchFlushes), preempted: sum((vm) => vm.host.preempted), yields: sum((vm) => vm.host.yields) };
  host.machine.reset(0);
  run();
  if (JSON.stringify(host.vms.map((vm) => [vm.counters, vm.host])) !== first || host.counters.worldSwitches !== switches) {
    throw new Error(`${label}: a run after reset counts differently from the first`);
  }

  const timer = (h: Host) => {
    const go = runOf(h);
    return (): number => {
      h.machine.reset(0);
      const t0 = performance.now();
      go();
      return (performance.now() - t0) / 1000;
    };
  };
  const timed = timer(host);
  const one = spec.vms === 1 ? undefined : timer(new Host({ vms: configs(1), engine }));
  const samples: number[] = [], reference: number[] = [];
  // The pair's order alternates: whichever runs second pays for collecting the first's garbage (bt allocates
  // much as it translates: with the reference always second, bt with 2 VMs measured 1.77 times one VM).
  let pairs = 0;
  const sample = (keep: boolean) => {
    const reference1 = () => {
      let r = 0;
      for (let i = 0; i < spec.vms; i++) r += one!();
      return r;
    };
    const first = one && pairs++ % 2 === 1 ? reference1() : undefined;
    const t = timed();
    const r = one ? first ?? reference1() : undefined;
    if (!keep) return;
    samples.push(t);
    if (r !== undefined) reference.push(r);
  };
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let i = 0; i < WARM_UP_RUNS.max && (i < WARM_UP_RUNS.min || performance.now() < warmUntil); i++) sample(false);
  const until = performance.now() + spec.timing.maxTime * 1000;
  while (samples.length < spec.timing.minSamples || performance.now() < until) sample(true);
  const timing = summarize(samples), ref = one ? summarize(reference) : timing;
  return {
    instructions, switches, ...shape,
    timing, reference: ref, ratioToOne: one ? median(samples.map((t, i) => reference[i]! / t)) : 1,
    cost: { preset: spec.costModel, ...switchCost(col.mode, spec.costModel, switches, onHost, host.vms.map(() => aloneCounts)) },
  };
}

function summarize(s: readonly number[]): HostTiming {
  const sorted = [...s].sort((a, b) => a - b);
  const median_ = median(s);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = s.length > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (s.length - 1)) : 0;
  return { median: median_, min: sorted[0]!, max: sorted[sorted.length - 1]!, rme: mean > 0 ? 1.96 * sd / Math.sqrt(s.length) / mean * 100 : 0, samples: s.length };
}
