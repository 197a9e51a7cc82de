// A quick check of the JIT's speed targets (issue 6): each engine workload on
// interp and jit against the same work in plain JavaScript, best of a few
// timed runs after a warm-up, with the halt code and counters compared.
//   npx tsc -p . && node dist/bench/jit-check.js

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import { loadImage, Machine } from '../src/machine/index.js';
import { WORKLOADS, workloadPath, type Workload } from './workloads.js';

function best(runs: number, f: () => void): number {
  let t = Infinity;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}

function guest(w: Workload, engine: EngineName) {
  const r = assembleFile(workloadPath(w.source), { defines: w.defines(w.benchSize) });
  if (!r.image) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  const image = r.image;
  const machine = new Machine({ console: false, memorySize: 4 << 20 });
  const eng = ENGINE_FACTORIES[engine](machine);
  return {
    machine,
    run(): number {
      loadImage(machine, image);
      const res = eng.run(Number.MAX_SAFE_INTEGER);
      if (res.stop.kind !== 'halted') throw new Error(`${w.name}: stopped with ${res.stop.kind}`);
      return res.stop.code;
    },
  };
}

const runs = Number(process.argv[2] ?? 5);
console.log('workload  instructions  js ms  interp ms  jit ms  interp/js  jit/js  jit/interp');
for (const w of WORKLOADS) {
  const expected = w.js(w.benchSize) | 0;
  const gi = guest(w, 'interp');
  const gj = guest(w, 'jit');
  if ((gi.run() | 0) !== expected || (gj.run() | 0) !== expected) throw new Error(`${w.name}: wrong result`);
  if (JSON.stringify(gi.machine.counters) !== JSON.stringify(gj.machine.counters)) throw new Error(`${w.name}: counters differ`);
  let sink = 0;
  const js = best(runs, () => { sink ^= w.js(w.benchSize); });
  const interp = best(runs, () => { sink ^= gi.run(); });
  const jit = best(runs, () => { sink ^= gj.run(); });
  if (sink === 0.5) console.log('unreachable');
  const f = (x: number) => x.toFixed(2);
  console.log(`${w.name.padEnd(8)}  ${String(gi.machine.counters.instructions).padStart(12)}  ${f(js).padStart(5)}  ${f(interp).padStart(9)}  ${f(jit).padStart(6)}  ${f(js / interp).padStart(9)}  ${f(js / jit).padStart(6)}  ${f(interp / jit).padStart(10)}`);
}
