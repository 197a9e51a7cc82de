// The engine suite: the three workloads of guests/workloads/ on the reference
// interpreter and on the JIT, against the same work in plain JavaScript, in one
// run. Each of the three is measured by bench/engine-cell.ts (in a process of
// its own unless --no-fork: bench/fork.ts); each guest's halt code is checked
// against its JavaScript twin, and the two engines' counters against each other.

import type { EngineCellMeasurement, EngineCellSpec, EngineColumn } from './engine-cell.js';
import type { TimingOptions } from './timing.js';
import { fastestOfRounds } from './cell.js';
import { WORKLOADS } from './workloads.js';

export interface EngineTiming {
  ms: number;
  rme: number;
  /** Guest instructions per second, in millions. */
  mips: number;
  /** jsMs / ms: the fraction of plain JavaScript's speed. */
  ratioToJs: number;
}

export interface EngineRow {
  workload: string;
  what: string;
  instructions: number;
  jsMs: number;
  jsRme: number;
  interp: EngineTiming;
  jit: EngineTiming;
  /** interp ms / jit ms. */
  jitOverInterp: number;
}

export type EngineMeasure = (spec: EngineCellSpec) => EngineCellMeasurement;

/** `rounds`: times each cell is measured, the fastest kept (fastestOfRounds). */
export function runEngineSuite(names: readonly string[] | undefined, timing: TimingOptions, log: (s: string) => void, measure: EngineMeasure, rounds = 1): EngineRow[] {
  const rows: EngineRow[] = [];
  for (const w of WORKLOADS.filter((x) => !names || names.includes(x.name))) {
    const columns: EngineColumn[] = ['js', 'interp', 'jit'];
    const progress = (s: EngineCellSpec, m: EngineCellMeasurement, r: number) =>
      log(`engine ${w.name} ${s.column}${rounds > 1 ? ` round ${r}/${rounds}` : ''}: ${(m.timing.median * 1000).toFixed(3)} ms ±${m.timing.rme.toFixed(1)}%`);
    const [js, interp, jit] = fastestOfRounds(columns.map((column): EngineCellSpec => ({ kind: 'engine', workload: w.name, column, timing })),
      rounds, measure, (m) => m.timing.median, progress) as [EngineCellMeasurement, EngineCellMeasurement, EngineCellMeasurement];
    // A guest's halt code must be what the JavaScript computed.
    for (const [column, m] of [['interp', interp], ['jit', jit]] as const) {
      if (m.value !== js.value) throw new Error(`engine ${w.name}: ${column} halted with ${m.value}, JavaScript computes ${js.value}`);
    }
    if (JSON.stringify(interp.counters) !== JSON.stringify(jit.counters)) throw new Error(`engine ${w.name}: interp and jit counters differ`);
    const instructions = interp.instructions ?? 0;
    const t = (m: EngineCellMeasurement): EngineTiming =>
      ({ ms: m.timing.median * 1000, rme: m.timing.rme, mips: instructions / m.timing.median / 1e6, ratioToJs: js.timing.median / m.timing.median });
    const i = t(interp);
    const j = t(jit);
    rows.push({ workload: w.name, what: w.what, instructions, jsMs: js.timing.median * 1000, jsRme: js.timing.rme, interp: i, jit: j, jitOverInterp: i.ms / j.ms });
  }
  return rows;
}
