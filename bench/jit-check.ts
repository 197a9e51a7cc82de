// A quick check of the JIT's speed targets (issue 6): each engine workload on
// interp and jit against the same work in plain JavaScript, best of a few
// timed runs after a warm-up, with the halt code and counters compared.
//   npx tsc -p . && node dist/bench/jit-check.js

import { prepareGuest } from './guest-runner.js';
import { WORKLOADS } from './workloads.js';

function best(runs: number, f: () => void): number {
  let t = Infinity;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}

const runs = Number(process.argv[2] ?? 5);
console.log('workload  instructions  js ms  interp ms  jit ms  interp/js  jit/js  jit/interp');
for (const w of WORKLOADS) {
  const expected = w.js(w.benchSize) | 0;
  const gi = prepareGuest(w, w.benchSize, 'interp');
  const gj = prepareGuest(w, w.benchSize, 'jit');
  if ((gi.run() | 0) !== expected || (gj.run() | 0) !== expected) throw new Error(`${w.name}: wrong result`);
  if (JSON.stringify(gi.counters()) !== JSON.stringify(gj.counters())) throw new Error(`${w.name}: counters differ`);
  let sink = 0;
  const js = best(runs, () => { sink ^= w.js(w.benchSize); });
  const interp = best(runs, () => { sink ^= gi.run(); });
  const jit = best(runs, () => { sink ^= gj.run(); });
  if (sink === 0.5) console.log('unreachable');
  const f = (x: number) => x.toFixed(2);
  console.log(`${w.name.padEnd(8)}  ${String(gi.instructions()).padStart(12)}  ${f(js).padStart(5)}  ${f(interp).padStart(9)}  ${f(jit).padStart(6)}  ${f(js / interp).padStart(9)}  ${f(js / jit).padStart(6)}  ${f(interp / jit).padStart(10)}`);
}
