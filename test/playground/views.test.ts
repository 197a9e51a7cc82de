// What the panels show is what the CLI's tools show: the bt unit at the guest
// pc is `virtlab bt-dump --pc`'s text, the timeline is `virtlab trace --format
// perfetto`'s, the page-table walk agrees with the machine's own translation.

import { describe, expect, test } from 'vitest';
import { chromeTrace } from '../../src/trace/perfetto.js';
import { runCli } from '../cli/run.js';
import { lone, newSession } from './helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const TINYOS = 'guests/tinyos/tinyos.s';
const hex = (n: number) => `0x${n.toString(16)}`;

describe('the bt unit', () => {
  test('at the guest pc after a run is what bt-dump --pc prints', async () => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone(TINYOS, { mode: 'bt' }) });
    await s.ok({ type: 'run' });
    const { state } = await s.ok({ type: 'snapshot', bt: true });
    expect(state.bt).not.toBeNull();
    const cli = await runCli(['bt-dump', TINYOS, '--pc', hex(state.pc)], ROOT);
    expect(cli.code).toBe(0);
    expect(state.bt.text).toBe(cli.stdout);
  });

  test('is null outside bt', async () => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone('guests/hello.s', { mode: 'hw' }) });
    expect((await s.ok({ type: 'snapshot', bt: true })).state.bt).toBeNull();
  });
});

describe('the timeline', () => {
  test.each([
    { path: TINYOS, mode: 'hw' as const, events: 1000 },
    { path: 'guests/hello.s', mode: 'bt' as const, events: 10 },
  ])('of $path under $mode is trace --format perfetto\'s, to the step the machine stands at', async ({ path, mode, events }) => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone(path, { name: path.split('/').pop()!, mode }) });
    await s.ok({ type: 'run' });
    const t = await s.ok({ type: 'timeline' });
    const cli = await runCli(['trace', path, '--mode', mode, '--format', 'perfetto'], ROOT);
    expect(cli.code).toBe(0);
    expect(t.timeline.vms[0].instants.length + t.timeline.vms[0].slices.length).toBeGreaterThan(events);
    expect(chromeTrace(t.timeline)).toEqual(JSON.parse(cli.stdout));
  });

  test('of a host, with --max-steps where the debugger stands', async () => {
    const s = newSession();
    const vms = (['bt', 'pv', 'hw'] as const).map((mode) => ({ name: mode, program: { kind: 'catalog', path: TINYOS }, mode }));
    await s.ok({ type: 'load', config: { engine: 'interp', costModel: 'p4-2006', slice: 10000, vms } });
    await s.ok({ type: 'break', vm: 'pv', at: { kind: 'expr', text: 'schedule' } });
    const run = await s.ok({ type: 'run' });
    expect(run.stopped).toBe('paused');
    const t = await s.ok({ type: 'timeline' });
    expect(t.steps).toBe(run.steps);
    const cli = await runCli(['trace', 'guests/hosts/three-modes.json', '--format', 'perfetto', '--max-steps', String(run.steps)], ROOT);
    expect(chromeTrace(t.timeline)).toEqual(JSON.parse(cli.stdout));
  });
});

describe('memory and page tables', () => {
  test('hello\'s message, read at its virtual address', async () => {
    const s = newSession();
    const load = await s.ok({ type: 'load', config: lone('guests/hello.s') });
    const message = load.vms[0].symbols.find((x: { name: string }) => x.name === 'message').value;
    const { state } = await s.ok({ type: 'snapshot', memory: { address: message, length: 20 } });
    expect(String.fromCharCode(...state.memory.bytes)).toBe('Hello from virtlab!\n');
    expect(state.memory.text).toMatch(/^0x00002000:  48 65 6c 6c 6f 20 66 72  6f 6d 20 76 69 72 74 6c  \|Hello from virtl\|\n/);
  });

  test('tinyos\'s pages: each walked mapping reads the same bytes virtually as at its physical frame', async () => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone(TINYOS, {}, { engine: 'interp' }) });
    await s.ok({ type: 'break', at: { kind: 'expr', text: 'schedule' } });
    await s.ok({ type: 'run' });
    const { state } = await s.ok({ type: 'snapshot', pageTables: true });
    const pt = state.pageTables;
    expect(pt.paging).toBe(true);
    expect(pt.ptbr).toBe(state.cr.ptbr);
    expect(pt.pages.length).toBeGreaterThan(10);
    const kernel = pt.pages.find((p: { vaddr: number }) => p.vaddr === 0x1000);
    expect(kernel).toMatchObject({ paddr: 0x1000, flags: { present: true, user: false } });
    for (const p of pt.pages.filter((_: unknown, i: number) => i % 7 === 0)) {
      const v = (await s.ok({ type: 'snapshot', memory: { address: p.vaddr, length: 64 } })).state.memory.bytes;
      const ph = (await s.ok({ type: 'snapshot', memory: { address: p.paddr, length: 64, space: 'physical' } })).state.memory.bytes;
      expect({ page: hex(p.vaddr), bytes: v }).toEqual({ page: hex(p.vaddr), bytes: ph });
    }
  });

  test('under hw the snapshot also has EPT, natively nothing but the guest\'s tables', async () => {
    for (const [mode, kinds] of [['native', []], ['hw', ['ept']]] as const) {
      const s = newSession();
      await s.ok({ type: 'load', config: lone(TINYOS, { mode }, { engine: 'interp' }) });
      await s.ok({ type: 'break', at: { kind: 'expr', text: 'schedule' } });
      await s.ok({ type: 'run' });
      const pt = (await s.ok({ type: 'snapshot', pageTables: true })).state.pageTables;
      expect(pt.hardware.map((h: { kind: string }) => h.kind)).toEqual(kinds);
      if (mode === 'hw') {
        // Each guest-physical page the guest maps is in EPT, and its bytes at the host frame are the guest's.
        const ept = new Map<number, number>(pt.hardware[0].pages.map((p: { vaddr: number; paddr: number }) => [p.vaddr, p.paddr]));
        const kernel = pt.pages.find((p: { vaddr: number }) => p.vaddr === 0x1000);
        const host = ept.get(kernel.paddr)!;
        expect(host).toBeGreaterThan(kernel.paddr);
        const v = (await s.ok({ type: 'snapshot', memory: { address: 0x1000, length: 64 } })).state.memory.bytes;
        const ph = (await s.ok({ type: 'snapshot', memory: { address: host, length: 64, space: 'physical' } })).state.memory.bytes;
        expect(ph).toEqual(v);
      }
    }
  });
});
