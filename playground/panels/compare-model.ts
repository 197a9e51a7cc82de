// Two runs of one guest side by side (say bt and hw), without the DOM: the
// modelled cycles per event kind of each, their difference, and the events
// of each timeline per kind, so a student sees where each mode spends its
// cycles. Kinds one run does not have count as 0 there.

import type { Counters } from '../../src/playground/protocol.js';
import { TIMELINE_KINDS, kindOfEvent, type TimelineKind, type TimelineTrack } from './timeline-model.js';

/** One run: a label (its mode, e.g. `bt`) and its counters. */
export interface RunSummary {
  label: string;
  counters: Counters;
}

export interface DiffRow {
  kind: string;
  a: number;
  b: number;
  /** b − a: positive when the second run spends more on this kind. */
  diff: number;
}

export interface CompareModel {
  labels: [string, string];
  presets: [string, string];
  rows: DiffRow[];
  total: DiffRow;
  /** The largest cycles of any row of either run (the bars' scale). */
  max: number;
}

/** Per kind, in the order the first run lists them and then the second's own. */
export function compareModel(a: RunSummary, b: RunSummary): CompareModel {
  const cyclesA = new Map<string, number>(), cyclesB = new Map<string, number>();
  const order: string[] = [];
  const add = (into: Map<string, number>, kind: string, cycles: number) => {
    if (!cyclesA.has(kind) && !cyclesB.has(kind)) order.push(kind);
    into.set(kind, (into.get(kind) ?? 0) + cycles);
  };
  for (const r of a.counters.cost.rows) if (r.count !== 0) add(cyclesA, r.kind, r.cycles);
  for (const r of b.counters.cost.rows) if (r.count !== 0) add(cyclesB, r.kind, r.cycles);
  const rows = order.map((kind) => {
    const x = cyclesA.get(kind) ?? 0, y = cyclesB.get(kind) ?? 0;
    return { kind, a: x, b: y, diff: y - x };
  });
  const ta = a.counters.cost.totalCycles, tb = b.counters.cost.totalCycles;
  return {
    labels: [a.label, b.label],
    presets: [a.counters.cost.preset, b.counters.cost.preset],
    rows,
    total: { kind: 'total', a: ta, b: tb, diff: tb - ta },
    max: Math.max(0, ...rows.map((r) => Math.max(r.a, r.b))),
  };
}

/** `+1,234` / `−56` / `0`, and `×2.5` the ratio when both are non-zero. */
export function ratioText(a: number, b: number): string {
  if (a === 0 || b === 0) return '';
  const r = b / a;
  return `×${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}`;
}

/** Priced cycles and event counts per timeline kind over a run's tracks. */
export function timelineTotals(tracks: readonly TimelineTrack[]): Record<TimelineKind, { events: number; cycles: number }> {
  const out = Object.fromEntries(TIMELINE_KINDS.map((k) => [k, { events: 0, cycles: 0 }])) as Record<TimelineKind, { events: number; cycles: number }>;
  for (const t of tracks) for (const e of t.events) {
    const slot = out[kindOfEvent(e.kind)];
    slot.events++;
    slot.cycles += e.cycles ?? 0;
  }
  return out;
}
