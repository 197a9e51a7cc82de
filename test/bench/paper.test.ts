// The published figures the nano suite is compared with (issue 6, Adams & Agesen 2006).
import { describe, expect, it } from 'vitest';
import { PAPER, paperRows } from '../../bench/paper.js';
import { formatPaper } from '../../bench/suites.js';
import type { CellResult } from '../../bench/guest-suite.js';

const cell = (workload: string, mode: string, cycles: number): CellResult => ({
  workload, mode, iterations: 1,
  host: { nsPerIteration: 1, rme: 0, samples: 1, runMs: 1, baselineMs: 0 },
  counts: { machine: {}, monitor: null },
  cycles: { preset: 'p4-2006', perIteration: cycles, guest: 0, overhead: 0 },
  ratioToNative: { host: null, cycles: null },
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
    const text = formatPaper(rows, 'p4-2006');
    expect(text).toMatch(/^pgfault\s+1,093\s+100\s+3,927\s+200\s+11,242\s+400$/m);
    expect(text).toMatch(/^ptemod\s+-\s+100\s+391\s+200\s+12,733\s+400$/m);
  });
});
