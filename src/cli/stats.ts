// `--stats`: counters as an aligned two-column table, in the order and under
// the names of src/machine/counters.ts and src/vmm/counters.ts (the names
// --json uses); then, under a monitor, the modelled cycles per event kind.

import { formatCostReport, type Vm, type CostPresetName } from '../vmm/index.js';

export function formatCounters(counters: object, skipZero = false): string {
  const entries = (Object.entries(counters) as [string, number][]).filter(([, v]) => !skipZero || v !== 0);
  if (entries.length === 0) return '';
  const nameWidth = Math.max(...entries.map(([k]) => k.length));
  const valueWidth = Math.max(...entries.map(([, v]) => String(v).length));
  return entries.map(([k, v]) => `${k.padEnd(nameWidth)}  ${String(v).padStart(valueWidth)}\n`).join('');
}

/** Everything --stats prints for a run: machine counters; under a monitor its (non-zero) counters and the modelled cycles. */
export function formatRunStats(vm: Pick<Vm, 'stats'>, preset: CostPresetName): string {
  const stats = vm.stats(preset);
  let text = formatCounters(stats.machine);
  if (stats.monitor) {
    text += `\nmonitor (${stats.mode}), non-zero counters:\n` + formatCounters(stats.monitor, true);
    text += '\n' + formatCostReport(stats.cost);
  }
  return text;
}
