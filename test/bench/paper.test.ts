// The published figures the nano suite is compared with (issue 6, Adams & Agesen 2006).
import { describe, expect, it } from 'vitest';
import { orderingHolds, PAPER, paperOrdering, paperRatio, paperRows, type PaperRow } from '../../bench/paper.js';
import { formatPaper } from '../../bench/suites.js';
import type { CellResult } from '../../bench/guest-suite.js';

const cell = (workload: string, mode: string, cycles: number): CellResult => ({
  workload, mode, iterations: 1,
  host: { nsPerIteration: 1, spread: null, rounds: [1], wallNsPerIteration: 1, samples: 1, runMs: 1, baselineMs: 0 },
  counts: { machine: {}, monitor: null },
  cycles: { preset: 'p4-2006', perIteration: cycles, guest: 0, overhead: 0 },
  ratioToNative: { host: null, hostSpread: null, hostRounds: [], cycles: null },
});

describe('model against the paper', () => {
  it('holds every figure the issue quotes', () => {
    expect(PAPER).toEqual({
      in: { native: 3209, bt: 214, hw: 15826, btApproximate: true },
      callret: { native: 11, bt: 51, hw: 11 },
      pgfault: { native: 1093, bt: 3927, hw: 11242 },
      divzero: { native: 889, bt: 3223, hw: 1014 },
      ptemod: { bt: 391, hw: 12733 },
    });
  });

  it('puts the model\'s native, bt and hw --no-ept cycles beside them', () => {
    const cells = ['native', 'bt', 'hw', 'hw-noept'].flatMap((m, i) => ['pgfault', 'ptemod', 'syscall'].map((g) => cell(g, m, 100 * (i + 1))));
    const rows = paperRows(cells);
    expect(rows.map((r) => r.guest)).toEqual(['pgfault', 'ptemod']);
    expect(rows[0]!.model).toEqual({ native: 100, bt: 200, hw: 400 });
    // The JSON's rows carry each cell's ratio (model / paper, 3 decimals) and the row's ordering.
    expect(rows[0]!.ratio).toEqual({ native: 0.091, bt: 0.051, hw: 0.036 });
    expect(rows[0]!.ordering).toEqual({ paper: 'native < BT < HW', holds: true });
    expect(rows[1]!.ratio.native).toBeNull();
    const text = formatPaper(rows, 'p4-2006');
    // Each cell with its ratio to the paper (OUT beyond 2×), the paper's ordering and whether the model keeps it.
    expect(text).toMatch(/^pgfault\s+1,093\s+100\s+×0\.091 OUT\s+3,927\s+200\s+×0\.051 OUT\s+11,242\s+400\s+×0\.036 OUT\s+native < BT < HW\s+yes$/m);
    expect(text).toMatch(/^ptemod\s+-\s+100\s+-\s+391\s+200\s+×0\.51\s+12,733\s+400\s+×0\.03\d OUT\s+BT < HW\s+yes$/m);
    expect(text).toMatch(/^cells within 2× of the paper: 1 of 5 .*rows ordered as the paper: 2 of 2$/m);
  });
});

describe('ratios and orderings', () => {
  const row = (guest: string, native: number | null, bt: number | null, hw: number | null): PaperRow => ({ guest, paper: PAPER[guest]!, model: { native, bt, hw } });

  it('gives each cell as model over paper, null where either is missing', () => {
    const r = row('in', 6418, 107, null);
    expect(paperRatio(r, 'native')).toBe(2);
    expect(paperRatio(r, 'bt')).toBe(0.5);
    expect(paperRatio(r, 'hw')).toBeNull();
    expect(paperRatio(row('ptemod', 5, 391, 12733), 'native')).toBeNull();
  });

  it('holds an ordering when every pair of cells is ordered as in the paper', () => {
    expect(paperOrdering(row('in', 1, 1, 1))).toBe('BT < native < HW');
    expect(orderingHolds(row('in', 3209, 205, 9461))).toBe(true);
    // HW cheaper than native: the in row's ordering breaks.
    expect(orderingHolds(row('in', 3209, 205, 2761))).toBe(false);
    expect(formatPaper([row('in', 3209, 205, 2761)], 'p4-2006')).toMatch(/BT < native < HW\s+NO$/m);
    // Cells within 1.2× of each other are one cost: the paper calls HW divzero (1,014) near native (889).
    expect(paperOrdering(row('divzero', 1, 1, 1))).toBe('native ≈ HW < BT');
    expect(orderingHolds(row('divzero', 889, 4972, 889))).toBe(true);
    expect(orderingHolds(row('divzero', 889, 4972, 2000))).toBe(false);
    expect(paperOrdering(row('callret', 1, 1, 1))).toBe('native ≈ HW < BT');
    expect(orderingHolds(row('callret', 4, 48, 4))).toBe(true);
    // Fewer than two cells to compare: no ordering to judge.
    expect(orderingHolds(row('ptemod', 5, 611, null))).toBeNull();
  });
});
