// The interrupts-and-timers cell of the profiles suite: tinyos's compute
// workload (-D WORKLOAD=1) with a time slice of TIMER_TICK instructions, so
// that the run is dominated by timer interrupts (one every TIMER_TICK
// instructions: take it, acknowledge it, re-arm the timer, switch processes).
// Per iteration, as the guest cells: (run(N) - run(0)) / N, in modelled cycles
// and in host time (medians), under one profile's settings or natively.
// Measured in this process (not forked: the suite's other cells are).

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import { BASELINE_SYMBOL, ITERATIONS_SYMBOL } from '../src/cli/per-iteration.js';
import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import type { ProfileSettings } from '../src/profiles/profiles.js';
import { createVm, type CostPresetName } from '../src/vmm/index.js';
import { guestPath } from './paths.js';
import { timeIt, type TimingOptions } from './timing.js';

/** Instructions between timer interrupts: tinyos's floor is 50; at 200 the tick handler is a large part of the work. */
export const TIMER_TICK = 200;
const ITERATIONS = { full: 20000, quick: 500 };
const MAX_STEPS = 2_000_000_000;
const GUEST_MEMORY = 16 << 20;

export interface TimerCellSpec {
  /** Natively, or a profile's mode and hw options (its NIC plays no part). */
  settings: 'native' | Pick<ProfileSettings, 'mode' | 'hw' | 'define'>;
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
}

export interface TimerCellMeasurement {
  iterations: number;
  /** Per iteration. */
  cycles: number;
  interrupts: number;
  /** Host nanoseconds per iteration; null when the two medians do not differ (noise). */
  hostNs: number | null;
  /** The run's console output and halt code (the suite checks them against native's). */
  out: string;
  code: number;
}

export function timerCellLabel(s: TimerCellSpec): string {
  if (s.settings === 'native') return 'timer native';
  const hw = s.settings.hw;
  return `timer ${s.settings.mode}${hw ? `${hw.ept ? '' : '-noept'}${hw.posted ? '' : ' unposted'}${hw.virtualTimer ? ' vtimer' : ''}` : ''}${s.settings.define === 'PVHVM' ? ' pvhvm' : ''}`;
}

export function measureTimerCell(spec: TimerCellSpec): TimerCellMeasurement {
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
  const tRun = timeIt(`${timerCellLabel(spec)}`, run.rerun, spec.timing);
  const tBase = timeIt(`${timerCellLabel(spec)} baseline`, base.rerun, spec.timing);
  return {
    iterations: n,
    cycles: (run.cycles - base.cycles) / n,
    interrupts: (run.interrupts - base.interrupts) / n,
    hostNs: tRun.median > tBase.median ? (tRun.median - tBase.median) / n * 1e9 : null,
    out: run.out, code: run.code,
  };
}
