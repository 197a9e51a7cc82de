// The timeline panel's geometry (playground/panels/timeline-model.ts): events
// on the modelled-cycle axis, zoom and pan, culling, hit testing, ticks.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../cli/run.js';
import {
  clampView, cycleToX, fitView, hitTest, layoutTrack, MIN_CYCLES_PER_PX, panBy, ticks, timelineEnd, tracksFromEvents,
  wheelFactor, xToCycle, zoomAt, countByKind, describeMark, stepEvent, type StepEvent,
} from '../../playground/panels/timeline-model.js';
import { timelineTotals } from '../../playground/panels/compare-model.js';
import { kindOfInstant, kindOfSliceName, NETWORK_TRACK, tracksFromTimeline, tracksOf } from '../../playground/panels/timeline-trace.js';
import { buildTimeline } from '../../src/trace/perfetto.js';

let seq = 0;
const ev = (vm: string, step: number, kind: string, name: string, cycles: number | null): StepEvent =>
  ({ seq: seq++, vm, step, kind, name, cycles });

describe('tracksFromEvents', () => {
  test('a track per VM in order of appearance; each priced event is a slice that shifts what follows', () => {
    const events = [
      ev('a', 10, 'trap', 'page fault', 2409),
      ev('b', 5, 'interrupt', 'line 0', null),
      ev('a', 20, 'hypercall', 'mmu_update', 300),
      ev('a', 30, 'packet', 'tx', null),
    ];
    const tracks = tracksFromEvents(events);
    expect(tracks.map((t) => t.vm)).toEqual(['a', 'b']);
    const a = tracks[0]!.events;
    expect(a.map((m) => [m.start, m.dur])).toEqual([[10, 2409], [20 + 2409, 300], [30 + 2409 + 300, 0]]);
    expect(tracks[1]!.events.map((m) => [m.start, m.dur, m.cycles])).toEqual([[5, 0, null]]);
    expect(timelineEnd(tracks)).toBe(30 + 2409 + 300);
  });

  test('events arriving out of seq order are placed by seq, so the cycles before each are the earlier events', () => {
    const first = ev('a', 1, 'exit', 'io', 100), second = ev('a', 2, 'exit', 'io', 100);
    const tracks = tracksFromEvents([second, first]);
    expect(tracks[0]!.events.map((m) => m.start)).toEqual([1, 2 + 100]);
  });

  test('two modes of one guest line up: the same steps land at the same cycle until one mode has spent more', () => {
    const bt = tracksFromEvents([ev('vm', 100, 'callout', 'emulate cli', 200), ev('vm', 500, 'interrupt', 'line 0', 873)]);
    const hw = tracksFromEvents([ev('vm', 100, 'exit', 'cli', 9109), ev('vm', 500, 'interrupt', 'line 0', 873)]);
    expect(bt[0]!.events[0]!.start).toBe(hw[0]!.events[0]!.start);
    expect(hw[0]!.events[1]!.start - bt[0]!.events[1]!.start).toBe(9109 - 200);
  });
});

