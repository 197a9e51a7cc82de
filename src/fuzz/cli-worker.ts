// The CLI in a worker thread, for campaigns: a case that loops or eats memory
// is cut off (terminate on a time bound, resourceLimits for the heap) instead
// of hanging or killing the campaign. Messages: {args, cwd} in, CliOutcome out.

import { parentPort, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { CliAbort, CliOutcome, CliRunner } from './cli-check.js';
import { inProcess } from './cli-check.js';

if (parentPort) {
  const port = parentPort;
  port.on('message', (m: { args: string[]; cwd: string }) => {
    void inProcess(m.args, m.cwd).then((o) => port.postMessage(o));
  });
}

/** A runner backed by one worker, replaced after a case that had to be cut off. */
export function workerRunner(limitMs: number, heapMb: number): { run: CliRunner; close: () => Promise<void> } {
  let worker: Worker | undefined;
  const spawn = () => new Worker(fileURLToPath(import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  const run: CliRunner = (args, cwd) => new Promise<CliOutcome | CliAbort>((resolve) => {
    const w = (worker ??= spawn());
    const t = performance.now();
    const done = (r: CliOutcome | CliAbort) => {
      clearTimeout(timer);
      w.removeAllListeners('message');
      w.removeAllListeners('error');
      w.removeAllListeners('exit');
      resolve(r);
    };
    const cut = (why: string) => {
      worker = undefined;
      void w.terminate();
      done({ aborted: why, ms: performance.now() - t });
    };
    // The bound is twice the reported limit: the check then flags anything over the limit itself.
    const timer = setTimeout(() => cut(`did not finish within ${2 * limitMs} ms`), 2 * limitMs);
    w.on('message', (o: CliOutcome) => done(o));
    w.on('error', (e) => cut(/ERR_WORKER_OUT_OF_MEMORY|heap/i.test(`${(e as NodeJS.ErrnoException).code} ${e.message}`) ? `ran out of its ${heapMb} MB heap` : `worker failed: ${e.message}`));
    w.on('exit', () => cut('worker exited'));
    w.postMessage({ args, cwd });
  });
  return { run, close: async () => { if (worker) await worker.terminate(); } };
}
