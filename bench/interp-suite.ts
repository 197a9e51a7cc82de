// The interpreter suite: each workload on the reference interpreter against the
// same work in plain JavaScript, in one run, reported as guest MIPS and the
// ratio interp / JavaScript (targets in README).

import Benchmark from 'benchmark';
import { prepareGuest } from './guest-runner.js';
import { WORKLOADS } from './workloads.js';

export interface InterpRow {
  workload: string;
  what: string;
  instructions: number;
  interpMs: number;
  jsMs: number;
  mips: number;
  /** Guest instructions per second relative to the JS version's "instructions" per second: jsMs / interpMs. */
  ratioToJs: number;
  rme: number;
}

function cycle(label: string, log: (s: string) => void) {
  return (event: Benchmark.Event) => log(`  ${label}: ${String(event.target)}`);
}

export function runInterpSuite(log: (s: string) => void, maxTime = 2): InterpRow[] {
  const rows: InterpRow[] = [];
  for (const w of WORKLOADS) {
    const guest = prepareGuest(w, w.benchSize);
    const expected = w.js(w.benchSize) | 0;
    const got = guest.run() | 0;
    if (got !== expected) throw new Error(`${w.name}: guest halted with ${got}, JavaScript computes ${expected}`);
    const instructions = guest.instructions();
    const suite = new Benchmark.Suite(w.name);
    let sink = 0;
    suite
      .add('interp', () => { sink ^= guest.run(); }, { maxTime })
      .add('js', () => { sink ^= w.js(w.benchSize); }, { maxTime })
      .on('cycle', cycle(w.name, log))
      .run({ async: false });
    if (sink === 0.5) log('unreachable'); // keeps `sink` observable so the work is not optimised away
    const [interp, js] = suite.map((b: Benchmark) => b) as Benchmark[] as [Benchmark, Benchmark];
    const interpMs = interp.stats.mean * 1000;
    const jsMs = js.stats.mean * 1000;
    rows.push({ workload: w.name, what: w.what, instructions, interpMs, jsMs,
      mips: instructions / interp.stats.mean / 1e6, ratioToJs: jsMs / interpMs, rme: interp.stats.rme });
  }
  return rows;
}