describe('view math', () => {
  const end = 10_000, width = 500;

  test('fitView shows [0, end] in the width; cycles and pixels convert both ways', () => {
    const v = fitView(end, width);
    expect(v.start).toBe(0);
    expect(cycleToX(v, end)).toBeCloseTo(width);
    expect(xToCycle(v, cycleToX(v, 1234))).toBeCloseTo(1234);
  });

  test('zoomAt keeps the cycle under the anchor where it is and divides the cycles per pixel', () => {
    const v = fitView(end, width);
    const at = xToCycle(v, 300);
    const z = zoomAt(v, 4, 300, end, width);
    expect(z.cyclesPerPx).toBeCloseTo(v.cyclesPerPx / 4);
    expect(xToCycle(z, 300)).toBeCloseTo(at);
    // Zooming back out by the same factor returns to the fitted view.
    const back = zoomAt(z, 1 / 4, 300, end, width);
    expect(back.start).toBeCloseTo(0);
    expect(back.cyclesPerPx).toBeCloseTo(v.cyclesPerPx);
  });

  test('clampView bounds zoom (whole run .. MIN_CYCLES_PER_PX) and scrolling (never before 0 or past the end)', () => {
    expect(clampView({ start: -50, cyclesPerPx: 1000 }, end, width)).toEqual({ start: 0, cyclesPerPx: end / width });
    expect(clampView({ start: 0, cyclesPerPx: 1e-9 }, end, width).cyclesPerPx).toBe(MIN_CYCLES_PER_PX);
    const far = clampView({ start: 1e9, cyclesPerPx: 2 }, end, width);
    expect(far.start).toBe(end - width * 2);
  });

  test('panBy moves the view by the dragged pixels: dragging right shows earlier cycles', () => {
    const v = { start: 4000, cyclesPerPx: 2 };
    expect(panBy(v, 100, end, width).start).toBe(3800);
    expect(panBy(v, -100, end, width).start).toBe(4200);
    expect(panBy(v, 1e6, end, width).start).toBe(0);
  });

  test('wheelFactor: a notch up zooms in by 1.25, down out by as much', () => {
    expect(wheelFactor(-100)).toBeCloseTo(1.25);
    expect(wheelFactor(100)).toBeCloseTo(0.8);
    expect(wheelFactor(0)).toBe(1);
  });

  test('ticks are round values (1, 2 or 5 × 10^n apart) inside the view, about `spacing` pixels apart', () => {
    const v = { start: 1234, cyclesPerPx: 3.7 };
    const t = ticks(v, 800, 100);
    expect(t.length).toBeGreaterThan(3);
    const step = t[1]! - t[0]!;
    expect([1, 2, 5]).toContain(step / Math.pow(10, Math.floor(Math.log10(step))));
    expect(step / v.cyclesPerPx).toBeGreaterThanOrEqual(100);
    expect(step / v.cyclesPerPx).toBeLessThan(300);
    expect(t[0]).toBeGreaterThanOrEqual(v.start);
    expect(t.every((c, i) => i === 0 || c - t[i - 1]! === step)).toBe(true);
    expect(t.at(-1)!).toBeLessThanOrEqual(xToCycle(v, 800));
  });
});

