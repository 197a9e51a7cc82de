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

export function paperRows(cells: readonly CellResult[]): PaperRow[] {
  const get = (guest: string, mode: string) => cells.find((c) => c.workload === guest && c.mode === mode)?.cycles.perIteration ?? null;
  return Object.entries(PAPER)
    .filter(([guest]) => cells.some((c) => c.workload === guest))
    .map(([guest, paper]) => ({ guest, paper, model: { native: get(guest, 'native'), bt: get(guest, 'bt'), hw: get(guest, 'hw-noept') } }));
}
