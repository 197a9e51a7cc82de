/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The panels' DOM layer in headless Chromium (Debian's, through puppeteer-core;
// skipped without one): playground/panels bundled alone with esbuild, fed
// snapshots made here (the bt unit from a real bt-dump, the cycles from the
// real cost model), and driven as a person would: a register changes, an
// address is typed, the timeline is zoomed with a button, the wheel and the
// keyboard, dragged and hovered, and two timelines follow each other.

import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STATUS } from '../../src/isa/index.js';
import type { Counters, VmState } from '../../src/playground/protocol.js';
import type { SampledTimeline } from '../../playground/panels/timeline-trace.js';
import type { StepEvent } from '../../playground/panels/timeline-model.js';
import { priceCounters } from '../../src/vmm/index.js';
import { perIteration } from '../../src/cli/per-iteration-report.js';
import { runCli } from '../cli/run.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CHROMIUM = process.env['VIRTLAB_CHROMIUM'] || '/usr/bin/chromium';

function hasChromium(): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
const chromium = hasChromium();
if (!chromium) console.warn(`test/playground/panels-dom.test.ts: no Chromium at ${CHROMIUM}: the panels' DOM checks are skipped`);

function counters(mode: 'trap' | 'bt', traps: number, callouts: number): Counters {
  const machine = { instructions: 5000, excPageFault: 1, excDivideByZero: 0, excSyscall: 0, excBreakpoint: 0, excMisaligned: 0, interrupts: 3, ioReads: 0, ioWrites: 4, tlbWalks: 12, jumps: 0 };
  const monitor = { traps, calloutEmulate: callouts, translations: mode === 'bt' ? 5 : 0, translatedInsns: mode === 'bt' ? 30 : 0 };
  const cost = priceCounters({ machine: machine as never, monitor: monitor as never }, 'p4-2006');
  return { statsText: '', machine, monitor, cost: cost as never, perIteration: null } as Counters;
}

/** A snapshot as the worker sends one (the fields the panels read). */
function state(over: Partial<VmState> & { r4?: number }): VmState {
  const regs = Array.from({ length: 16 }, (_, i) => ({ name: `r${i}`, abi: '', value: i === 4 ? (over.r4 ?? 0x44) : i === 2 ? 0x7000 : i }));
  return {
    name: 'vm', mode: 'bt', pc: 0x1000, ring: 0, regs, flags: {}, regsText: '', whereText: '', console: '',
    cr: { status: STATUS.IE | STATUS.PG, tvec: 0x1100, ptbr: 0x4000, faultaddr: 0, cause: 0, epc: 0, scratch: 0 },
    status: { name: 'vm', state: 'runnable', haltCode: null, message: null, exitCode: null, pc: 0x1000, instructions: 5000 },
    counters: counters('bt', 2, 30),
    pageTables: {
      ptbr: 0x4000, paging: true, truncated: false,
      pages: [
        { vaddr: 0x1000, paddr: 0x1000, flags: { present: true, writable: false, user: false, accessed: true, dirty: false } },
        { vaddr: 0x7000, paddr: 0x9000, flags: { present: true, writable: true, user: true, accessed: true, dirty: true } },
        { vaddr: 0x0040_2000, paddr: 0xa000, flags: { present: true, writable: true, user: false, accessed: false, dirty: false } },
      ],
    },
    ...over,
  } as VmState;
}

let seq = 0;
const ev = (step: number, kind: string, name: string, cycles: number | null): StepEvent => ({ seq: seq++, vm: 'vm', step, kind, name, cycles });