describe('layoutTrack and hitTest', () => {
  const track = tracksFromEvents([
    ev('vm', 0, 'trap', 'A', 1000), // [0, 1000)
    ev('vm', 2000, 'interrupt', 'B', null), // instant at 3000
    ev('vm', 4000, 'exit', 'C', 500), // [5000, 5500)
  ])[0]!;

  test('slices are as wide as their cycles at the zoom, instants have no width; events out of view are culled', () => {
    const all = layoutTrack(track, { start: 0, cyclesPerPx: 10 }, 1000);
    expect(all.map((p) => [p.event.name, p.x, p.w])).toEqual([['A', 0, 100], ['B', 300, 0], ['C', 500, 50]]);
    const later = layoutTrack(track, { start: 2500, cyclesPerPx: 10 }, 100); // cycles 2500..3500
    expect(later.map((p) => p.event.name)).toEqual(['B']);
    // A long slice that began before the view still shows.
    const inside = layoutTrack(track, { start: 500, cyclesPerPx: 1 }, 100);
    expect(inside.map((p) => [p.event.name, p.x])).toEqual([['A', -500]]);
  });

  test('a slice that began long before the view is found without the events between (and hit there)', () => {
    const marks = [{ kind: 'guest', name: 'guest', start: 0, dur: 1e6, cycles: 1e6, step: 0 },
      ...Array.from({ length: 1000 }, (_, i) => ({ kind: 'interrupt', name: `i${i}`, start: 1 + i * 100, dur: 0, cycles: null, step: i }))];
    const t = { vm: 'vm', events: marks };
    const placed = layoutTrack(t, { start: 500_000, cyclesPerPx: 1 }, 1000);
    expect(placed.map((p) => p.event.name)).toEqual(['guest']);
    const late = layoutTrack(t, { start: 99_000, cyclesPerPx: 1 }, 1000);
    expect(late.map((p) => p.event.name)).toEqual(['guest', 'i990', 'i991', 'i992', 'i993', 'i994', 'i995', 'i996', 'i997', 'i998', 'i999']);
    expect(hitTest(t, { start: 500_000, cyclesPerPx: 1 }, 10)?.name).toBe('guest');
  });

  test('a long slice after a short one in the same pixel column is still drawn; slices inside the last one are not', () => {
    const marks = [
      { kind: 'guest', name: 'short', start: 0, dur: 2, cycles: 2, step: 0 },
      { kind: 'guest', name: 'long', start: 3, dur: 5000, cycles: 5000, step: 1 },
      { kind: 'guest', name: 'inside', start: 4, dur: 5, cycles: 5, step: 2 },
    ];
    const placed = layoutTrack({ vm: 'vm', events: marks }, { start: 0, cyclesPerPx: 10 }, 1000);
    expect(placed.map((p) => p.event.name)).toEqual(['short', 'long']);
    expect(placed[1]!.w).toBe(500);
  });

  test('many slices one pixel apart or less draw at most about twice per pixel', () => {
    const many = tracksFromEvents(Array.from({ length: 20_000 }, (_, i) => ev('vm', i * 10, 'trap', `t${i}`, 3)))[0]!;
    const width = 200;
    const placed = layoutTrack(many, fitView(timelineEnd([many]), width), width);
    expect(placed.length).toBeGreaterThan(width / 2);
    expect(placed.length).toBeLessThanOrEqual(2 * width + 2);
  });

  test('many events in one pixel column draw once per kind', () => {
    const many = tracksFromEvents(Array.from({ length: 10_000 }, (_, i) => ev('vm', i, i % 2 ? 'trap' : 'interrupt', `e${i}`, null)))[0]!;
    const placed = layoutTrack(many, fitView(timelineEnd([many]), 100), 100);
    expect(placed.length).toBeLessThanOrEqual(2 * 101);
    expect(new Set(placed.map((p) => p.kind))).toEqual(new Set(['trap', 'interrupt']));
  });

  test('hitTest finds the slice under the pointer, an instant within the slop, and nothing elsewhere', () => {
    const v = { start: 0, cyclesPerPx: 10 };
    expect(hitTest(track, v, 50)?.name).toBe('A');
    expect(hitTest(track, v, 302)?.name).toBe('B');
    expect(hitTest(track, v, 310)).toBeUndefined();
    expect(hitTest(track, v, 549)?.name).toBe('C');
    expect(hitTest(track, v, 200)).toBeUndefined();
  });

  test('the hover text names the kind, the event and its cycles, or says it is not priced singly', () => {
    expect(describeMark(track.events[0]!)).toBe('trap: A, 1,000 cycles (step 0, at cycle 0)');
    expect(describeMark(track.events[1]!)).toBe('interrupt: B, not priced singly (step 2,000, at cycle 3,000)');
  });

  test('counts and priced cycles per kind, unknown kinds as other', () => {
    const tracks = [track, { vm: 'x', events: [{ kind: 'weird', name: 'w', start: 0, dur: 0, cycles: 7, step: 0 }] }];
    const counts = countByKind(tracks);
    expect([counts.trap, counts.interrupt, counts.exit, counts.other, counts.packet]).toEqual([1, 1, 1, 1, 0]);
    const totals = timelineTotals(tracks);
    expect(totals.trap).toEqual({ events: 1, cycles: 1000 });
    expect(totals.interrupt).toEqual({ events: 1, cycles: 0 });
    expect(totals.other).toEqual({ events: 1, cycles: 7 });
  });
});

