// --format perfetto (docs/trace.md, "Perfetto timeline"): the Chrome trace
// event JSON is checked against the format's rules per phase, and its time
// against the modelled cycles and counters `run --json` and `host --json`
// report for the same guest: the slices' durations add up to the cost
// model's totals, and there is one exit slice per counted VM exit.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { buildTimeline, chromeTrace, CYCLES_PER_US, type TimelineInput } from '../../src/trace/perfetto.js';
import type { TraceRecord } from '../../src/trace/records.js';
import { oneErrorLine, runCli } from '../cli/run.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const TIMER = join(ROOT, 'guests/exceptions/timer.s');
const tmp = mkdtempSync(join(tmpdir(), 'virtlab-perfetto-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The Trace Event Format's fields per phase (the events this converter makes).
const id = z.number().int().nonnegative();
const time = z.number().finite().nonnegative();
const Meta = z.discriminatedUnion('name', [
  z.object({ name: z.literal('process_name'), ph: z.literal('M'), pid: id, args: z.object({ name: z.string().min(1) }) }).strict(),
  z.object({ name: z.literal('process_sort_index'), ph: z.literal('M'), pid: id, args: z.object({ sort_index: z.number().int() }) }).strict(),
  z.object({ name: z.literal('thread_name'), ph: z.literal('M'), pid: id, tid: id, args: z.object({ name: z.string().min(1) }) }).strict(),
]);
const Complete = z.object({ name: z.string().min(1), cat: z.enum(['guest', 'monitor']), ph: z.literal('X'), pid: id, tid: id, ts: time, dur: time.positive(), args: z.record(z.string(), z.unknown()) }).strict();
const Instant = z.object({ name: z.string().min(1), cat: z.string().min(1), ph: z.literal('i'), s: z.literal('t'), pid: id, tid: id, ts: time, args: z.record(z.string(), z.unknown()) }).strict();
const Counter = z.object({ name: z.string().min(1), ph: z.literal('C'), pid: id, tid: id.optional(), ts: time, args: z.record(z.string(), z.number().finite()) }).strict();
const Event = z.union([Meta, Complete, Instant, Counter]);
const Trace = z.object({ displayTimeUnit: z.literal('ns'), metadata: z.record(z.string(), z.union([z.string(), z.number()])), traceEvents: z.array(Event) }).strict();
type Ev = z.infer<typeof Event>;
type X = z.infer<typeof Complete>;

/** Cycles from microseconds, rid of the float error (fractional prices, copyByte and jump, make half cycles). */
const exact = (us: number): number => Math.round(us * CYCLES_PER_US * 1000) / 1000;

/** Parse and check a trace: the schema, metadata for every track, and per track ts monotone and slices that do not overlap. */
function checked(json: unknown): Ev[] {
  const events = Trace.parse(json).traceEvents;
  const processes = new Set(events.filter((e) => e.name === 'process_name').map((e) => e.pid));
  const threads = new Set(events.flatMap((e) => (e.ph === 'M' && e.name === 'thread_name' ? [`${e.pid}/${e.tid}`] : [])));
  const lastTs = new Map<string, number>();
  const lastEnd = new Map<string, number>();
  for (const e of events) {
    if (e.ph === 'M') continue;
    expect(processes.has(e.pid), `pid ${e.pid} has a process_name`).toBe(true);
    if (e.ph === 'C') continue;
    const track = `${e.pid}/${e.tid}`;
    expect(threads.has(track), `${track} has a thread_name`).toBe(true);
    expect(e.ts, `${track} ts monotone`).toBeGreaterThanOrEqual(lastTs.get(track) ?? 0);
    lastTs.set(track, e.ts);
    if (e.ph === 'X') {
      // In cycles (1 us = CYCLES_PER_US), where the layout is exact.
      expect(exact(e.ts), `${e.name} after the slice before it`).toBeGreaterThanOrEqual(exact((lastEnd.get(track) ?? 0) / CYCLES_PER_US));
      lastEnd.set(track, (e.ts + e.dur) * CYCLES_PER_US);
    }
  }
  return events;
}

const slices = (events: Ev[], pid?: number): X[] => events.filter((e): e is X => e.ph === 'X' && (pid === undefined || e.pid === pid));
const cycles = (xs: X[]): number => exact(xs.reduce((n, x) => n + x.dur, 0));
const lastCounter = (events: Ev[], pid: number, name: string): number | undefined =>
  events.filter((e) => e.ph === 'C' && e.pid === pid && e.name === name).map((e) => Object.values(e.args as Record<string, number>)[0]!).pop();

async function timeline(args: string[], file: string): Promise<Ev[]> {
  const out = join(tmp, file);
  const r = await runCli(['trace', ...args, '--format', 'perfetto', '-o', out]);
  expect(r.code, r.stderr).toBe(0);
  return checked(JSON.parse(readFileSync(out, 'utf8')));
}

interface RunJson {
  counters: { interrupts: number };
  monitor: { vmExits: number; traps: number; callouts: number; hypercalls: number; injected: number } | null;
  cost: { guestCycles: number; overheadCycles: number; totalCycles: number };
}

describe('virtlab trace --format perfetto', () => {
  test.each([
    ['native', TIMER], ['trap', TIMER], ['bt', TIMER], ['hw', TIMER], ['pv', join(ROOT, 'guests/pv/ticks.s')],
  ])('%s: one process whose slices add up to run --json\'s modelled cycles, a slice per exit, callout or hypercall', async (mode, program) => {
    const events = await timeline([program, '--mode', mode], `${mode}.json`);
    const stats = JSON.parse((await runCli(['run', program, '--mode', mode, '--json'])).stdout) as RunJson;
    const procs = events.filter((e) => e.name === 'process_name');
    expect(procs.map((e) => e.args)).toEqual([{ name: `${basename(program)} (${mode})` }]);
    const pid = procs[0]!.pid;
    const xs = slices(events, pid);
    // The slices tile the whole run from 0: no gap, and the end is the total.
    expect(xs[0]!.ts).toBe(0);
    expect(cycles(xs)).toBe(stats.cost.totalCycles);
    expect(exact(xs.at(-1)!.ts + xs.at(-1)!.dur)).toBe(stats.cost.totalCycles);
    expect(cycles(xs.filter((x) => x.cat === 'guest'))).toBe(stats.cost.guestCycles);
    expect(cycles(xs.filter((x) => x.cat === 'monitor'))).toBe(stats.cost.overheadCycles);
    expect(lastCounter(events, pid, 'modelled')).toBe(stats.cost.totalCycles);
    const instants = (cat: string) => events.filter((e) => e.ph === 'i' && e.cat === cat).length;
    // Interrupts the CPU took are interrupt instants; those a monitor injected, inject instants. Under
    // hw the CPU delivers an injection at VM entry, so the machine counts it as taken too.
    expect(instants('inject')).toBe(stats.monitor?.injected ?? 0);
    expect(instants('interrupt') + (mode === 'hw' ? instants('inject') : 0)).toBe(stats.counters.interrupts);
    if (program === TIMER) expect(stats.counters.interrupts).toBeGreaterThan(0); // pv's ticks are upcalls, not interrupts
    const mon = stats.monitor;
    const eventWords = (x: X) => String(x.args.events).split(' ');
    if (mode === 'native') {
      expect(mon).toBeNull();
      expect(xs.every((x) => x.cat === 'guest')).toBe(true);
    } else if (mode === 'hw') {
      expect(mon!.vmExits).toBeGreaterThan(0);
      expect(xs.filter((x) => x.name.startsWith('exit: ')).length).toBe(mon!.vmExits);
      expect(lastCounter(events, pid, 'vmExits')).toBe(mon!.vmExits);
    } else if (mode === 'pv') {
      expect(mon!.hypercalls).toBeGreaterThan(0);
      expect(xs.filter((x) => x.name.startsWith('hypercall: ')).length).toBe(mon!.hypercalls);
      expect(lastCounter(events, pid, 'hypercalls')).toBe(mon!.hypercalls);
    } else if (mode === 'trap') {
      expect(xs.flatMap(eventWords).filter((w) => w === 'trap').length).toBe(mon!.traps);
      expect(lastCounter(events, pid, 'traps')).toBe(mon!.traps);
    } else {
      expect(xs.flatMap(eventWords).filter((w) => w === 'callout').length).toBe(mon!.callouts);
      expect(lastCounter(events, pid, 'callouts')).toBe(mon!.callouts);
    }
  });

  test('docs/trace.md\'s figures for timer.s natively and under hw are run --json\'s', async () => {
    const doc = readFileSync(join(ROOT, 'docs/trace.md'), 'utf8').replace(/\s+/g, ' ');
    const cost = async (mode: string) => (JSON.parse((await runCli(['run', TIMER, '--mode', mode, '--json'])).stdout) as RunJson).cost;
    const native = await cost('native'), hw = await cost('hw');
    expect(doc).toContain(`${native.guestCycles} cycles natively, ${hw.guestCycles} under hw), and one run is longer than the other by about its monitor slices (${hw.overheadCycles} cycles under hw)`);
  });

  test('one program in two modes: two pids, so their timelines can be opened together', async () => {
    const pid = async (mode: string) => (await timeline([join(ROOT, 'guests/hello.s'), '--mode', mode], `hello-${mode}.json`)).find((e) => e.name === 'process_name')!.pid;
    const pids = await Promise.all(['native', 'trap', 'bt', 'hw'].map(pid));
    expect(new Set(pids).size).toBe(4);
  });

  test('a host: a process per VM, no two slices at once on its one CPU, each VM\'s slices add up to host --json\'s cycles', async () => {
    const vms = ['--vm', `a=${TIMER}:bt`, '--vm', `b=${TIMER}:hw`, '--slice', '200'];
    const events = await timeline(vms, 'host.json');
    const report = JSON.parse((await runCli(['host', ...vms, '--json'])).stdout) as { vms: ({ name: string } & RunJson)[] };
    const procs = events.filter((e) => e.name === 'process_name');
    expect(procs.map((e) => e.args)).toEqual([{ name: 'a (bt)' }, { name: 'b (hw)' }]);
    const all = slices(events).sort((p, q) => p.ts - q.ts);
    for (let i = 1; i < all.length; i++) expect(exact(all[i]!.ts)).toBeGreaterThanOrEqual(exact(all[i - 1]!.ts + all[i - 1]!.dur));
    let switches = 0;
    for (let i = 1; i < all.length; i++) if (all[i]!.pid !== all[i - 1]!.pid) switches++;
    expect(switches).toBeGreaterThan(2); // the VMs' slices interleave
    for (const [i, vm] of report.vms.entries()) {
      const pid = procs[i]!.pid;
      expect(cycles(slices(events, pid)), vm.name).toBe(vm.cost.totalCycles);
      expect(lastCounter(events, pid, 'modelled')).toBe(vm.cost.totalCycles);
    }
    expect(slices(events, procs[1]!.pid).filter((x) => x.name.startsWith('exit: ')).length).toBe(report.vms[1]!.monitor!.vmExits);
    expect(cycles(all)).toBe(report.vms.reduce((n, v) => n + v.cost.totalCycles, 0));
  });

  test('virtlab host --trace FILE writes what virtlab trace writes, and its report prices the same run', async () => {
    const hello = join(ROOT, 'guests/hello.s');
    const vms = ['--vm', `a=${hello}:trap`, '--vm', `b=${hello}:hw`, '--slice', '20'];
    for (const format of ['perfetto', 'jsonl']) {
      const mine = join(tmp, `host-trace.${format}`), theirs = join(tmp, `trace-host.${format}`);
      const h = await runCli(['host', ...vms, '--trace', mine, '--format', format, '--json']);
      expect(h.code, h.stderr).toBe(0);
      expect((await runCli(['trace', ...vms, '--format', format, '-o', theirs])).code).toBe(0);
      expect(readFileSync(mine, 'utf8')).toBe(readFileSync(theirs, 'utf8'));
      if (format !== 'perfetto') continue;
      const events = checked(JSON.parse(readFileSync(mine, 'utf8')));
      const report = JSON.parse(h.stdout) as { vms: RunJson[] };
      expect(cycles(slices(events))).toBe(report.vms.reduce((n, v) => n + v.cost.totalCycles, 0));
    }
    const bad = await runCli(['host', ...vms, '--format', 'perfetto']);
    expect(bad.code).toBe(2);
    expect(oneErrorLine(bad)).toContain('--format is the format of --trace FILE');
    const jit = await runCli(['host', ...vms, '--trace', join(tmp, 'x.json'), '--engine', 'jit']);
    expect(jit.code).toBe(2);
    expect(oneErrorLine(jit)).toContain('--trace runs the host on the interpreter');
  });

  test('a VM keeps its pid from host to host; a lone program\'s process is named by file and mode', async () => {
    const hello = join(ROOT, 'guests/hello.s');
    const one = await timeline(['--vm', `a=${hello}:bt`], 'one.json');
    const two = await timeline(['--vm', `z=${hello}:hw`, '--vm', `a=${hello}:bt`], 'two.json');
    const pidOf = (events: Ev[], name: string) => events.find((e) => e.name === 'process_name' && (e.args as { name: string }).name === name)!.pid;
    expect(pidOf(two, 'a (bt)')).toBe(pidOf(one, 'a (bt)'));
    expect(pidOf(two, 'z (hw)')).not.toBe(pidOf(two, 'a (bt)'));
  });

  test('a lone VM\'s frames are instants of its own process, counted on a frames track', async () => {
    const events = await timeline([join(ROOT, 'guests/net/pingpong.s'), '-D', 'COUNT=2', '--nic', 'virtio', '--mode', 'hw'], 'net.json');
    const frames = events.filter((e) => e.ph === 'i' && e.cat === 'frame');
    const procs = new Map(events.filter((e) => e.name === 'process_name').map((e) => [e.pid, (e.args as { name: string }).name]));
    expect(frames.filter((f) => procs.get(f.pid) === 'pingpong.s (hw)').length).toBeGreaterThan(0);
    // A lone VM's network records are all its own (docs/trace.md: the tracer gives them to the VM).
    expect(frames.every((f) => procs.get(f.pid) === 'pingpong.s (hw)')).toBe(true);
    expect(lastCounter(events, frames[0]!.pid, 'frames')).toBe(frames.length);
  });

  test('writes JSON to stdout without -o, the console to stderr', async () => {
    const r = await runCli(['trace', join(ROOT, 'guests/hello.s'), '--format', 'perfetto']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Hello');
    expect(checked(JSON.parse(r.stdout)).length).toBeGreaterThan(3);
  });

  test.each([
    [['--events', 'monitor'], '--events does not apply to --format perfetto'],
    [['--limit', '10', '--start-at', '_start'], '--limit, --start-at do not apply to --format perfetto'],
  ])('refuses %j with one line', async (extra, message) => {
    const r = await runCli(['trace', TIMER, '--format', 'perfetto', ...extra]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toContain(message);
  });

  test('refuses --vm NAME on a host with one line: the timeline shows every VM', async () => {
    const r = await runCli(['trace', join(ROOT, 'guests/hosts/three-modes.json'), '--vm', 'hw', '--format', 'perfetto']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toContain('a perfetto timeline shows every VM');
  });
});

describe('buildTimeline', () => {
  const rec = (r: Partial<TraceRecord> & { type: TraceRecord['type'] }): TraceRecord => r as TraceRecord;
  const sample = (guest: number, overhead: number, instructions: number, overheadBy: Record<string, number> = {}) =>
    ({ guest, overhead, instructions, counts: {}, overheadBy });

  test('lays two VMs\' samples end to end on one axis, a monitor slice after the guest part of its step', () => {
    const input: TimelineInput = {
      preset: 'p4-2006',
      vms: [{ name: 'a', mode: 'hw' }, { name: 'b', mode: 'trap' }],
      entries: [
        { vm: 'a', cycles: sample(10, 0, 10) },
        { vm: 'a', record: rec({ type: 'monitor', step: 11, event: 'vmexit', reason: 'io', pc: 64 }) },
        { vm: 'a', cycles: sample(11, 100, 11, { 'VM exits': 100 }) },
        { vm: 'b', cycles: sample(5, 0, 5) },
        { vm: null, record: rec({ type: 'frame', step: 20, event: 'tx', where: 'wire' }) },
        { vm: 'b', record: rec({ type: 'interrupt', step: 20, line: 0 }) },
        { vm: 'b', record: rec({ type: 'monitor', step: 20, event: 'trap', name: 'interrupt line 0', pc: 8 }) },
        { vm: 'b', record: rec({ type: 'monitor', step: 20, event: 'inject', line: 0, epc: 8 }) },
        { vm: 'b', cycles: sample(5, 50, 5) },
        { vm: 'a', cycles: sample(21, 100, 21) },
      ],
    };
    const t = buildTimeline(input);
    const [a, b] = t.vms;
    expect(a!.slices.map((s) => [s.kind, s.name, s.start, s.dur])).toEqual([
      ['guest', 'guest', 0, 11], ['monitor', 'exit: io', 11, 100], ['guest', 'guest', 166, 10],
    ]);
    expect(a!.slices[1]!.args).toMatchObject({ cycles: 100, pc: 64, step: 11, exits: 1, cost: { 'VM exits': 100 } });
    expect(b!.slices.map((s) => [s.kind, s.name, s.start, s.dur])).toEqual([['guest', 'guest', 111, 5], ['monitor', 'inject: line 0', 116, 50]]);
    // The step's records sit where its guest part ends, on their own VM's track (the wire's on the network's);
    // an injection where the monitor's work for it ends.
    expect(b!.instants.map((i) => [i.name, i.at])).toEqual([['interrupt line 0', 116], ['inject line 0', 166]]);
    expect(t.network.instants.map((i) => [i.name, i.at])).toEqual([['frame tx wire', 116]]);
    expect(t.end).toBe(176);
    const json = chromeTrace(t);
    checked(json);
    expect(json.traceEvents.filter((e) => e.name === 'process_name').map((e) => e.args)).toEqual([{ name: 'a (hw)' }, { name: 'b (trap)' }, { name: 'network (no VM)' }]);
  });

  test('monitor work the model does not price is an instant; overhead with no monitor record is named by its cost row', () => {
    const t = buildTimeline({
      preset: 'p4-2006',
      vms: [{ name: 'g', mode: 'hw' }],
      entries: [
        { vm: 'g', record: rec({ type: 'monitor', step: 1, event: 'chain', pc: 4 }) },
        { vm: 'g', cycles: sample(3, 0, 3) },
        { vm: 'g', cycles: sample(4, 20, 4, { 'EPT entries read': 20 }) },
      ],
    });
    expect(t.vms[0]!.instants.map((i) => [i.category, i.name, i.at])).toEqual([['monitor', 'chain', 3]]);
    expect(t.vms[0]!.slices.map((s) => [s.kind, s.name, s.start, s.dur])).toEqual([['guest', 'guest', 0, 4], ['monitor', 'EPT entries read', 4, 20]]);
  });
});
