// The counters panel's rows, without the DOM: the modelled cycles per event
// kind under the page's cost-model preset (as `run --stats` prints them,
// src/vmm/stats-format.ts), each with its share of the total for a bar, and
// the raw counters (the machine's, the monitor's non-zero ones).

import type { Counters } from '../../src/playground/protocol.js';

export interface CostBarRow {
  kind: string;
  count: number;
  /** Cycles per event (cycles / count). */
  each: number;
  cycles: number;
  /** Share of the total, 0..1 (the bar's length against the whole run). */
  share: number;
}

export interface CountersModel {
  preset: string;
  rows: CostBarRow[];
  totalCycles: number;
  /** What the monitor added and its share of the total (as --stats's last line), when the report splits it. */
  overhead: { cycles: number; share: number } | null;
  machine: [string, number][];
  monitor: [string, number][] | null;
}

/** Rows whose count is 0 are left out, as --stats leaves them out (they cost nothing). */
export function countersModel(c: Counters): CountersModel {
  const total = c.cost.totalCycles;
  // The cost model's report (src/vmm/cost-model.ts CostReport) carries each row's price and the overhead; read them when there.
  const rows = c.cost.rows.filter((r) => r.count !== 0).map((r) => ({
    kind: r.kind, count: r.count, cycles: r.cycles,
    each: (r as { each?: number }).each ?? r.cycles / r.count,
    share: total > 0 ? r.cycles / total : 0,
  }));
  const over = (c.cost as { overheadCycles?: number }).overheadCycles;
  return {
    preset: c.cost.preset,
    rows,
    totalCycles: total,
    overhead: typeof over === 'number' ? { cycles: over, share: total > 0 ? over / total : 0 } : null,
    machine: Object.entries(c.machine),
    monitor: c.monitor ? Object.entries(c.monitor).filter(([, v]) => v !== 0) : null,
  };
}

/** A bar's width in percent of its track, at least a visible sliver for a non-zero value. */
export function barPercent(value: number, max: number): number {
  if (max <= 0 || value <= 0) return 0;
  return Math.max(0.5, Math.min(100, (100 * value) / max));
}

export interface PerIterationModel {
  iterations: number;
  /** `setup subtracted (a run with 0 iterations)` or why it is included. */
  setup: string;
  rows: { kind: string; count: number; each: number; cycles: number }[];
  guestCycles: number;
  overheadCycles: number;
  totalCycles: number;
}

/** A halted nanobenchmark's figures per iteration (as `run --stats` adds them), or null for any other run. */
export function perIterationModel(c: Pick<Counters, 'perIteration'>): PerIterationModel | null {
  const p = c.perIteration;
  if (!p) return null;
  const setup = p.setup === 'subtracted' ? 'setup subtracted (a run with 0 iterations)' : `setup included${p.note ? `: ${p.note}` : ''}`;
  return {
    iterations: p.iterations, setup,
    rows: p.cost.rows.map((r) => ({ kind: r.kind, count: r.count, each: r.each, cycles: r.cycles })),
    guestCycles: p.cost.guestCycles, overheadCycles: p.cost.overheadCycles, totalCycles: p.cost.totalCycles,
  };
}