describe('tracksFromTimeline (a cycle-sampled timeline, src/trace/perfetto.ts shape)', () => {
  const timeline = {
    vms: [{
      name: 'vm',
      slices: [
        { kind: 'guest', name: 'guest', start: 0, dur: 100, args: {} },
        { kind: 'monitor', name: 'exit: io', start: 100, dur: 9000, args: { step: 40 } },
        { kind: 'monitor', name: 'emulate: cli', start: 9100, dur: 500, args: { step: 41 } },
        { kind: 'monitor', name: 'hypercall: mmu_update', start: 9600, dur: 50, args: { step: 42 } },
        { kind: 'guest', name: 'guest', start: 9650, dur: 1000, args: {} },
      ],
      instants: [
        { category: 'frame', name: 'frame tx e1000', at: 9700, args: { step: 50 } },
        { category: 'interrupt', name: 'interrupt line 0', at: 10000, args: {} },
        { category: 'monitor', name: 'callout: exit taken', at: 10100, args: {} },
        { category: 'mailbox', name: 'mailbox VF_RESET -> ack', at: 10200, args: {} },
      ],
    }],
  };

  test('monitor slices get their kind from their name, instants from their record type, all on the given cycles', () => {
    const [t] = tracksFromTimeline(timeline);
    expect(t!.vm).toBe('vm');
    expect(t!.events.map((m) => [m.kind, m.start, m.dur])).toEqual([
      ['guest', 0, 100], ['exit', 100, 9000], ['trap', 9100, 500], ['hypercall', 9600, 50], ['guest', 9650, 1000],
      ['packet', 9700, 0], ['interrupt', 10000, 0], ['callout', 10100, 0], ['other', 10200, 0],
    ]);
    expect(t!.events[1]!.step).toBe(40);
    expect(t!.events[1]!.cycles).toBe(9000);
    expect(kindOfSliceName('reflect: page fault')).toBe('trap');
    expect(kindOfInstant('exception', 'exception: page fault')).toBe('exception');
    expect(kindOfInstant('inject', 'inject line 0')).toBe('interrupt');
    // Monitor work no record names is called after the cost row that priced most of it.
    expect(kindOfSliceName('EPT entries read')).toBe('paging');
    expect(kindOfSliceName('shadow fills')).toBe('paging');
    expect(kindOfSliceName('instructions translated')).toBe('translate');
    expect(kindOfSliceName('something new')).toBe('other');
  });

  test('hovering where the guest ran and an instant is within reach names the instant, not the guest slice', () => {
    const [t] = tracksFromTimeline(timeline);
    const v = { start: 9600, cyclesPerPx: 10 };
    expect(hitTest(t!, v, 12)?.name).toBe('frame tx e1000'); // 2 px from the frame, inside the guest slice
    expect(hitTest(t!, v, 15)?.name).toBe('guest'); // the frame is 5 px away, beyond reach
  });
});

describe('tracksFromTimeline over src/trace/perfetto.ts buildTimeline', () => {
  const sample = (guest: number, overhead: number, instructions: number) => ({ guest, overhead, instructions, counts: {}, overheadBy: overhead ? { 'VM exits': overhead } : {} });
  const monitor = (event: string, extra: object) => ({
    type: 'monitor', step: 0, event, pc: null, epc: null, sym: null, cause: null, name: null, mnemonic: null, faultaddr: null, line: null,
    vaddr: null, gpa: null, value: null, write: null, user: null, region: null, reason: null, key: null, created: null, tc: null,
    insns: null, words: null, callout: null, what: null, target: null, units: null, ...extra,
  });
  const input = {
    preset: 'p4-2006',
    vms: [{ name: 'vm', mode: 'hw' }],
    entries: [
      { vm: 'vm', cycles: sample(0, 0, 0) },
      { vm: 'vm', cycles: sample(100, 0, 100) },
      { vm: 'vm', record: monitor('vmexit', { step: 100, reason: 'io' }) },
      { vm: 'vm', cycles: sample(101, 9109, 101) },
      { vm: 'vm', record: { type: 'interrupt', step: 150, line: 0, cause: 0x80000000, epc: 0x1000, delivered: 'vector' } },
      { vm: 'vm', cycles: sample(1024, 9109, 150) },
      { vm: null, record: { type: 'frame', step: 151, event: 'tx', where: 'wire', dst: '', src: '', vlan: null, ethertype: 0x800, length: 64, reason: null, to: null } },
      { vm: 'vm', cycles: sample(1030, 9109, 151) },
    ],
  };

  test("the producer's guest and monitor slices and instants become guest, exit, interrupt and a (network) track", () => {
    const tracks = tracksFromTimeline(buildTimeline(input as never));
    expect(tracks.map((t) => t.vm)).toEqual(['vm', NETWORK_TRACK]);
    const kinds = tracks[0]!.events.map((m) => m.kind);
    expect(kinds).toContain('exit');
    expect(kinds).toContain('interrupt');
    expect(kinds).toContain('guest');
    const exit = tracks[0]!.events.find((m) => m.kind === 'exit')!;
    expect(exit.dur).toBe(9109);
    expect(exit.name).toBe('exit: io');
    expect(tracks[1]!.events.map((m) => m.kind)).toEqual(['packet']);
    // The same, through the form the panel takes.
    expect(tracksOf(buildTimeline(input as never))).toEqual(tracks);
  });
});

