// Text for `--stats` under a monitor: the modelled cycles per event kind, as
// an aligned table (the counters themselves print like the machine's). Each
// row names the counter it prices, as the counter list above it prints it;
// rows whose counter is 0 are left out (they cost nothing, and the monitor's
// list shows only its non-zero counters).

import { costPreset, type CostReport } from './cost-model.js';

export function formatCostReport(report: CostReport): string {
  const preset = costPreset(report.preset);
  const head = ['event', 'counter', 'count', 'each', 'cycles'];
  const rows = report.rows.filter((r) => r.count !== 0)
    .map((r) => [r.kind, r.counter, String(r.count), String(r.each), String(r.cycles)]);
  const share = report.totalCycles === 0 ? 0 : (100 * report.overheadCycles) / report.totalCycles;
  rows.push(['total', '', '', '', String(report.totalCycles)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd() + '\n';
  return `modelled cycles, cost model ${preset.name}: ${preset.description}\n`
    + line(head) + rows.map(line).join('')
    + `monitor overhead ${report.overheadCycles} cycles (${share.toFixed(1)}% of the total)\n`;
}
