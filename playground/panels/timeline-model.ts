// The timeline's geometry, without the DOM: the session's events placed on a
// modelled-cycle axis, cycles to pixels, zoom about a point, pan, the axis's
// ticks, which events a track draws at a zoom and which event is under the
// pointer. The axis is modelled cycles (not steps or host time), so two runs
// of one guest under two modes line up and a mode's overhead shows as width.

import { formatCount } from './format.js';

/**
 * An event at a machine step with its price and no time, as the worker's
 * first timeline sent them (the worker now sends perfetto.ts's Timeline,
 * timeline-trace.ts): still taken by the panels, and the tests' shorthand.
 */
export interface StepEvent {
  seq: number;
  vm: string;
  step: number;
  kind: string;
  name: string;
  cycles: number | null;
}

/**
 * The kinds the timeline colours, in the legend's order: the protocol's, and for a cycle-sampled
 * timeline `translate` (bt translating), `paging` (shadow page tables, EPT walks) and `guest` (the
 * guest's own run); anything else draws as `other`.
 */
export const TIMELINE_KINDS = ['exit', 'trap', 'hypercall', 'callout', 'translate', 'paging', 'exception', 'interrupt', 'packet', 'guest', 'other'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One event on the axis: a slice (dur > 0, what it cost) or an instant (dur 0, not priced singly). */
export interface Mark {
  kind: string;
  name: string;
  /** Modelled cycle it starts at. */
  start: number;
  dur: number;
  /** Its price, null when the cost model does not price it singly (the hover says so). */
  cycles: number | null;
  step: number;
}

/** One VM's track; its events sorted by start (tracksFromEvents makes them so). */
export interface TimelineTrack {
  vm: string;
  events: readonly Mark[];
}

/** What the canvas shows: `start` cycles at x = 0, `cyclesPerPx` cycles per CSS pixel. */
export interface View {
  start: number;
  cyclesPerPx: number;
}

/** The deepest zoom: a pixel is 1/8 of a cycle (a 1-cycle slice is 8 px wide). */
export const MIN_CYCLES_PER_PX = 1 / 8;

export function kindOfEvent(kind: string): TimelineKind {
  return (TIMELINE_KINDS as readonly string[]).includes(kind) ? (kind as TimelineKind) : 'other';
}

/**
 * A track per VM (in order of first appearance) from the session's events.
 * An event knows its machine step and its own price; its place on the axis is
 * the guest's instructions so far (a step at `instructionCycles`, 1 in both
 * presets) plus the priced events before it in that VM, so each priced event
 * is a slice as wide as it cost and everything after it shifts right by as
 * much. Work the model prices only in bulk (shadow fills, VMCS accesses) has
 * no event and so does not widen the axis: the counters panel has it.
 */
export function tracksFromEvents(events: readonly StepEvent[], instructionCycles = 1): TimelineTrack[] {
  const byVm = new Map<string, StepEvent[]>();
  for (const e of events) {
    let list = byVm.get(e.vm);
    if (!list) byVm.set(e.vm, (list = []));
    list.push(e);
  }
  return [...byVm.entries()].map(([vm, list]) => {
    let spent = 0;
    const marks = [...list].sort((a, b) => a.seq - b.seq).map((e): Mark => {
      const dur = e.cycles !== null && e.cycles > 0 ? e.cycles : 0;
      const mark = { kind: e.kind, name: e.name, start: e.step * instructionCycles + spent, dur, cycles: e.cycles, step: e.step };
      spent += dur;
      return mark;
    });
    // Steps only grow within a VM, so this is already in order; sorting keeps the search's invariant whatever comes in.
    marks.sort((a, b) => a.start - b.start);
    return { vm, events: marks };
  });
}

/** The last cycle any track reaches (0 for none). */
export function timelineEnd(tracks: readonly TimelineTrack[]): number {
  let end = 0;
  for (const t of tracks) for (const e of t.events) end = Math.max(end, e.start + Math.max(0, e.dur));
  return end;
}

/** The whole of [0, end] in `width` pixels. */
export function fitView(end: number, width: number): View {
  return { start: 0, cyclesPerPx: Math.max(MIN_CYCLES_PER_PX, end / Math.max(1, width)) };
}

export function cycleToX(view: View, cycle: number): number {
  return (cycle - view.start) / view.cyclesPerPx;
}

export function xToCycle(view: View, x: number): number {
  return view.start + x * view.cyclesPerPx;
}

/**
 * Keep the view inside [0, end]: never zoomed out beyond the whole run, never
 * deeper than MIN_CYCLES_PER_PX, and never scrolled past either end.
 */
export function clampView(view: View, end: number, width: number): View {
  const w = Math.max(1, width);
  const most = Math.max(MIN_CYCLES_PER_PX, end / w);
  const cyclesPerPx = Math.min(most, Math.max(MIN_CYCLES_PER_PX, view.cyclesPerPx));
  const maxStart = Math.max(0, end - w * cyclesPerPx);
  return { start: Math.min(maxStart, Math.max(0, view.start)), cyclesPerPx };
}

/** Zoom by `factor` (> 1 zooms in) keeping the cycle under x = `anchor` where it is. */
export function zoomAt(view: View, factor: number, anchor: number, end: number, width: number): View {
  const at = xToCycle(view, anchor);
  const cyclesPerPx = view.cyclesPerPx / factor;
  return clampView({ start: at - anchor * cyclesPerPx, cyclesPerPx }, end, width);
}

/** Drag by `dx` pixels (to the right shows earlier cycles). */
export function panBy(view: View, dx: number, end: number, width: number): View {
  return clampView({ start: view.start - dx * view.cyclesPerPx, cyclesPerPx: view.cyclesPerPx }, end, width);
}

/** The wheel's zoom factor for a deltaY: a notch (100) zooms by 1.25; up zooms in. */
export function wheelFactor(deltaY: number): number {
  return Math.pow(1.25, -deltaY / 100);
}

/** Axis ticks: round cycle values (1, 2 or 5 × 10^n apart) about every `spacing` pixels. */
export function ticks(view: View, width: number, spacing = 100): number[] {
  const raw = view.cyclesPerPx * spacing;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const first = Math.ceil(view.start / step) * step;
  const last = xToCycle(view, width);
  const out: number[] = [];
  for (let c = first; c <= last && out.length < 1000; c += step) out.push(c);
  return out;
}

/** An event placed on the canvas: x and width in pixels (an instant has w 0). */
export interface Placed {
  event: Mark;
  kind: TimelineKind;
  x: number;
  w: number;
}

/** Per track, maxEnd[i]: the furthest any of events[0..i] reaches (non-decreasing, so searchable). */
const maxEnds = new WeakMap<readonly Mark[], Float64Array>();

function maxEndOf(events: readonly Mark[]): Float64Array {
  let m = maxEnds.get(events);
  if (!m) {
    m = new Float64Array(events.length);
    let far = -Infinity;
    events.forEach((e, i) => {
      far = Math.max(far, e.start + Math.max(0, e.dur));
      m![i] = far;
    });
    maxEnds.set(events, m);
  }
  return m;
}

/**
 * Index of the first event that reaches `cycle` (every event before it ends
 * earlier): where drawing or hit testing starts, in O(log n) even when a long
 * guest slice began far before the view.
 */
function firstReaching(events: readonly Mark[], cycle: number): number {
  const m = maxEndOf(events);
  let lo = 0, hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (m[mid]! < cycle) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * What a track draws in [0, width): the events in view, slices at least one
 * pixel wide. A slice that would lie within half a pixel of the last slice of
 * its kind already drawn is left out, and so is an instant in the same pixel
 * column as the last instant of its kind, so a run of millions of events draws
 * at most about 2 × width marks per kind (the rest would cover the same pixels);
 * a long slice after short ones in one column is still drawn.
 */
export function layoutTrack(track: TimelineTrack, view: View, width: number): Placed[] {
  const events = track.events;
  const from = firstReaching(events, view.start);
  const last = xToCycle(view, width);
  const sliceEnd = new Map<TimelineKind, number>();
  const instantColumn = new Map<TimelineKind, number>();
  const out: Placed[] = [];
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    if (e.start > last) break;
    if (e.start + Math.max(0, e.dur) < view.start) continue;
    const kind = kindOfEvent(e.kind);
    const x = cycleToX(view, e.start);
    if (e.dur > 0) {
      const w = Math.max(1, e.dur / view.cyclesPerPx);
      // Sorted by start, so x is at or after the last drawn slice's start: covered when it ends inside it.
      if (x + w <= (sliceEnd.get(kind) ?? -Infinity) + 0.5) continue;
      sliceEnd.set(kind, x + w);
      out.push({ event: e, kind, x, w });
    } else {
      const column = Math.floor(x);
      if (instantColumn.get(kind) === column) continue;
      instantColumn.set(kind, column);
      out.push({ event: e, kind, x, w: 0 });
    }
  }
  return out;
}

/**
 * The event under x (pixels) in a track: a slice that covers it, else the
 * nearest instant or slice edge within `slop` pixels; undefined when none.
 */
export function hitTest(track: TimelineTrack, view: View, x: number, slop = 3): Mark | undefined {
  const events = track.events;
  const cycle = xToCycle(view, x);
  const reach = slop * view.cyclesPerPx;
  // A slice is at least a pixel wide: one more pixel's worth back.
  const from = firstReaching(events, cycle - reach - view.cyclesPerPx);
  let best: Mark | undefined;
  let bestDist = Infinity;
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    if (e.start > cycle + reach) break;
    const x0 = cycleToX(view, e.start);
    const x1 = x0 + (e.dur > 0 ? Math.max(1, e.dur / view.cyclesPerPx) : 0);
    const dist = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
    // The guest's own run spans whole stretches: anything else within reach is what the pointer means.
    const rank = dist + (e.kind === 'guest' ? slop + 1 : 0);
    if (dist <= slop && rank < bestDist) {
      best = e;
      bestDist = rank;
    }
  }
  return best;
}