describe('every monitor slice of a real run gets a kind', () => {
  // tinyos under each monitor, traced as `virtlab trace --format perfetto` writes it: the names its slices
  // and instants carry are what the panel colours; none may fall to `other` (halt and idle excepted).
  const tinyos = new URL('../../guests/tinyos/tinyos.s', import.meta.url).pathname;
  // trap's names are a subset of bt's (emulate, trap, reflect, inject): left out to keep the suite short.
  test.each([['bt'], ['pv'], ['hw'], ['hw-noept']])('tinyos under %s', async (mode) => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-panels-'));
    try {
      const out = join(dir, 'trace.json');
      const args = ['trace', tinyos, '--format', 'perfetto', '-o', out, ...(mode === 'hw-noept' ? ['--mode', 'hw', '--no-ept'] : ['--mode', mode]), ...(mode === 'pv' ? ['-D', 'PV'] : [])];
      const r = await runCli(args);
      expect(r.stderr).toBe('');
      const events = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string; cat?: string; name: string }[] }).traceEvents;
      const slices = events.filter((e) => e.ph === 'X' && e.cat === 'monitor');
      expect(slices.length).toBeGreaterThan(0);
      expect(slices.filter((e) => kindOfSliceName(e.name) === 'other').map((e) => e.name)).toEqual([]);
      const instants = events.filter((e) => e.ph === 'i' && e.cat !== 'halt' && e.cat !== 'idle');
      expect(instants.filter((e) => kindOfInstant(e.cat!, e.name) === 'other').map((e) => `${e.cat} ${e.name}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stepEvent (the keyboard through the timeline)', () => {
  const tracks = [
    { vm: 'a', events: [
      { kind: 'guest', name: 'g', start: 0, dur: 100, cycles: 100, step: 0 },
      { kind: 'trap', name: 'a1', start: 10, dur: 5, cycles: 5, step: 1 },
      { kind: 'exit', name: 'a2', start: 50, dur: 5, cycles: 5, step: 2 },
    ] },
    { vm: 'b', events: [
      { kind: 'interrupt', name: 'b1', start: 10, dur: 0, cycles: null, step: 1 },
      { kind: 'packet', name: 'b2', start: 30, dur: 0, cycles: null, step: 2 },
    ] },
  ];

  test('forward from a cycle, then from the cursor: in time order across tracks, ties by track, guest runs skipped', () => {
    const names: string[] = [];
    let cur = stepEvent(tracks, 0, 1);
    while (cur) {
      names.push(cur.mark.name);
      cur = stepEvent(tracks, 0, 1, cur);
    }
    expect(names).toEqual(['a1', 'b1', 'b2', 'a2']);
  });

  test('backward from a cycle and from the cursor; nothing past the ends', () => {
    const last = stepEvent(tracks, 1000, -1)!;
    expect(last.mark.name).toBe('a2');
    expect(stepEvent(tracks, 0, -1, last)!.mark.name).toBe('b2');
    const b1 = stepEvent(tracks, 0, -1, stepEvent(tracks, 0, -1, last)!)!;
    expect(b1.mark.name).toBe('b1');
    expect(stepEvent(tracks, 0, -1, b1)!.mark.name).toBe('a1');
    expect(stepEvent(tracks, 0, -1, stepEvent(tracks, 0, -1, b1)!)).toBeUndefined();
    expect(stepEvent(tracks, 51, 1)).toBeUndefined();
    expect(stepEvent(tracks, 30, 1)!.mark.name).toBe('b2'); // an event at the cycle itself is next
  });
});
