// `virtlab bench --compare A.json B.json`: every host-time cell of two --json
// reports side by side, its change from A to B, and whether it is within
// ±SPREAD_LIMIT: the check that a figure reproduces between two runs. A ratio
// is compared as it is; an absolute time, when both reports measured it
// against the machine's speed reference (bench/machine-speed.ts), by its ratio
// to that reference: B's time at A's machine speed, with the raw change beside.

import type { Clock } from './machine-speed.js';
import { SPREAD_LIMIT } from './spread.js';
import { table } from './table.js';

export interface CompareRow {
  cell: string;
  a: number | null;
  /** B's figure; for an absolute time measured against the speed reference in both, B's at A's machine speed. */
  b: number | null;
  change: number | null;
  within: boolean | null;
  /** An absolute time judged at equal machine speed: B's raw figure and its raw change from A. */
  raw?: { b: number | null; change: number | null };
}
export interface Comparison { rows: CompareRow[]; compared: number; within: number; onlyIn: { a: string[]; b: string[] } }

type Report = Record<string, unknown>;
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const arr = (x: unknown): Record<string, unknown>[] => (Array.isArray(x) ? x.filter((v) => typeof v === 'object' && v !== null) : []);

/** A cell's figure; an absolute time also its ratio to the machine's speed reference, where the report has it. */
export interface CellValue { value: number | null; perReference?: number | null }

const perRef = (x: unknown): { perReference?: number | null } => {
  const v = (x as Report | undefined)?.perReference;
  return v === undefined ? {} : { perReference: num(v) };
};

/** The host-time cells of a report, by name: what a rerun should reproduce (modelled cycles and counts are exact). */
export function hostTimeCells(r: Report, clock: Clock = 'cpu'): Map<string, CellValue> {
  return clock === 'cpu' ? cpuCells(r) : wallCells(r);
}

type Setter = (name: string, value: number | null, speed?: { perReference?: number | null }) => void;

function collect(fill: (set: Setter) => void): Map<string, CellValue> {
  const cells = new Map<string, CellValue>();
  fill((name, value, speed = {}) => cells.set(name, { value, ...speed }));
  return cells;
}

const obj = (x: unknown): Report | undefined => (typeof x === 'object' && x !== null ? (x as Report) : undefined);
const guestCells = (r: Report) => (['nano', 'macro'] as const).flatMap((suite) => arr(obj(r[suite])?.cells).map((c) => ({ suite, c })));
const netRows = (r: Report) => arr(obj(r.net)?.rows).map((n) => ({
  n, name: `net ${String(n.path)} ${String(n.nic)} ${String(n.mode)}`, reference: n.path === 'wire' && n.nic === 'emulated' && n.mode === 'native',
}));

function cpuCells(r: Report): Map<string, CellValue> {
  return collect((set) => {
    for (const e of arr(r.engine)) {
      const w = String(e.workload);
      set(`engine ${w} JS ms`, num(e.jsMs), perRef(e.js));
      for (const col of ['interp', 'jit'] as const) set(`engine ${w} ${col}/JS`, num(obj(e[col])?.ratioToJs));
      set(`engine ${w} jit/interp`, num(e.jitOverInterp));
    }
    for (const { suite, c } of guestCells(r)) {
      const name = `${suite} ${String(c.workload)} ${String(c.mode)}`;
      if (c.mode === 'native') set(`${name} ns/iteration`, num(obj(c.host)?.nsPerIteration), perRef(c.host));
      else set(`${name} ×native`, num(obj(c.ratioToNative)?.host));
    }
    for (const h of arr(obj(r.host)?.rows)) set(`host ${String(h.mode)} ${String(h.vms)} VMs ×1 VM`, num(h.ratioToOne));
    // As the guest suites: the reference's (the native e1000 on the wire) time per frame, every other cell's ratio to it; round trips in µs.
    for (const { n, name, reference } of netRows(r)) {
      for (const s of arr(n.stream)) {
        if (reference) set(`${name} ${String(s.size)} B ns/frame`, num(obj(s.host)?.nsPerFrame), perRef(s.host));
        else set(`${name} ${String(s.size)} B ×native`, num(obj(s.ratioToNative)?.host));
      }
      const l = obj(obj(n.latency)?.host);
      const speed = obj(l?.perReference);
      if (l) for (const [k, what, p] of [['p50Us', 'p50', 'p50'], ['p99Us', 'p99', 'p99'], ['cpuUs', 'CPU', 'cpu']] as const) set(`${name} round trip ${what} µs`, num(l[k]), perRef(speed?.[p]));
    }
    for (const p of arr(obj(r.profiles)?.rows)) {
      for (const [d, c] of Object.entries(obj(p.cells) ?? {})) if (obj(c)) set(`profiles ${String(p.profile)} ${d} host ×native`, num(obj(c)!.host));
    }
  });
}

