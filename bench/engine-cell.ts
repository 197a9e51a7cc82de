// One measurement of the engine suite: a workload's plain-JavaScript twin, or
// the guest on interp or on jit, timed. The suite calls this directly
// (--no-fork) or through bench/cell-process.ts, in a process of the
// measurement's own (bench/fork.ts); it checks the returned values itself.

import { prepareGuest } from './guest-runner.js';
import { callsPerSample, sampleOnce, settle, timeIt, type Sample, type Timing, type TimingOptions } from './timing.js';
import { WORKLOADS } from './workloads.js';

export const ENGINE_COLUMNS = ['js', 'interp', 'jit'] as const;
export type EngineColumn = (typeof ENGINE_COLUMNS)[number];

/** Which measurement (plain data: it is passed to the child process as JSON). */
export interface EngineCellSpec {
  kind: 'engine';
  workload: string;
  column: EngineColumn;
  timing: TimingOptions;
  /** --quick: no settling before the samples (readyEngineCell). */
  quick?: boolean;
}

export interface EngineCellMeasurement {
  timing: Timing;
  /** js: the 32-bit value the JavaScript computes; interp, jit: the guest's halt code (| 0 both). */
  value: number;
  /** interp, jit: instructions retired by one run; js: null. */
  instructions: number | null;
  /** interp, jit: every machine counter of one run (the two engines must agree); js: null. */
  counters: Record<string, number> | null;
}

export function engineCellLabel(s: Pick<EngineCellSpec, 'workload' | 'column'>): string {
  return `engine ${s.workload} ${s.column}`;
}

/** Written by every timed call and read once, so that the work cannot be optimised away. */
let sink = 0;

/** What an engine cell computes and counts, before anything is timed. */
export type EngineCellInfo = Omit<EngineCellMeasurement, 'timing'>;

/** A cell's one run (the JavaScript twin, or the guest from a reset), and what it computes and counts. */
function prepareEngineCell(spec: EngineCellSpec): { info: EngineCellInfo; run: () => void } {
  const w = WORKLOADS.find((x) => x.name === spec.workload);
  if (!w) throw new Error(`${engineCellLabel(spec)}: unknown engine workload '${spec.workload}'`);
  if (!ENGINE_COLUMNS.includes(spec.column)) throw new Error(`${engineCellLabel(spec)}: unknown column '${spec.column}' (js, interp or jit)`);
  if (spec.column === 'js') return { info: { value: w.js(w.benchSize) | 0, instructions: null, counters: null }, run: () => { sink ^= w.js(w.benchSize); } };
  const g = prepareGuest(w, w.benchSize, spec.column);
  const value = g.run() | 0;
  return { info: { value, instructions: g.instructions(), counters: g.counters() as Record<string, number> }, run: () => { sink ^= g.run(); } };
}

export function measureEngineCell(spec: EngineCellSpec): EngineCellMeasurement {
  const cell = prepareEngineCell(spec);
  const timing = timeIt(engineCellLabel(spec), cell.run, spec.timing);
  if (sink === 0.5) throw new Error('unreachable'); // keeps `sink` observable
  return { ...cell.info, timing };
}

/** An engine cell ready to be sampled in turn with others (bench/interleave.ts): its sample size fixed, run until steady. */
export interface ReadyEngineCell {
  info: EngineCellInfo;
  calls: number;
  sample(): Sample;
}

export function readyEngineCell(spec: EngineCellSpec): ReadyEngineCell {
  const cell = prepareEngineCell(spec);
  const calls = callsPerSample(cell.run, spec.timing.minSampleTime);
  if (!spec.quick) settle(cell.run, calls);
  return {
    info: cell.info, calls,
    sample: () => {
      const s = sampleOnce(cell.run, calls);
      if (sink === 0.5) throw new Error('unreachable');
      return s;
    },
  };
}
