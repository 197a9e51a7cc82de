// Tracing a host: each VM's instruction records, its name taken off, are the
// records a lone trace of that VM makes, whatever runs beside it and however
// short the slices; --vm keeps the named VMs' records; --limit counts the
// records kept; `vm` is the first JSONL field; errors are one line.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import { memorySink, Symbolizer, traceHost, traceRun } from '../../src/trace/index.js';
import { createVm } from '../../src/vmm/index.js';
import { oneErrorLine, runCli } from '../cli/run.js';
import { GUESTS, guestImage } from '../vmm/helpers.js';

function build(path: string, defines: Record<string, number> = {}): Image {
  const r = assembleFile(path, { defines });
  if (!r.image) throw new Error(`${path} does not assemble`);
  return r.image;
}

const tinyos = guestImage('tinyos/tinyos.s');
const VMS: HostVmConfig[] = [
  { name: 'bt', image: tinyos, mode: 'bt' },
  { name: 'pv', image: build(join(GUESTS, 'tinyos/tinyos.s'), { PV: 1 }), mode: 'pv' },
  { name: 'hw', image: tinyos, mode: 'hw' },
  { name: 'timer', image: guestImage('exceptions/timer.s'), mode: 'trap', guestMemory: 1 << 20 },
];
/** Instruction records compared per VM (timer.s makes fewer: all of them). */
const N = 2500;

type Rec = Record<string, unknown>;

/** The JSONL records of a lone trace of `c`, as `virtlab trace --mode MODE` makes them. */
function lone(c: HostVmConfig, limit: number): Rec[] {
  const vm = createVm({ image: c.image, mode: c.mode, ...(c.guestMemory ? { guestMemory: c.guestMemory } : {}) });
  const sink = memorySink();
  traceRun({
    engine: { name: vm.engine.name, machine: vm.machine, step: () => vm.step(), run: (b?: number) => vm.run(b) },
    symbolizer: new Symbolizer(c.image), sink, format: 'jsonl', maxSteps: 100_000_000, monitor: vm.monitor!, limit,
  });
  return sink.lines.map((l) => JSON.parse(l) as Rec);
}

function hosted(slice: number, o: { limit?: number; vms?: string[]; maxSteps?: number } = {}) {
  const sink = memorySink();
  const host = new Host({ vms: VMS, slice });
  const r = traceHost({ host, sink, format: 'jsonl', maxSteps: o.maxSteps ?? 100_000_000, ...o });
  return { r, records: sink.lines.map((l) => JSON.parse(l) as Rec) };
}

/**
 * What the guest sees of an instruction record: all but the step (the host's
 * steps count every VM's) and the physical addresses (each VM's window lies
 * elsewhere in host RAM).
 */
function guestView(r: Rec): Rec {
  const { vm: _vm, step: _step, mem, ...rest } = r;
  return { ...rest, mem: (mem as Rec[]).map(({ paddr: _p, ...m }) => m) };
}

const insns = (records: Rec[]) => records.filter((r) => r.type === 'insn').map(guestView);

describe('a host trace (library)', () => {
  const ALONE = new Map(VMS.map((c) => [c.name, lone(c, 3 * N)]));

  test.each([997, 50])('slices of %i: each VM\'s instruction records are its lone trace\'s', (slice) => {
    const { r, records } = hosted(slice, { limit: 8 * N });
    expect(r.end).toBe('limit');
    expect(r.records).toBe(8 * N);
    // The VMs really interleave: the record stream changes VM many times.
    const switches = records.filter((rec, i) => i > 0 && rec.vm !== records[i - 1]!.vm).length;
    expect(switches).toBeGreaterThan(slice === 50 ? 100 : 4);
    for (const c of VMS) {
      const mine = insns(records.filter((rec) => rec.vm === c.name));
      const alone = insns(ALONE.get(c.name)!);
      const n = Math.min(N, alone.length);
      expect(mine.length, c.name).toBeGreaterThanOrEqual(n);
      expect(mine.slice(0, n), c.name).toEqual(alone.slice(0, n));
    }
  });

  test('every record leads with vm, then the fields of the same record type alone, in their order', () => {
    const { records } = hosted(997, { limit: 8 * N });
    // Per VM: under bt some records have fields of their own (docs/trace.md, "Under binary translation").
    const order = new Map<string, string[]>();
    for (const [vm, recs] of ALONE) for (const rec of recs) if (!order.has(`${vm} ${rec.type}`)) order.set(`${vm} ${rec.type}`, Object.keys(rec));
    const types = new Set<string>();
    for (const rec of records) {
      expect(Object.keys(rec)[0]).toBe('vm');
      const alone = order.get(`${rec.vm} ${rec.type}`);
      if (alone) {
        types.add(rec.type as string);
        expect(Object.keys(rec).slice(1), `${rec.vm} ${rec.type}`).toEqual(alone);
      }
    }
    expect(types.size).toBeGreaterThan(5);
  });

  test('--vm: the records of the VMs named, exactly those a whole trace holds of them', () => {
    const all = hosted(997, { maxSteps: 40_000 });
    const some = hosted(997, { maxSteps: 40_000, vms: ['pv', 'timer'] });
    expect(all.r.end).toBe('budget');
    const picked = all.records.filter((rec) => rec.vm === 'pv' || rec.vm === 'timer');
    expect(new Set(some.records.map((rec) => rec.vm))).toEqual(new Set(['pv', 'timer']));
    expect(some.records).toEqual(picked);
    expect(some.r.records).toBe(picked.length);
  });

  test('--limit counts the records kept, of the VMs kept', () => {
    const { r, records } = hosted(50, { limit: 333, vms: ['hw'] });
    expect(r.end).toBe('limit');
    expect(records).toHaveLength(333);
    expect(records.every((rec) => rec.vm === 'hw')).toBe(true);
  });
});

