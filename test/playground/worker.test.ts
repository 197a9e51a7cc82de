// The worker's message loop in Node, over a fake worker scope: responses in
// order, progress and console events during a long run, and a stop that
// reaches a running request between two chunks, for the jit's runs and the
// debugger's. The run-time path of the worker imports no node: module but
// the two the bundle aliases.

import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startWorker, type WorkerScope } from '../../src/playground/worker-loop.js';
import type { Configuration, Response, WorkerMessage } from '../../src/playground/protocol.js';
import { catalog } from './helpers.js';
import { moduleGraph } from './module-graph.js';

/** A scope whose posted messages are collected; `until` waits for one. */
function fakeScope() {
  const posted: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  const scope: WorkerScope = {
    onmessage: null,
    postMessage: (m) => { posted.push(m as WorkerMessage); wake?.(); },
  };
  const until = async (pred: (m: WorkerMessage) => boolean): Promise<WorkerMessage> => {
    for (;;) {
      const found = posted.find(pred);
      if (found) return found;
      await new Promise<void>((r) => { wake = r; });
    }
  };
  const send = (data: unknown) => scope.onmessage!({ data });
  return { scope, posted, until, send };
}

const isResponse = (id: number) => (m: WorkerMessage): boolean => 'id' in m && m.id === id;

/** A guest that prints a dot every 1000 iterations, for ever. */
const SPIN = `        .text
_start: li      t1, 0
loop:   addi    t1, t1, 1
        andi    t2, t1, 1023
        bnez    t2, loop
        li      t0, '.'
        out     t0, 0x10(zero)
        j       loop
`;

const spinConfig = (engine: 'jit' | 'interp'): Configuration => ({
  engine, costModel: 'p4-2006', maxSteps: 1e15,
  vms: [{ name: 'spin', mode: 'bt', program: { kind: 'source', file: 'spin.s', text: SPIN } }],
});

describe.each(['jit', 'interp'] as const)('under %s', (engine) => {
  test('a long run posts progress and console output, and stops on request', async () => {
    const w = fakeScope();
    startWorker(w.scope, catalog());
    w.send({ id: 1, type: 'load', config: spinConfig(engine) });
    w.send({ id: 2, type: 'run' });
    const load = await w.until(isResponse(1)) as Response;
    expect(load.ok).toBe(true);
    // Progress, and a dot on the console: the run is well under way; then stop it.
    await w.until((m) => m.type === 'progress' && m.steps > 0);
    await w.until((m) => m.type === 'console');
    w.send({ id: 3, type: 'stop' });
    const ack = await w.until(isResponse(3));
    expect(ack).toEqual({ id: 3, ok: true, type: 'ack' });
    const run = await w.until(isResponse(2)) as Extract<Response, { type: 'run' }>;
    expect(run.ok).toBe(true);
    expect(run.stopped).toBe('requested');
    expect(run.vms[0]!.state).toBe('runnable');
    // The run answered after the stop's acknowledgement, and the console posted dots meanwhile.
    expect(w.posted.indexOf(ack)).toBeLessThan(w.posted.indexOf(run));
    const dots = w.posted.filter((m) => m.type === 'console').map((m) => (m as { text: string }).text).join('');
    expect(dots).toMatch(/^\.+$/);
    // The machine is where the progress said it was going: responses after it see the same steps.
    w.send({ id: 4, type: 'snapshot' });
    const snap = await w.until(isResponse(4)) as Extract<Response, { type: 'snapshot' }>;
    expect(snap.state.counters.machine.steps).toBe(run.steps);
    expect(snap.state.console).toBe(dots);
  }, 60_000);
});

test('a stop posted while a run waits its turn stops that run before it starts; the next run runs', async () => {
  const w = fakeScope();
  startWorker(w.scope, catalog());
  w.send({ id: 1, type: 'load', config: spinConfig('jit') });
  w.send({ id: 2, type: 'run' });
  w.send({ id: 3, type: 'stop' });
  expect(w.posted[0]).toEqual({ id: 3, ok: true, type: 'ack' }); // answered before anything queued ran
  const run = await w.until(isResponse(2)) as Extract<Response, { type: 'run' }>;
  expect(run.stopped).toBe('requested');
  expect(run.steps).toBe(0);
  w.send({ id: 4, type: 'run' });
  await w.until((m) => m.type === 'console');
  w.send({ id: 5, type: 'stop' });
  const again = await w.until(isResponse(4)) as Extract<Response, { type: 'run' }>;
  expect(again.stopped).toBe('requested');
  expect(again.steps).toBeGreaterThan(0);
});

test('a malformed message gets a failure and the loop goes on', async () => {
  const w = fakeScope();
  startWorker(w.scope, catalog());
  w.send('garbage');
  w.send({ id: 7, type: 'catalog' });
  const bad = await w.until((m) => 'id' in m && m.id === -1);
  expect(bad).toEqual({ id: -1, ok: false, type: 'error', error: 'malformed request: not an object' });
  const cat = await w.until(isResponse(7)) as Extract<Response, { type: 'catalog' }>;
  expect(cat.entries.length).toBeGreaterThan(10);
});

test('the worker\'s run-time path imports no node: module but node:path and node:fs (aliased in the bundle)', () => {
  const { external, files } = moduleGraph(resolve(__dirname, '../../src/playground/worker-entry.ts'));
  expect(files.size).toBeGreaterThan(100); // the graph really was followed
  const node = [...external.keys()].filter((k) => k.startsWith('node:') || ['fs', 'path', 'os', 'url', 'crypto'].includes(k)).sort();
  expect(node).toEqual(['node:fs', 'node:path']);
  // node:path: the assembler's includes (absolute paths only: no working directory needed) and the tracer's basename
  // (the timeline); node:fs: the default file reader, which the worker never calls (it reads the catalog).
  const rel = (k: string) => external.get(k)!.map((f) => f.slice(resolve(__dirname, '../..').length + 1)).sort();
  expect(rel('node:path')).toEqual(['src/asm/preprocess.ts', 'src/trace/format-text.ts']);
  expect(rel('node:fs')).toEqual(['src/util/regular-file.ts']);
  expect([...external.keys()].filter((k) => !k.startsWith('node:')).sort()).toEqual(['jsonc-parser', 'moo', 'virtlab:guest-catalog', 'zod']);
});
