// One measurement of the engine suite: a workload's plain-JavaScript twin, or
// the guest on interp or on jit, timed. The suite calls this directly
// (--no-fork) or through bench/cell-process.ts, in a process of the
// measurement's own (bench/fork.ts); it checks the returned values itself.

import { prepareGuest } from './guest-runner.js';
import { timeIt, type Timing, type TimingOptions } from './timing.js';
import { WORKLOADS } from './workloads.js';

export const ENGINE_COLUMNS = ['js', 'interp', 'jit'] as const;
export type EngineColumn = (typeof ENGINE_COLUMNS)[number];

/** Which measurement (plain data: it is passed to the child process as JSON). */
export interface EngineCellSpec {
  kind: 'engine';
  workload: string;
  column: EngineColumn;
  timing: TimingOptions;
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

export function measureEngineCell(spec: EngineCellSpec): EngineCellMeasurement {
  const w = WORKLOADS.find((x) => x.name === spec.workload);
  if (!w) throw new Error(`${engineCellLabel(spec)}: unknown engine workload '${spec.workload}'`);
  if (!ENGINE_COLUMNS.includes(spec.column)) throw new Error(`${engineCellLabel(spec)}: unknown column '${spec.column}' (js, interp or jit)`);
  let result: EngineCellMeasurement;
  if (spec.column === 'js') {
    const value = w.js(w.benchSize) | 0;
    const timing = timeIt(`${w.name} js`, () => { sink ^= w.js(w.benchSize); }, spec.timing);
    result = { timing, value, instructions: null, counters: null };
  } else {
    const g = prepareGuest(w, w.benchSize, spec.column);
    const value = g.run() | 0;
    const instructions = g.instructions();
    const counters = g.counters() as Record<string, number>;
    const timing = timeIt(`${w.name} ${spec.column}`, () => { sink ^= g.run(); }, spec.timing);
    result = { timing, value, instructions, counters };
  }
  if (sink === 0.5) throw new Error('unreachable'); // keeps `sink` observable
  return result;
}
