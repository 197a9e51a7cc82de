// `run` without the debugger (engine jit): the VM's or the host's own run in
// chunks, as `virtlab run`/`host` run it in one piece. Under bt a lone VM's
// chunks go through the debugger's BtRunner, which never begins a VM run
// between the words of one translation, so the pieces add up to one
// uninterrupted run bit for bit (src/debug/bt.ts). Chunks grow while they take
// less than a slice of time, so the message loop is looked at about every 50 ms.

import type { Loaded } from './loaded.js';

/** Time between two looks at the message loop during a long run. */
export const SLICE_MS = 50;

const FIRST_CHUNK = 1 << 14;
const MAX_CHUNK = 1 << 24;

/** Runs until every VM stops, the budget (maxSteps) is used, or `stopRequested`; 'ended' | 'budget' | 'requested'. */
export async function runJit(l: Loaded, stopRequested: () => boolean, pause: () => Promise<void>): Promise<'ended' | 'budget' | 'requested'> {
  const b = l.build;
  let left = l.maxSteps;
  let chunk = FIRST_CHUNK;
  let since = Date.now();
  for (;;) {
    if (l.allStopped()) return 'ended';
    if (left <= 0) return 'budget';
    if (stopRequested()) return 'requested';
    const n = Math.min(chunk, left);
    const t0 = Date.now();
    let steps: number;
    let more: boolean;
    if (b.kind === 'vm') {
      const bt = l.vms[0]!.target.bt;
      const r = bt ? bt.run(n, false) : b.engine.run(n);
      steps = r.steps;
      more = r.stop.kind === 'budget';
    } else {
      const r = b.host.run(n);
      steps = r.steps;
      more = r.end === 'budget';
    }
    left -= steps;
    if (!more) return l.allStopped() ? 'ended' : 'requested';
    if (Date.now() - t0 < SLICE_MS / 4 && chunk < MAX_CHUNK) chunk *= 2;
    if (Date.now() - since >= SLICE_MS) {
      await pause();
      since = Date.now();
    }
  }
}
