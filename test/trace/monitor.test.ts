// Under --mode trap the trace carries `monitor` records: what the monitor did
// about each real trap, placed right after that trap's `exception`/`interrupt` record.

import { describe, expect, test } from 'vitest';
import { runCli } from '../cli/run.js';

type Rec = Record<string, unknown> & { type: string; step: number };

async function jsonl(args: string[]): Promise<Rec[]> {
  const r = await runCli(['trace', ...args, '--format', 'jsonl']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

const byStep = (recs: Rec[]): Map<number, Rec[]> => {
  const m = new Map<number, Rec[]>();
  for (const r of recs) m.set(r.step, [...(m.get(r.step) ?? []), r]);
  return m;
};

describe('trace --mode trap: monitor records', () => {
  test('hello.s: one emulate record per `out`, at the out pcs, after the hooked protection fault', async () => {
    const recs = await jsonl(['guests/hello.s', '--mode', 'trap']);
    const outs = recs.filter((r) => r.type === 'insn' && String(r.disasm).startsWith('out '));
    const emulates = recs.filter((r) => r.type === 'monitor' && r.event === 'emulate' && r.mnemonic !== 'halt');
    expect(outs).toHaveLength(20);
    expect(emulates).toHaveLength(20);
    expect(recs.filter((r) => r.type === 'monitor' && r.mnemonic === 'halt')).toHaveLength(1);
    expect(emulates.map((e) => [e.step, e.pc, e.mnemonic, e.sym])).toEqual(outs.map((o) => [o.step, o.pc, 'out', o.sym]));
    // Order within the step: insn, the real trap (to the hook), the monitor's trap and emulate, then the console write.
    const steps = byStep(recs);
    const first = steps.get(outs[0]!.step)!.map((r) => (r.type === 'monitor' ? `monitor:${String(r.event)}` : r.type));
    expect(first).toEqual(['insn', 'exception', 'monitor:trap', 'monitor:emulate', 'io']);
    expect(steps.get(outs[0]!.step)![1]).toMatchObject({ delivered: 'hook', name: 'protection fault' });
  });

  test('natively there are none, and --events monitor keeps only them', async () => {
    const native = await jsonl(['guests/hello.s']);
    expect(native.some((r) => r.type === 'monitor')).toBe(false);
    const only = await jsonl(['guests/hello.s', '--mode', 'trap', '--events', 'monitor']);
    expect(only.length).toBeGreaterThan(20);
    expect(only.every((r) => r.type === 'monitor')).toBe(true);
  });

  test('tinyos: the cli after rdflags is emulated; wrflags never traps, so no monitor record', async () => {
    const recs = await jsonl(['guests/tinyos/tinyos.s', '--mode', 'trap', '--limit', '150000']);
    const steps = byStep(recs);
    const insns = recs.filter((r) => r.type === 'insn');
    const wrflags = insns.filter((r) => String(r.disasm).startsWith('wrflags'));
    expect(wrflags.length).toBeGreaterThan(0);
    for (const w of wrflags) expect(steps.get(w.step)!.filter((r) => r.type === 'monitor')).toEqual([]);
    // PRIV_IRQ_SAVE is `rdflags; cli`: each such cli is emulated at its own pc.
    const saveClis = insns.filter((r, i) => String(r.disasm) === 'cli' && String(insns[i - 1]?.disasm).startsWith('rdflags'));
    expect(saveClis.length).toBeGreaterThan(0);
    for (const c of saveClis) {
      expect(steps.get(c.step)!.filter((r) => r.type === 'monitor' && r.event === 'emulate'))
        .toEqual([expect.objectContaining({ pc: c.pc, mnemonic: 'cli' })]);
    }
  });

  test('text format names the event', async () => {
    const r = await runCli(['trace', 'guests/hello.s', '--mode', 'trap', '--limit', '30']);
    expect(r.stdout).toMatch(/^ +7 {2}monitor {5}emulate out pc 0x00001010 <_start\+0x10>$/m);
  });
});
