// The interrupts-and-timers cell of the profiles suite: tinyos's compute
// workload (-D WORKLOAD=1) with a time slice of TIMER_TICK instructions, so
// that the run is dominated by timer interrupts (one every TIMER_TICK
// instructions: take it, acknowledge it, re-arm the timer, switch processes).
// Per iteration, as the guest cells: (run(N) - run(0)) / N, in modelled cycles
// and in host time, under one profile's settings or natively. Host time is
// sampled as a guest cell's (readyTimerCell: runs per sample fixed, settled,
// then a sample on request, in a process of its own: bench/cell-server.ts),
// in turn with the native cell's (bench/profiles-suite.ts).

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import { BASELINE_SYMBOL, ITERATIONS_SYMBOL } from '../src/cli/per-iteration.js';
import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import type { ProfileSettings } from '../src/profiles/profiles.js';
import { createVm, type CostPresetName } from '../src/vmm/index.js';
import { guestPath } from './paths.js';
import type { GuestSample } from './guest-cell.js';
import { callsPerSample, sampleOnce, settle, type TimingOptions } from './timing.js';

/** Instructions between timer interrupts: tinyos's floor is 50; at 200 the tick handler is a large part of the work. */
export const TIMER_TICK = 200;
const ITERATIONS = { full: 20000, quick: 500 };
const MAX_STEPS = 2_000_000_000;
const GUEST_MEMORY = 16 << 20;

export interface TimerCellSpec {
  kind: 'timer';
  /** Natively, or a profile's mode and hw options (its NIC plays no part). */
  settings: 'native' | Pick<ProfileSettings, 'mode' | 'hw' | 'define'>;
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
}

/** What a timer cell counts (exact). */
export interface TimerCellInfo {
  iterations: number;
  /** Per iteration. */
  cycles: number;
  interrupts: number;
  /** The run's console output and halt code (the suite checks them against native's). */
  out: string;
  code: number;
}

/** A timer cell built, checked and settled: each sample is seconds per run of its N build and of its baseline, as a guest cell's. */
export interface ReadyTimerCell {
  info: TimerCellInfo;
  calls: { run: number; baseline: number };
  sample(): GuestSample;
}

export function timerCellLabel(s: TimerCellSpec): string {
  if (s.settings === 'native') return 'timer native';
  const hw = s.settings.hw;
  return `timer ${s.settings.mode}${hw ? `${hw.ept ? '' : '-noept'}${hw.posted ? '' : ' unposted'}${hw.virtualTimer ? ' vtimer' : ''}` : ''}${s.settings.define === 'PVHVM' ? ' pvhvm' : ''}`;
}

export function readyTimerCell(spec: TimerCellSpec): ReadyTimerCell {
  const n = spec.quick ? ITERATIONS.quick : ITERATIONS.full;
  const build = spec.settings !== 'native' ? spec.settings.define : undefined;
  const make = (extra: Record<string, number>) => {
    const defines = { WORKLOAD: 1, TICK_PERIOD: TIMER_TICK, ...extra, ...(build ? { [build]: 1 } : {}) };
    const r = assembleFile(guestPath('tinyos', 'tinyos.s'), { defines });
    if (!r.image) throw new Error(`${timerCellLabel(spec)}: ${r.diagnostics.map(formatDiagnostic).join('; ')}`);
    let out = '';
    const decoder = new TextDecoder();
    const s = spec.settings;
    const vm = createVm({
      image: r.image, mode: s === 'native' ? 'native' : s.mode, guestMemory: GUEST_MEMORY, engine: ENGINE_FACTORIES[spec.engine],
      ...(s !== 'native' && s.hw ? { hw: s.hw } : {}),
      console: { sink: (b: Uint8Array) => { out += decoder.decode(b, { stream: true }); } },
    });
    const { stop } = vm.run(MAX_STEPS);
    if (stop.kind !== 'halted') throw new Error(`${timerCellLabel(spec)}: stopped with ${stop.kind}`);
    const stats = vm.stats(spec.costModel);
    return { out, code: stop.code, cycles: stats.cost.totalCycles, interrupts: stats.machine.interrupts, rerun: () => { vm.reset(); vm.run(MAX_STEPS); } };
  };
  const run = make({ [ITERATIONS_SYMBOL]: n });
  const base = make({ [ITERATIONS_SYMBOL]: 0, [BASELINE_SYMBOL]: n });
  for (let i = 0; i < 3; i++) { run.rerun(); base.rerun(); }
  const calls = { run: callsPerSample(run.rerun, spec.timing.minSampleTime), baseline: callsPerSample(base.rerun, spec.timing.minSampleTime) };
  if (!spec.quick) {
    settle(run.rerun, calls.run);
    settle(base.rerun, calls.baseline);
  }
  return {
    info: { iterations: n, cycles: (run.cycles - base.cycles) / n, interrupts: (run.interrupts - base.interrupts) / n, out: run.out, code: run.code },
    calls,
    sample: () => ({ run: sampleOnce(run.rerun, calls.run), baseline: sampleOnce(base.rerun, calls.baseline) }),
  };
}
