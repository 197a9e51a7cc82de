// Trace instruction records show the guest's ring, as the debugger does: the
// ring the guest believes it runs at, not the real CPL the monitor runs it
// at (ring 1 for a kernel under trap, bt and pv).

import { describe, expect, test } from 'vitest';
import { runCli } from '../cli/run.js';

type Rec = Record<string, unknown> & { type: string };

async function ringsOf(args: string[]): Promise<{ pc: number; ring: number }[]> {
  const r = await runCli(['trace', ...args, '--format', 'jsonl', '--events', 'insn']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec).filter((x) => x.type === 'insn')
    .map((x) => ({ pc: x.pc as number, ring: x.ring as number }));
}

describe('trace: the guest ring in instruction records', () => {
  test.each(['trap', 'bt', 'hw'])('hello.s under %s: ring 0 throughout, as natively', async (mode) => {
    const native = await ringsOf(['guests/hello.s']);
    const guest = await ringsOf(['guests/hello.s', '--mode', mode]);
    expect(new Set(native.map((x) => x.ring))).toEqual(new Set([0]));
    expect(new Set(guest.map((x) => x.ring))).toEqual(new Set([0]));
  });

  test.each([['bt', []], ['pv', ['-D', 'PV']]] as const)('tinyos under %s: its kernel at ring 0, its processes at ring 3, never the real ring 1', async (mode, defines) => {
    const recs = await ringsOf(['guests/tinyos/tinyos.s', '--mode', mode, ...defines, '--start-at', 'schedule', '--limit', '3000']);
    const rings = new Set(recs.map((x) => x.ring));
    expect(rings).toEqual(new Set([0, 3]));
  });
});
