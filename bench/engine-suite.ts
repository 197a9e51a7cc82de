// The engine suite: the three workloads of guests/workloads/ on the reference
// interpreter and on the JIT, against the same work in plain JavaScript, in one
// run. Each of the three is measured by bench/engine-cell.ts (in a process of
// its own unless --no-fork: bench/fork.ts); each guest's halt code is checked
// against its JavaScript twin, and the two engines' counters against each other.

import type { EngineCellMeasurement, EngineCellSpec, EngineColumn } from './engine-cell.js';
import type { TimingOptions } from './timing.js';
import { measureRounds } from './cell.js';
import { figure } from './spread.js';
import { median } from './timing.js';
import { WORKLOADS } from './workloads.js';

export interface EngineTiming {
  /** CPU milliseconds per run: the rounds' median. */
  ms: number;
  /** The rounds' interquartile range over their median (bench/spread.ts). */
  msSpread: number | null;
  rme: number;
  /** Guest instructions per second, in millions. */
  mips: number;
  /** jsMs / ms: the fraction of plain JavaScript's speed; per round (JS and the engine measured in turn), then the rounds' median. */
  ratioToJs: number;
  ratioToJsSpread: number | null;
}

export interface EngineRow {
  workload: string;
  what: string;
  instructions: number;
  jsMs: number;
  jsSpread: number | null;
  jsRme: number;
  interp: EngineTiming;
  jit: EngineTiming;
  /** interp ms / jit ms, per round, then the rounds' median. */
  jitOverInterp: number;
  jitOverInterpSpread: number | null;
}

export type EngineMeasure = (spec: EngineCellSpec) => EngineCellMeasurement;

/**
 * `rounds`: times each cell is measured (each in a fresh process when forked),
 * interleaved; every figure is the rounds' median, with their spread. Host time
 * is CPU time (bench/timing.ts).
 */
export function runEngineSuite(names: readonly string[] | undefined, timing: TimingOptions, log: (s: string) => void, measure: EngineMeasure, rounds = 1): EngineRow[] {
  const rows: EngineRow[] = [];
  for (const w of WORKLOADS.filter((x) => !names || names.includes(x.name))) {
    const columns: EngineColumn[] = ['js', 'interp', 'jit'];
    const progress = (s: EngineCellSpec, m: EngineCellMeasurement, r: number) =>
      log(`engine ${w.name} ${s.column}${rounds > 1 ? ` round ${r}/${rounds}` : ''}: ${(m.timing.cpu * 1000).toFixed(3)} ms CPU (${(m.timing.median * 1000).toFixed(3)} ms wall ±${m.timing.rme.toFixed(1)}%)`);
    const [js, interp, jit] = measureRounds(columns.map((column): EngineCellSpec => ({ kind: 'engine', workload: w.name, column, timing })),
      rounds, measure, progress) as [EngineCellMeasurement[], EngineCellMeasurement[], EngineCellMeasurement[]];
    // A guest's halt code must be what the JavaScript computed.
    for (const [column, ms] of [['interp', interp], ['jit', jit]] as const) {
      for (const [r, m] of ms.entries()) if (m.value !== js[r]!.value) throw new Error(`engine ${w.name}: ${column} halted with ${m.value}, JavaScript computes ${js[r]!.value}`);
    }
    if (JSON.stringify(interp[0]!.counters) !== JSON.stringify(jit[0]!.counters)) throw new Error(`engine ${w.name}: interp and jit counters differ`);
    const instructions = interp[0]!.instructions ?? 0;
    const cpu = (ms: EngineCellMeasurement[]) => ms.map((m) => m.timing.cpu);
    const jsF = figure(cpu(js).map((x) => x * 1000));
    const t = (ms: EngineCellMeasurement[]): EngineTiming => {
      const f = figure(cpu(ms).map((x) => x * 1000));
      const ratio = figure(ms.map((m, r) => js[r]!.timing.cpu / m.timing.cpu));
      return { ms: f.value ?? 0, msSpread: f.spread, rme: median(ms.map((m) => m.timing.rme)), mips: f.value ? instructions / f.value / 1e3 : 0, ratioToJs: ratio.value ?? 0, ratioToJsSpread: ratio.spread };
    };
    const over = figure(interp.map((m, r) => m.timing.cpu / jit[r]!.timing.cpu));
    rows.push({
      workload: w.name, what: w.what, instructions, jsMs: jsF.value ?? 0, jsSpread: jsF.spread, jsRme: median(js.map((m) => m.timing.rme)),
      interp: t(interp), jit: t(jit), jitOverInterp: over.value ?? 0, jitOverInterpSpread: over.spread,
    });
  }
  return rows;
}