/** Events per kind over the tracks (the legend's counts and the canvas's accessible summary). */
export function countByKind(tracks: readonly TimelineTrack[]): Record<TimelineKind, number> {
  const counts = Object.fromEntries(TIMELINE_KINDS.map((k) => [k, 0])) as Record<TimelineKind, number>;
  for (const t of tracks) for (const e of t.events) counts[kindOfEvent(e.kind)]++;
  return counts;
}

/** The hover's text: `trap: page fault, 2,409 cycles (step 1,234)`. */
export function describeMark(m: Mark): string {
  const cost = m.cycles === null ? 'not priced singly' : `${formatCount(m.cycles)} cycles`;
  return `${m.kind}: ${m.name}, ${cost} (step ${formatCount(m.step)}, at cycle ${formatCount(m.start)})`;
}

/** Each kind's colour (canvas and legend share them); chosen apart for common colour blindness (Okabe–Ito). */
export const KIND_COLOURS: Record<TimelineKind, string> = {
  exit: '#D55E00',
  trap: '#E69F00',
  hypercall: '#009E73',
  callout: '#CC79A7',
  translate: '#332288',
  paging: '#8C564B',
  exception: '#F0E442',
  interrupt: '#0072B2',
  packet: '#56B4E9',
  guest: '#D9D9D9',
  other: '#999999',
};

/**
 * The event after (dir 1) or before (dir -1) `at` over all tracks, the guest's
 * own runs left out (they are the background, not an event): the keyboard's
 * way through the timeline. Ties at one cycle go by track order; `after` names
 * the event the cursor is on, so stepping from it moves past it.
 */
export function stepEvent(
  tracks: readonly TimelineTrack[], at: number, dir: 1 | -1, after?: { track: number; index: number },
): { track: number; index: number; mark: Mark } | undefined {
  let best: { track: number; index: number; mark: Mark } | undefined;
  const key = (t: number, i: number, m: Mark) => [m.start, t, i] as const;
  const cur = after ? key(after.track, after.index, tracks[after.track]!.events[after.index]!) : ([at, dir === 1 ? -1 : Infinity, 0] as const);
  const cmp = (a: readonly [number, number, number], b: readonly [number, number, number]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  tracks.forEach((t, ti) => t.events.forEach((m, i) => {
    if (m.kind === 'guest') return;
    const k = key(ti, i, m);
    if (dir * cmp(k, cur) <= 0) return;
    if (!best || dir * cmp(k, key(best.track, best.index, best.mark)) < 0) best = { track: ti, index: i, mark: m };
  }));
  return best;
}