/** The same cells by the wall clock, where the report has them (since 2026-12-07); the host and profiles suites' are CPU time only. */
function wallCells(r: Report): Map<string, CellValue> {
  return collect((set) => {
    for (const e of arr(r.engine)) {
      const w = obj(e.wall);
      if (!w) continue;
      const name = `engine ${String(e.workload)}`;
      set(`${name} JS ms`, num(w.jsMs), perRef(w.js));
      set(`${name} interp/JS`, num(w.interpRatioToJs));
      set(`${name} jit/JS`, num(w.jitRatioToJs));
      set(`${name} jit/interp`, num(w.jitOverInterp));
    }
    for (const { suite, c } of guestCells(r)) {
      const w = obj(c.wall);
      if (!w) continue;
      const name = `${suite} ${String(c.workload)} ${String(c.mode)}`;
      if (c.mode === 'native') set(`${name} ns/iteration`, num(w.nsPerIteration), perRef(w));
      else set(`${name} ×native`, num(w.ratioToNative));
    }
    for (const { n, name, reference } of netRows(r)) {
      for (const s of arr(n.stream)) {
        const w = obj(s.wall);
        if (!w) continue;
        if (reference) set(`${name} ${String(s.size)} B ns/frame`, num(w.value), perRef(w));
        else set(`${name} ${String(s.size)} B ×native`, num(w.ratioToNative));
      }
      const l = obj(obj(n.latency)?.host);
      const wall = obj(l?.wallUs);
      if (!l || !wall) continue;
      const speed = obj(l.perReference);
      for (const [k, what, p] of [['p50Us', 'p50', 'p50'], ['p99Us', 'p99', 'p99']] as const) set(`${name} round trip ${what} µs`, num(l[k]), perRef(speed?.[p]));
      set(`${name} round trip wall µs`, num(wall.value), perRef(wall));
    }
  });
}

export function compareReports(a: Report, b: Report, limit = SPREAD_LIMIT, clock: Clock = 'cpu'): Comparison {
  const ca = hostTimeCells(a, clock);
  const cb = hostTimeCells(b, clock);
  const rows: CompareRow[] = [];
  const changeOf = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && a > 0 ? b / a - 1 : null);
  for (const [cell, x] of ca) {
    if (!cb.has(cell)) continue;
    const y = cb.get(cell)!;
    const raw = changeOf(x.value, y.value);
    const atSpeed = changeOf(x.perReference, y.perReference);
    const judged = atSpeed !== null && x.value !== null;
    const change = judged ? atSpeed : raw;
    rows.push({
      cell, a: x.value, b: judged ? x.value! * (1 + atSpeed) : y.value, change,
      within: change === null ? (x.value === null && y.value === null ? true : null) : Math.abs(change) <= limit + 1e-9,
      ...(judged ? { raw: { b: y.value, change: raw } } : {}),
    });
  }
  return {
    rows,
    compared: rows.length,
    within: rows.filter((x) => x.within === true).length,
    onlyIn: { a: [...ca.keys()].filter((k) => !cb.has(k)), b: [...cb.keys()].filter((k) => !ca.has(k)) },
  };
}

const fmt = (x: number | null) => (x === null ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

export function formatComparison(c: Comparison, names: [string, string], limit = SPREAD_LIMIT): string {
  const pct = Math.round(limit * 100);
  const pc = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
  let s = `host-time cells of ${names[0]} (A) and ${names[1]} (B): change from A to B, within ±${pct}%?\n`;
  const atSpeed = c.rows.some((r) => r.raw);
  if (atSpeed) s += 'absolute times (ms, ns, µs) at equal machine speed: B\'s measured against the speed reference sampled with it, at A\'s speed (raw: as measured)\n';
  s += table(['cell', 'A', 'B', 'change', `±${pct}%`, ...(atSpeed ? ['raw B', 'raw change'] : [])], c.rows.map((r) => [r.cell, fmt(r.a), fmt(r.b),
    pc(r.change), r.within === null ? 'n/a' : r.within ? 'yes' : 'NO', ...(atSpeed ? (r.raw ? [fmt(r.raw.b), pc(r.raw.change)] : ['', '']) : [])]));
  for (const [which, list] of [['A', c.onlyIn.a], ['B', c.onlyIn.b]] as const) if (list.length) s += `only in ${which}: ${list.length} cells (${list.slice(0, 3).join(', ')}${list.length > 3 ? ', ...' : ''})\n`;
  const unmeasured = c.rows.filter((r) => r.within === null).length;
  s += `${c.within} of ${c.compared} host-time cells within ±${pct}%${unmeasured ? ` (${unmeasured} measured in one report only: noise in the other)` : ''}\n`;
  return s;
}
