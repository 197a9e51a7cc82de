// Assemble a workload once and run it from a fresh reset as many times as a
// benchmark asks: the loaded image is restored before every run.

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import { loadImage, Machine } from '../src/machine/index.js';
import type { Workload } from './workloads.js';
import { workloadPath } from './workloads.js';

export interface GuestRun {
  /** Run once from reset; returns the halt code. */
  run(): number;
  /** Instructions retired by the last run. */
  instructions(): number;
  /** All counters of the last run (to compare engines). */
  counters(): object;
}

export function prepareGuest(w: Workload, size: number, engine: EngineName = 'interp'): GuestRun {
  const result = assembleFile(workloadPath(w.source), { defines: w.defines(size) });
  if (!result.image) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
  const image = result.image;
  // 4 MiB holds every workload and keeps the per-run RAM clear of loadImage small.
  const machine = new Machine({ console: false, memorySize: 4 << 20 });
  const eng = ENGINE_FACTORIES[engine](machine);
  return {
    run() {
      loadImage(machine, image);
      const r = eng.run(Number.MAX_SAFE_INTEGER);
      if (r.stop.kind !== 'halted') throw new Error(`${w.name}: stopped with ${r.stop.kind}`);
      return r.stop.code;
    },
    instructions: () => machine.counters.instructions,
    counters: () => ({ ...machine.counters }),
  };
}
