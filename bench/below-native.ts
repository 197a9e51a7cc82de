// A monitor that runs a workload in less host time than the bare machine is
// never left unexplained: the tables mark such a cell and print the reason
// this file gives (docs/benchmarks.md, "Host time").

import type { CellResult } from './guest-suite.js';
import { SPREAD_LIMIT } from './spread.js';

/**
 * Cells where the mechanism itself is cheaper in this implementation, by
 * suite, workload and mode, with why (measured, and the counts show it).
 */
const MECHANISMS: Record<string, string> = {
  'nano crwrite pv': 'the -D PV build writes the shared page instead of executing mtcr: plain stores, no control-register write for the machine to carry out',
};

const x = (r: number) => `×${r.toFixed(2)}`;

/** Why the cell's host time is below native's; undefined when it is not below. */
export function belowNativeReason(c: Pick<CellResult, 'workload' | 'mode' | 'ratioToNative'>, suite?: string): string | undefined {
  const r = c.ratioToNative.host;
  if (r === null || r >= 1) return undefined;
  const known = suite === undefined ? undefined : MECHANISMS[`${suite} ${c.workload} ${c.mode}`];
  if (known !== undefined) return known;
  const rounds = c.ratioToNative.hostRounds.filter((v): v is number => v !== null);
  const hi = rounds.length ? Math.max(...rounds) : r;
  const lo = rounds.length ? Math.min(...rounds) : r;
  if (hi >= 1) return `noise: its rounds span ${x(lo)}-${x(hi)}, which includes native (×1)`;
  if (r >= 1 - SPREAD_LIMIT) return `within ${Math.round(SPREAD_LIMIT * 100)}% of native, the reproducibility of host time: no measured difference`;
  const cycles = c.ratioToNative.cycles;
  if (cycles !== null && cycles < 1) return `the model agrees: ${x(cycles)} modelled cycles`;
  return `unexplained: every round below native (${x(lo)}-${x(hi)}) while the counts and the model say ${cycles === null ? 'otherwise' : x(cycles)}; a measurement to investigate, not a result`;
}
