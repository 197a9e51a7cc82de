// Traces under --mode bt show the guest: the guest pc and code of every step
// run from the translation cache, the translation beside it, overhead steps
// marked, and traps in the cache at guest pcs (docs/trace.md, "Under binary
// translation").

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runCli } from '../cli/run.js';

type Rec = Record<string, unknown> & { type: string; step: number };

const DOC = readFileSync(new URL('../../docs/trace.md', import.meta.url), 'utf8');
const TC_BASE = 0xffc00000;
const ROLES = ['ident', 'const', 'branch', 'exit', 'chain', 'callout', 'stub'];
const BT_INSN_FIELDS = ['tc', 'tcWord', 'tcDisasm', 'tcRole', 'overhead'];

async function jsonl(args: string[]): Promise<Rec[]> {
  const r = await runCli(['trace', ...args, '--format', 'jsonl']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

const insns = (recs: Rec[]) => recs.filter((r) => r.type === 'insn');
/** The records of a bt trace that are guest instructions retired (docs/trace.md's jq line). */
const guestRetired = (recs: Rec[]) => insns(recs).filter((r) => r.overhead === false && r.retired === true);
const guestView = (r: Rec) => [r.pc, r.word, r.disasm, r.sym, r.src];

const hello = {
  native: jsonl(['guests/hello.s']),
  bt: jsonl(['guests/hello.s', '--mode', 'bt']),
};

describe('trace --mode bt', () => {
  test('hello.s: its guest instructions are the native trace\'s, with the same pc, word, disassembly, symbol and line', async () => {
    const native = insns(await hello.native);
    const bt = await hello.bt;
    expect(native.length).toBeGreaterThan(100);
    expect(guestRetired(bt).map(guestView)).toEqual(native.map(guestView));
    // The kernel ran from the cache: every step there names its TC address; none ran at its own address.
    for (const r of insns(bt)) expect(r.tc as number).toBeGreaterThanOrEqual(TC_BASE);
    expect(insns(bt).length).toBeGreaterThan(native.length); // shadow faults and translation overhead
  });

  test('tinyos: the same guest pcs as natively until the first timer tick reaches the guest', async () => {
    const [native, bt] = await Promise.all([
      jsonl(['guests/tinyos/tinyos.s', '--limit', '90000']),
      jsonl(['guests/tinyos/tinyos.s', '--mode', 'bt', '--limit', '100000']),
    ]);
    const untilFirst = (recs: Rec[], stop: (r: Rec) => boolean) => {
      const end = recs.findIndex(stop);
      expect(end).toBeGreaterThan(0);
      return recs.slice(0, end);
    };
    const nativePcs = untilFirst(native, (r) => r.type === 'interrupt').filter((r) => r.type === 'insn' && r.retired).map((r) => r.pc);
    const btPcs = guestRetired(untilFirst(bt, (r) => r.type === 'monitor' && r.event === 'inject')).map((r) => r.pc);
    // Translation takes real time: the first tick reaches the guest a little earlier in guest instructions.
    expect(btPcs.length).toBeGreaterThan(50000);
    expect(btPcs.length).toBeLessThanOrEqual(nativePcs.length);
    expect(btPcs).toEqual(nativePcs.slice(0, btPcs.length));
    // Guest processes run directly: their steps have no translation and are never overhead.
    const user = insns(bt).filter((r) => r.ring === 3);
    expect(user.length).toBeGreaterThan(100);
    for (const r of user) expect([r.tc, r.tcWord, r.tcDisasm, r.tcRole, r.overhead]).toEqual([null, null, null, null, false]);
  });

  test('every step in the cache shows its translated word and role; overhead steps follow their guest instruction', async () => {
    const bt = insns(await hello.bt);
    const roles = new Set<unknown>();
    let previous: Rec | undefined;
    for (const r of bt) {
      expect(ROLES).toContain(r.tcRole);
      roles.add(r.tcRole);
      expect(typeof r.tcWord).toBe('number');
      expect(typeof r.tcDisasm).toBe('string');
      if (r.tcRole === 'ident') expect([r.tcWord, r.overhead]).toEqual([r.word, false]);
      if (r.tcRole === 'exit' || r.tcRole === 'callout') expect(r.tcDisasm).toMatch(/^hcall /);
      // A chained guest jal is a jal (a jump of the guest's); any other chained exit an always-taken branch.
      if (r.tcRole === 'chain') expect(r.tcDisasm).toMatch(/^(jal zero|beq zero, zero), 0xffc/);
      if (r.overhead) {
        expect(r.pc).toBe(previous!.pc); // the guest instruction whose translation it continues
        expect(['exit', 'chain', 'const']).toContain(r.tcRole);
      }
      previous = r;
    }
    // beqz: local branch, then an exit (chained after its first use); out: a callout; j: an exit, then chained.
    expect([...roles].sort()).toEqual(['branch', 'callout', 'chain', 'exit', 'ident']);
    const beqz = bt.filter((r) => r.pc === 0x100c);
    expect(beqz.filter((r) => !r.overhead).every((r) => r.tcRole === 'branch' && r.disasm === 'beq t0, zero, _start+0x1c')).toBe(true);
    expect(beqz.filter((r) => r.overhead).length).toBe(beqz.filter((r) => !r.overhead).length); // one exit each
  });

  test('traps in the cache show the guest pc with the real one in tc; translate, callout and chain records appear', async () => {
    const bt = await hello.bt;
    const insnAt = new Map(insns(bt).map((r) => [r.step, r]));
    const traps = bt.filter((r) => r.type === 'monitor' && r.event === 'trap');
    const exceptions = bt.filter((r) => r.type === 'exception');
    expect(traps.length).toBeGreaterThan(20);
    expect(exceptions.length).toBe(traps.length);
    for (const t of [...traps, ...exceptions]) {
      const i = insnAt.get(t.step)!;
      expect([t.pc, t.tc]).toEqual([i.pc, i.tc]);
      expect(t.pc as number).toBeLessThan(TC_BASE);
    }
    const events = (kind: string) => bt.filter((r) => r.type === 'monitor' && r.event === kind);
    // One callout per `out` (20 bytes printed), each at the out's guest pc, and the halt.
    const outs = events('callout').filter((r) => r.callout === 'emulate' && r.what === 'out');
    expect(outs).toHaveLength(20);
    for (const o of outs) expect([o.pc, o.sym]).toEqual([0x1010, '_start+0x10']);
    expect(events('callout').filter((r) => r.what === 'halt')).toHaveLength(1);
    const translations = events('translate');
    expect(translations.length).toBeGreaterThanOrEqual(3);
    for (const t of translations) {
      expect(t.tc as number).toBeGreaterThanOrEqual(TC_BASE);
      expect(t.insns as number).toBeGreaterThan(0);
      expect(t.words as number).toBeGreaterThan(0);
    }
    expect(events('chain').length).toBeGreaterThan(0);
    expect(events('chain').every((c) => typeof c.target === 'number' && (c.target as number) < TC_BASE)).toBe(true);
    // In text, the real pc follows in brackets.
    const text = (await runCli(['trace', 'guests/hello.s', '--mode', 'bt', '--limit', '8'])).stdout;
    expect(text).toMatch(/^ +3 {2}monitor {5}trap page fault \(cause 0x00000003\) pc 0x00001008 <_start\+0x8> \[tc 0xffc0000c\]$/m);
  });

  test('natively and under trap records have no bt fields (those traces are unchanged)', async () => {
    const trap = await jsonl(['guests/hello.s', '--mode', 'trap']);
    for (const r of [...(await hello.native), ...trap]) {
      if (r.type === 'insn') expect(Object.keys(r).filter((k) => BT_INSN_FIELDS.includes(k))).toEqual([]);
      if (r.type === 'exception' || r.type === 'interrupt') expect('tc' in r).toBe(false);
    }
  });

  test('--start-at takes a guest address of translated kernel code', async () => {
    const native = await jsonl(['guests/tinyos/tinyos.s', '--start-at', 'schedule', '--limit', '2']);
    const bt = await jsonl(['guests/tinyos/tinyos.s', '--mode', 'bt', '--start-at', 'schedule', '--limit', '2']);
    expect(bt.map((r) => [r.type, r.pc, r.sym, r.overhead])).toEqual([
      ['insn', native[0]!.pc, 'schedule', false], ['insn', native[1]!.pc, 'schedule+0x4', false],
    ]);
    expect(bt[0]!.tc as number).toBeGreaterThanOrEqual(TC_BASE);
  });

  test('docs/trace.md lists the fields bt adds, in order, and bt records have exactly those after the usual ones', async () => {
    const section = DOC.split('### Fields added under `--mode bt`')[1]!.split(/^### /m)[0]!;
    const added = new Map<string, string[]>();
    for (const m of section.matchAll(/^\| `([a-z-]+)` \| `([a-zA-Z]+)` \|/gm)) added.set(m[1]!, [...(added.get(m[1]!) ?? []), m[2]!]);
    expect(added.get('insn')).toEqual(BT_INSN_FIELDS);
    const native = [...(await hello.native), ...(await jsonl(['guests/exceptions/timer.s'])), ...(await jsonl(['guests/exceptions/pagefault.s']))];
    const bt = [...(await hello.bt), ...(await jsonl(['guests/exceptions/timer.s', '--mode', 'bt']))];
    const keysOf = (recs: Rec[], type: string) => Object.keys(recs.find((r) => r.type === type)!);
    for (const type of ['insn', 'exception', 'interrupt']) {
      expect(keysOf(bt, type), type).toEqual([...keysOf(native, type), ...(added.get(type) ?? [])]);
    }
    expect([...added.keys()].sort()).toEqual(['exception', 'insn', 'interrupt']);
  });

  test('the bt sample lines of docs/trace.md come from a real trace', async () => {
    const text = (await runCli(['trace', 'guests/hello.s', '--mode', 'bt'])).stdout;
    const section = DOC.split('### Text lines under `--mode bt`')[1]!;
    const samples = [...section.matchAll(/```\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l !== ''));
    expect(samples.length).toBeGreaterThan(8);
    for (const line of samples) expect(text, line).toContain(line + '\n');
  });
});