describe.skipIf(!chromium)('the panels in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let btText = '';

  beforeAll(async () => {
    const { build } = await import('esbuild');
    const out = await build({
      stdin: { contents: "import * as P from './playground/panels/index.ts'; (globalThis as any).P = P;", resolveDir: ROOT, loader: 'ts', sourcefile: 'panels-entry.ts' },
      bundle: true, write: false, format: 'iife', target: 'es2022', logLevel: 'silent',
    });
    const css = readFileSync(join(ROOT, 'playground/panels/panels.css'), 'utf8');
    const dump = await runCli(['bt-dump', join(ROOT, 'guests/hello.s'), '--pc', '_start']);
    expect(dump.code).toBe(0);
    // As the worker sends it: bt-dump's text from its header on (the guest's console output is not part of it).
    btText = dump.stdout.slice(dump.stdout.indexOf('\nprogram ') + 1);
    const { launch } = await import('puppeteer-core');
    browser = await launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'],
      defaultViewport: { width: 1200, height: 900 },
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body>`
      + ['regs', 'mem', 'pt', 'bt', 'counters', 'timeline', 'compare'].map((id) => `<div id="${id}" style="width: 900px"></div>`).join('')
      + `<script>${out.outputFiles[0]!.text}</script></body></html>`);
    await page.waitForFunction(() => 'P' in globalThis);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    expect(errors).toEqual([]);
  });

  test('registers: a value that changed since the last update is marked, the others not', async () => {
    const marked = await page.evaluate((a: VmState, b: VmState) => {
      const P = (globalThis as any).P;
      const panel = P.createRegistersPanel(document.getElementById('regs'));
      panel.update(a);
      const before = document.querySelectorAll('[data-testid="registers"] [data-changed="true"]').length;
      panel.update(b);
      const now = [...document.querySelectorAll('[data-testid="registers"] [data-changed="true"]')].map((e) => e.getAttribute('data-testid'));
      return { before, now, r4: document.querySelector('[data-testid="reg-r4"] td')!.textContent };
    }, state({}), state({ r4: 0xdeadbeef, pc: 0x1004 }));
    expect(marked).toEqual({ before: 0, now: ['reg-r4', 'reg-pc'], r4: '0xdeadbeef' });
  });

  test('memory: following sp asks for the range around it; the dump shows hex, ASCII and the marked byte', async () => {
    const r = await page.evaluate((s: VmState) => {
      const P = (globalThis as any).P;
      const asked: unknown[] = [];
      const panel = P.createMemoryPanel(document.getElementById('mem'), { onRange: (x: unknown) => asked.push(x), follow: 'sp', length: 64 });
      panel.update(s);
      const bytes = Array.from({ length: 64 }, (_, i) => (i === 16 ? 0x48 : i === 17 ? 0x69 : i === 40 ? null : i));
      panel.update({ ...s, memory: { address: 0x6ff0, length: 64, space: 'virtual', bytes, text: '' } });
      const row = document.querySelector('[data-testid="mem-row-0x00007000"]')!;
      return {
        asked, range: panel.range(),
        ascii: row.querySelector('.pg-ascii')!.textContent,
        mark: row.querySelector('.pg-mark')?.textContent?.trim(),
        unreadable: document.querySelector('[data-testid="mem-row-0x00007010"] .pg-hex')!.textContent!.includes('??'),
        rows: document.querySelectorAll('[data-testid="mem-table"] tbody tr').length,
      };
    }, state({}));
    expect(r.asked).toEqual([{ address: 0x6ff0, length: 64, space: 'virtual' }]);
    expect(r.range).toEqual({ address: 0x6ff0, length: 64, space: 'virtual' });
    expect(r.ascii).toBe('|Hi..............|');
    expect(r.mark).toBe('48');
    expect(r.unreadable).toBe(true);
    expect(r.rows).toBe(4);
  });

  test('page tables: the pc walked by default, a typed address walked, a bad one refused in one line', async () => {
    const r = await page.evaluate(async (s: VmState) => {
      const P = (globalThis as any).P;
      P.createPageTablesPanel(document.getElementById('pt')).update(s);
      const walkText = () => document.querySelector('[data-testid="pt-walk-guest"]')!.textContent;
      const first = walkText();
      const input = document.querySelector('[data-testid="pt-address"]') as HTMLInputElement;
      input.value = '0x7abc';
      input.dispatchEvent(new Event('change'));
      const second = walkText();
      const open = () => [...document.querySelectorAll('[data-testid="page-tables"] details')].map((d) => [d.getAttribute('data-testid'), (d as HTMLDetailsElement).open]);
      const openAtSecond = open();
      input.value = '0x402010';
      input.dispatchEvent(new Event('change'));
      const third = walkText();
      const openAtThird = open();
      input.value = 'zz';
      input.dispatchEvent(new Event('change'));
      return { first, second, third, openAtSecond, openAtThird, error: document.querySelector('[data-testid="pt-address-error"]')!.textContent };
    }, state({}));
    expect(r.first).toContain('0x00001000 → 0x00001000');
    expect(r.second).toContain('0x00007abc → 0x00009abc');
    expect(r.second).toContain('P W U A D');
    expect(r.error).toBe('not a hex address: zz');
    // A group per directory entry, the one holding the walked address open.
    expect(r.openAtSecond).toEqual([['pt-guest-dir-0', true], ['pt-guest-dir-1', false]]);
    expect(r.third).toContain('0x00402010 → 0x0000a010');
    expect(r.openAtThird).toEqual([['pt-guest-dir-0', false], ['pt-guest-dir-1', true]]);
  });

  test('page tables under hw: EPT after the guest\'s, walking the guest-physical address the guest\'s walk gave', async () => {
    const ept = { kind: 'ept', root: 0x0110_0000, truncated: false, pages: [{ vaddr: 0x9000, paddr: 0x0010_9000, flags: { present: true, writable: true, user: true, accessed: true, dirty: false } }] };
    const base = state({});
    const r = await page.evaluate(async (s: VmState) => {
      const P = (globalThis as any).P;
      const box = document.createElement('div');
      document.body.append(box);
      P.createPageTablesPanel(box).update(s);
      const text = (id: string) => box.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
      const input = box.querySelector('[data-testid="pt-address"]') as HTMLInputElement;
      input.value = '0x7abc';
      input.dispatchEvent(new Event('change'));
      const mapped = { guest: text('pt-walk-guest'), ept: text('pt-walk-ept'), table: text('pt-table-ept') };
      input.value = '0x3000';
      input.dispatchEvent(new Event('change'));
      return { mapped, unmapped: text('pt-walk-ept'), headings: [...box.querySelectorAll('h3')].map((h) => h.textContent) };
    }, { ...base, pageTables: { ...base.pageTables!, hardware: [ept] } } as VmState);
    expect(r.headings).toEqual(["the guest's page tables (virtual → guest-physical)", "EPT (guest-physical → host-physical: walked after the guest's)"]);
    expect(r.mapped.guest).toContain('0x00007abc → 0x00009abc');
    expect(r.mapped.ept).toContain('0x00009abc → 0x00109abc');
    expect(r.mapped.table).toContain('root 0x01100000, 1 pages mapped');
    expect(r.unmapped).toContain('no guest-physical address to walk');
  });

  test("bt: the unit's guest code beside its translation, the pc's row current; outside bt it says so", async () => {
    const r = await page.evaluate((s: VmState, native: VmState) => {
      const P = (globalThis as any).P;
      const panel = P.createBtPanel(document.getElementById('bt'));
      panel.update(s);
      const rows = [...document.querySelectorAll('[data-testid="bt-table"] tbody tr')];
      const current = document.querySelector('[data-testid="bt-view"] tr[aria-current="true"]')?.getAttribute('data-testid');
      const header = document.querySelector('[data-testid="bt-header"]')?.textContent ?? '';
      const out = { rows: rows.length, guestRows: rows.filter((x) => x.getAttribute('data-testid')).length, current, header, units: document.querySelectorAll('.pg-bt-unit').length };
      panel.update(native);
      return { ...out, empty: document.querySelector('[data-testid="bt-empty"]')?.textContent };
    }, state({ bt: { text: btText } }), state({ mode: 'native', bt: undefined }));
    const words = btText.split('\n').filter((l) => l.includes('| +')).length;
    expect(r.rows).toBe(words);
    expect(r.guestRows).toBe(btText.split('\n').filter((l) => /^ {2}0x[0-9a-f]{8} /.test(l)).length);
    expect(r.current).toBe('bt-row-0x00001000');
    expect(r.header).toMatch(/^program /);
    expect(r.units).toBe(btText.split('\n').filter((l) => l.startsWith('== ')).length);
    expect(r.empty).toContain('not under bt');
  });

  test('counters: a row per non-zero kind with a bar, the total and the preset; a nanobenchmark its cycles per iteration', async () => {
    const s = state({});
    const stats = (c: Counters) => ({ mode: 'bt', machine: c.machine, monitor: c.monitor, cost: c.cost }) as never;
    const bench = state({ counters: { ...counters('bt', 2, 30), perIteration: perIteration(10, stats(counters('bt', 2, 30)), undefined, 'no baseline') } });
    const r = await page.evaluate((st: VmState, b: VmState) => {
      const P = (globalThis as any).P;
      const panel = P.createCountersPanel(document.getElementById('counters'));
      panel.update(b);
      const per = document.querySelector('[data-testid="per-iteration"] caption')?.textContent;
      panel.update(st);
      const rows = [...document.querySelectorAll('[data-testid="cost-table"] tbody tr')];
      return {
        kinds: rows.map((x) => x.querySelector('th')!.textContent),
        bars: document.querySelectorAll('[data-testid="cost-table"] .pg-bar').length,
        total: document.querySelector('[data-testid="cost-total"] td:nth-child(4)')!.textContent,
        preset: document.querySelector('[data-testid="cost-preset"]')!.textContent,
        overhead: document.querySelector('[data-testid="cost-overhead"]')?.textContent,
        per, perAfter: document.querySelector('[data-testid="per-iteration"]'),
      };
    }, s, bench);
    expect(r.per).toBe('per iteration (10 iterations, setup included: no baseline)');
    expect(r.perAfter).toBeNull();
    const nonZero = s.counters.cost.rows.filter((x) => x.count !== 0);
    expect(r.kinds).toEqual([...nonZero.map((x) => x.kind), 'total']);
    expect(r.bars).toBe(nonZero.length);
    expect(r.total).toBe(s.counters.cost.totalCycles.toLocaleString('en-US'));
    expect(r.preset).toBe('cost model p4-2006 (mode bt)');
    const o = (s.counters.cost as unknown as { overheadCycles: number }).overheadCycles;
    expect(r.overhead).toBe(`monitor overhead ${o.toLocaleString('en-US')} cycles (${(100 * o / s.counters.cost.totalCycles).toFixed(1)}% of the total)`);
  });

  test('timeline: legend counts, zoom by button, wheel and keyboard, pan by drag, hover names the event', async () => {
    const events = [ev(100, 'trap', 'page fault', 2409), ev(3000, 'interrupt', 'line 0', null), ev(6000, 'exit', 'io', 9109), ev(9000, 'packet', 'tx', null)];
    await page.evaluate((e: StepEvent[]) => {
      const P = (globalThis as any).P;
      (globalThis as any).tl = P.createTimelinePanel(document.getElementById('timeline'));
      (globalThis as any).tl.update(e);
    }, events);
    const view = () => page.evaluate(() => (globalThis as any).tl.view() as { start: number; cyclesPerPx: number });
    const legend = await page.$$eval('[data-testid="timeline-legend"] li', (li) => li.map((x) => x.textContent));
    expect(legend).toContain('trap 1');
    expect(legend).toContain('exit 1');
    expect(legend).toContain('hypercall 0');
    const fitted = await view();
    expect(fitted.start).toBe(0);

    await page.focus('[data-testid="timeline-zoom-in"]');
    await page.keyboard.press('Enter');
    expect((await view()).cyclesPerPx).toBeCloseTo(fitted.cyclesPerPx / 2);

    const canvas = (await page.$('[data-testid="timeline-canvas"]'))!;
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel({ deltaY: -100 });
    await page.waitForFunction((c: number) => (globalThis as any).tl.view().cyclesPerPx < c - 1e-9, {}, fitted.cyclesPerPx / 2);
    expect((await view()).cyclesPerPx).toBeCloseTo(fitted.cyclesPerPx / 2 / 1.25);

    // Drag right shows earlier cycles.
    const beforeDrag = await view();
    await page.mouse.move(box.x + 300, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 400, box.y + 40, { steps: 4 });
    await page.mouse.up();
    const afterDrag = await view();
    expect(afterDrag.start).toBeCloseTo(Math.max(0, beforeDrag.start - 100 * beforeDrag.cyclesPerPx));

    await canvas.focus();
    await page.keyboard.press('0');
    expect(await view()).toEqual(fitted);

    // The keyboard steps through the events and describes each in the tooltip (a live region).
    await canvas.focus();
    const tipText = () => page.$eval('[data-testid="timeline-tooltip"]', (t) => ((t as HTMLElement).hidden ? null : t.textContent));
    await page.keyboard.press(']');
    expect(await tipText()).toBe('vm: trap: page fault, 2,409 cycles (step 100, at cycle 100)');
    await page.keyboard.press(']');
    expect(await tipText()).toMatch(/^vm: interrupt: line 0, not priced singly/);
    await page.keyboard.press('[');
    expect(await tipText()).toMatch(/^vm: trap: page fault/);
    // Zoomed in at the start, stepping to the last event pans the view to it.
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    expect(await tipText()).toMatch(/^vm: packet: tx/);
    const v = await view();
    const packetAt = 9000 + 2409 + 9109;
    expect(v.start).toBeGreaterThan(0);
    expect(packetAt).toBeGreaterThan(v.start);
    expect(packetAt).toBeLessThanOrEqual(v.start + (box.width - 88) * v.cyclesPerPx + 1e-6); // the run's last event: the view's right edge
    await page.keyboard.press('Escape');
    expect(await tipText()).toBeNull();
    await page.keyboard.press('0');

    // Hover the exit slice: it starts at step 6000 plus the trap's 2409 cycles.
    const x = 88 + (6000 + 2409 + 9109 / 2) / fitted.cyclesPerPx;
    await page.mouse.move(box.x + x, box.y + 22 + 15);
    const tip = await page.$eval('[data-testid="timeline-tooltip"]', (t) => ({ hidden: (t as HTMLElement).hidden, text: t.textContent }));
    expect(tip).toEqual({ hidden: false, text: 'vm: exit: io, 9,109 cycles (step 6,000, at cycle 8,409)' });
  });

  test('side by side: cycles per kind for both runs with their difference; zooming one timeline moves the other', async () => {
    const a = state({ counters: counters('trap', 40, 0) });
    const b = state({ counters: counters('bt', 2, 30) });
    const sampled: SampledTimeline = {
      vms: [{ name: 'vm', slices: [{ kind: 'guest', name: 'guest', start: 0, dur: 10 }, { kind: 'monitor', name: 'callout: emulate cli', start: 10, dur: 200 }], instants: [] }],
    };
    const r = await page.evaluate((sa: VmState, sb: VmState, ea: StepEvent[], eb: SampledTimeline) => {
      const P = (globalThis as any).P;
      P.createComparePanel(document.getElementById('compare')).update({ label: 'trap', state: sa, timeline: ea }, { label: 'bt', state: sb, timeline: eb });
      (document.querySelector('[data-testid="compare-timeline-a-zoom-in"]') as HTMLButtonElement).click();
      const range = (id: string) => document.querySelector(`[data-testid="${id}-range"]`)!.textContent;
      return {
        traps: [...document.querySelectorAll('[data-testid="compare-traps-to-the-monitor"] td')].map((td) => td.textContent).filter((t) => t !== ''),
        ranges: [range('compare-timeline-a'), range('compare-timeline-b')],
        legendB: document.querySelector('[data-testid="compare-timeline-b-legend-callout"]')!.textContent,
        kinds: Object.fromEntries([...document.querySelectorAll('[data-testid="compare-kinds"] tbody tr')].map((tr) =>
          [tr.getAttribute('data-testid'), [...tr.querySelectorAll('td.pg-num')].map((td) => td.textContent)])),
      };
    }, a, b, [ev(10, 'trap', 'cli', 2409), ev(20, 'trap', 'sti', 2409)], sampled);
    const cyc = (c: Counters) => c.cost.rows.find((x) => x.kind === 'traps to the monitor')!.cycles;
    const diff = cyc(b.counters) - cyc(a.counters);
    expect(r.traps.slice(0, 3)).toEqual([cyc(a.counters).toLocaleString('en-US'), cyc(b.counters).toLocaleString('en-US'), `−${(-diff).toLocaleString('en-US')}`]);
    // One axis for both: the same visible range after zooming the first.
    expect(r.ranges[0]).toBe(r.ranges[1]);
    expect(r.ranges[0]).toMatch(/ of 4,838$/); // the longer run: step 20 + 2 traps of 2,409
    expect(r.legendB).toBe('callout 1'); // the second run given as a cycle-sampled timeline
    // Per timeline kind: events and cycles of each run and the difference (bt's callout against trap's traps).
    expect(r.kinds).toEqual({
      'compare-kind-trap': ['2', '4,818', '0', '0', '−4,818'],
      'compare-kind-callout': ['0', '0', '1', '200', '+200'],
      'compare-kind-guest': ['0', '0', '1', '10', '+10'],
    });
    mkdirSync(join(ROOT, 'tmp', 'playground'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'tmp', 'playground', 'panels.png') as `${string}.png`, fullPage: true });
  });
});
