// restart puts the machine back at reset, under either engine, lone or a
// host: the next run repeats the first bit for bit (console, counters), and
// the console events say the output started over.

import { describe, expect, test } from 'vitest';
import type { Configuration } from '../../src/playground/protocol.js';
import { consoleOf, lone, newSession } from './helpers.js';

const host = (engine: 'jit' | 'interp'): Configuration => ({
  engine, costModel: 'p4-2006',
  vms: (['bt', 'hw'] as const).map((mode) => ({ name: mode, program: { kind: 'catalog', path: 'guests/tinyos/tinyos.s' }, mode })),
});

describe.each(['jit', 'interp'] as const)('under %s', (engine) => {
  test.each([
    ['tinyos under bt', lone('guests/tinyos/tinyos.s', { mode: 'bt' }, { engine })],
    ['a host of two', host(engine)],
  ] as const)('%s: a second run after restart is the first one again', async (_what, config) => {
    const s = newSession();
    await s.ok({ type: 'load', config });
    const names = config.vms.map((v) => v.name);
    const first = await s.ok({ type: 'run' });
    expect(first.stopped).toBe('ended');
    const snaps = async () => Promise.all(names.map(async (vm) => (await s.ok({ type: 'snapshot', vm })).state));
    const a = await snaps();
    const restarted = await s.ok({ type: 'restart' });
    expect(restarted.steps).toBe(0);
    expect(restarted.vms.every((v: { state: string }) => v.state === 'runnable')).toBe(true);
    for (const vm of names) expect(consoleOf(s.events, vm)).toBe('');
    const second = await s.ok({ type: 'run' });
    expect(second.steps).toBe(first.steps);
    const b = await snaps();
    for (let i = 0; i < names.length; i++) {
      expect(b[i]!.console).toBe(a[i]!.console);
      expect(b[i]!.counters).toEqual(a[i]!.counters);
      expect(consoleOf(s.events, names[i]!)).toBe(a[i]!.console);
    }
  });
});
