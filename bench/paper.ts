// Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86
// Virtualization" (ASPLOS 2006): the nanobenchmark cycles on a Pentium 4, as
// issue 6 quotes them, beside what the cost model gives for the same guests.
// The paper's "HW" is first-generation VT-x (no nested paging): it compares
// with hw --no-ept.

import type { CellResult } from './guest-suite.js';

/** `btApproximate`: the paper gives the BT figure as approximate ("~214"). */
export interface PaperFigures { native?: number; bt?: number; hw?: number; btApproximate?: boolean }

export const PAPER: Readonly<Record<string, PaperFigures>> = {
  in: { native: 3209, bt: 214, hw: 15826, btApproximate: true },
  callret: { native: 11, bt: 51, hw: 11 },
  pgfault: { native: 1093, bt: 3927, hw: 11242 },
  divzero: { native: 889, bt: 3223, hw: 1014 },
  ptemod: { bt: 391, hw: 12733 },
};

export interface PaperRow {
  guest: string;
  paper: PaperFigures;
  /** Modelled cycles per iteration: native, bt and hw --no-ept (null when not measured). */
  model: { native: number | null; bt: number | null; hw: number | null };
}

/** A row as the JSON report gives it: with each cell's ratio to the paper and the row's ordering. */
export interface PaperReportRow extends PaperRow {
  ratio: Record<PaperColumn, number | null>;
  ordering: { paper: string; holds: boolean | null };
}

export type PaperColumn = 'native' | 'bt' | 'hw';
export const PAPER_COLUMNS: readonly PaperColumn[] = ['native', 'bt', 'hw'];
/** A cell is faithful when the model is within this factor of the paper, either way. */
export const PAPER_TOLERANCE = 2;

/** Model over paper for one column (null where either is missing). */
export function paperRatio(r: PaperRow, col: PaperColumn): number | null {
  const paper = r.paper[col], model = r.model[col];
  return paper === undefined || model === null ? null : model / paper;
}

export function withinTolerance(ratio: number): boolean {
  return ratio <= PAPER_TOLERANCE && ratio >= 1 / PAPER_TOLERANCE;
}

/**
 * Two cells closer than this factor are the same cost in an ordering: the
 * paper calls its HW divzero (1,014 cycles) "near native performance" (889),
 * an ordering it does not draw.
 */
export const PAPER_TIE = 1.2;

/** -1, 0 or 1: a cheaper than b, about equal (within PAPER_TIE), dearer. */
function compare(a: number, b: number): number {
  const lo = Math.min(a, b), hi = Math.max(a, b);
  if (hi <= lo * PAPER_TIE) return 0;
  return a < b ? -1 : 1;
}

/**
 * Whether the model orders the row's cells as the paper does: for every pair
 * of columns both give, the same one is cheaper (or both are about equal).
 * null when fewer than two columns can be compared.
 */
export function orderingHolds(r: PaperRow): boolean | null {
  const cols = PAPER_COLUMNS.filter((c) => r.paper[c] !== undefined && r.model[c] !== null);
  if (cols.length < 2) return null;
  for (const [i, a] of cols.entries()) {
    for (const b of cols.slice(i + 1)) {
      if (compare(r.paper[a]!, r.paper[b]!) !== compare(r.model[a]!, r.model[b]!)) return false;
    }
  }
  return true;
}

/** The paper's ordering of a row, cheapest first: `BT < native < HW` (`≈` for cells within PAPER_TIE). */
export function paperOrdering(r: PaperRow): string {
  const label: Record<PaperColumn, string> = { native: 'native', bt: 'BT', hw: 'HW' };
  const cols = PAPER_COLUMNS.filter((c) => r.paper[c] !== undefined).sort((a, b) => r.paper[a]! - r.paper[b]!);
  return cols.map((c, i) => (i === 0 ? '' : compare(r.paper[cols[i - 1]!]!, r.paper[c]!) === 0 ? ' ≈ ' : ' < ') + label[c]).join('');
}

export function paperRows(cells: readonly CellResult[]): PaperReportRow[] {
  const get = (guest: string, mode: string) => cells.find((c) => c.workload === guest && c.mode === mode)?.cycles.perIteration ?? null;
  return Object.entries(PAPER)
    .filter(([guest]) => cells.some((c) => c.workload === guest))
    .map(([guest, paper]) => {
      const row: PaperRow = { guest, paper, model: { native: get(guest, 'native'), bt: get(guest, 'bt'), hw: get(guest, 'hw-noept') } };
      const ratio = (col: PaperColumn) => { const x = paperRatio(row, col); return x === null ? null : Math.round(x * 1000) / 1000; };
      return { ...row, ratio: { native: ratio('native'), bt: ratio('bt'), hw: ratio('hw') }, ordering: { paper: paperOrdering(row), holds: orderingHolds(row) } };
    });
}