const guest = (name: string) => new URL(`../../guests/${name}`, import.meta.url).pathname;
const HELLO = `hello=${guest('hello.s')}:trap`;
const TIMER = `timer=${guest('exceptions/timer.s')}:hw`;
const DOC = readFileSync(new URL('../../docs/trace.md', import.meta.url), 'utf8');

describe('virtlab trace on a host', () => {
  test('text: each line led by its VM\'s name, a closing line, console lines prefixed on stderr', async () => {
    const r = await runCli(['trace', '--vm', HELLO, '--vm', TIMER, '--slice', '5', '--limit', '30']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(31);
    expect(lines.slice(0, 30).every((l) => /^(hello|timer) \| +\d+ {2}/.test(l))).toBe(true);
    expect(new Set(lines.slice(0, 30).map((l) => l.split(' ')[0]))).toEqual(new Set(['hello', 'timer']));
    expect(lines[30]).toMatch(/^-- trace limit of 30 records reached at step \d+; host stopped$/);
    expect(r.stderr).toMatch(/^hello \| H/);
  });

  test('a .json program or --host: the configuration\'s VMs; jsonl has vm first; --limit N gives N lines', async () => {
    const config = guest('hosts/three-modes.json');
    const a = await runCli(['trace', config, '--format', 'jsonl', '--limit', '150', '--vm', 'pv,hw', '--slice', '20']);
    const b = await runCli(['trace', '--host', config, '--format', 'jsonl', '--limit', '150', '--vm', 'pv', '--vm', 'hw', '--slice', '20']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const recs = a.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Rec);
    expect(recs).toHaveLength(150);
    expect(new Set(recs.map((rec) => rec.vm))).toEqual(new Set(['pv', 'hw']));
    for (const rec of recs) expect(Object.keys(rec).slice(0, 3)).toEqual(['vm', 'type', 'step']);
  });

  test('a host run to its end exits as virtlab host does', async () => {
    const r = await runCli(['trace', '--vm', HELLO, '--vm', TIMER, '--events', 'io']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^-- every VM stopped after \d+ steps$/);
    const budget = await runCli(['trace', '--vm', HELLO, '--vm', TIMER, '--events', 'io', '--max-steps', '300']);
    expect(budget.code).toBe(124);
    expect(budget.stderr).toContain('virtlab: step budget of 300 steps used up (raise it with --max-steps); still running: timer\n');
  });

  test.each([
    [['--vm', 'bx'], /^virtlab: --vm bx: no VM of the host is named so \(did you mean bt\?\); its VMs are bt, pv, hw$/],
    [['--mode', 'bt'], /^virtlab: --mode applies to a lone program; /],
    [['--start-at', '_start'], /^virtlab: --start-at applies to a lone program; /],
    [[guest('hello.s')], /^virtlab: give a program or --host CONFIG, not both/],
  ])('%j on a host: one error line', async (args, message) => {
    const r = await runCli(['trace', '--host', guest('hosts/three-modes.json'), ...args]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test.each([
    [['--vm', 'bt'], /^virtlab: --vm bt keeps the records of a host's VMs: give a host with --host CONFIG/],
    [['--slice', '10'], /^virtlab: --slice applies to a host/],
  ])('%j without a host: one error line', async (args, message) => {
    const r = await runCli(['trace', guest('hello.s'), ...args]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(message);
  });

  test('docs/trace.md: the sample of "On a host" comes from a real run', async () => {
    const section = DOC.split('## On a host')[1]!.split(/\n## /)[0]!;
    const sample = [...section.matchAll(/^(?:hello|timer) \| .*$/gm)].map((m) => m[0]);
    expect(sample.length).toBeGreaterThan(8);
    const r = await runCli(['trace', '--vm', HELLO, '--vm', TIMER, '--slice', '5', '--limit', '30']);
    for (const line of sample) expect(r.stdout, line).toContain(line + '\n');
  });
});
