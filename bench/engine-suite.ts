// The engine suite: the three workloads of guests/workloads/ on the reference
// interpreter and on the JIT, against the same work in plain JavaScript, in one
// run. Each guest's halt code is checked against its JavaScript twin, and the
// two engines' counters against each other, before anything is timed.

import { prepareGuest } from './guest-runner.js';
import { timeIt, type TimingOptions } from './timing.js';
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

export function runEngineSuite(names: readonly string[] | undefined, timing: TimingOptions, log: (s: string) => void): EngineRow[] {
  const rows: EngineRow[] = [];
  for (const w of WORKLOADS.filter((x) => !names || names.includes(x.name))) {
    const interp = prepareGuest(w, w.benchSize, 'interp');
    const jit = prepareGuest(w, w.benchSize, 'jit');
    const expected = w.js(w.benchSize) | 0;
    for (const [name, g] of [['interp', interp], ['jit', jit]] as const) {
      const got = g.run() | 0;
      if (got !== expected) throw new Error(`engine ${w.name}: ${name} halted with ${got}, JavaScript computes ${expected}`);
    }
    if (JSON.stringify(interp.counters()) !== JSON.stringify(jit.counters())) throw new Error(`engine ${w.name}: interp and jit counters differ`);
    const instructions = interp.instructions();
    let sink = 0;
    const js = timeIt(`${w.name} js`, () => { sink ^= w.js(w.benchSize); }, timing);
    log(`engine ${w.name} js: ${(js.median * 1000).toFixed(3)} ms ±${js.rme.toFixed(1)}%`);
    const t = (name: 'interp' | 'jit', g: typeof interp): EngineTiming => {
      const r = timeIt(`${w.name} ${name}`, () => { sink ^= g.run(); }, timing);
      log(`engine ${w.name} ${name}: ${(r.median * 1000).toFixed(3)} ms ±${r.rme.toFixed(1)}%`);
      return { ms: r.median * 1000, rme: r.rme, mips: instructions / r.median / 1e6, ratioToJs: js.median / r.median };
    };
    const i = t('interp', interp);
    const j = t('jit', jit);
    if (sink === 0.5) log('unreachable'); // keeps `sink` observable so the work is not optimised away
    rows.push({ workload: w.name, what: w.what, instructions, jsMs: js.median * 1000, jsRme: js.rme, interp: i, jit: j, jitOverInterp: i.ms / j.ms });
  }
  return rows;
}
