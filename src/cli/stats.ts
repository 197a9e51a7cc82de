// `--stats`: the machine's counters as an aligned two-column table, in the
// order and under the names of src/machine/counters.ts (the names --json uses).

import type { Counters } from '../machine/index.js';

export function formatCounters(counters: Counters): string {
  const entries = Object.entries(counters) as [string, number][];
  const nameWidth = Math.max(...entries.map(([k]) => k.length));
  const valueWidth = Math.max(...entries.map(([, v]) => String(v).length));
  return entries.map(([k, v]) => `${k.padEnd(nameWidth)}  ${String(v).padStart(valueWidth)}\n`).join('');
}
