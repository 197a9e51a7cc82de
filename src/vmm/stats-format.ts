// Text for `--stats` under a monitor: the modelled cycles per event kind, as
// an aligned table (the counters themselves print like the machine's).

import { costPreset, type CostReport } from './cost-model.js';

export function formatCostReport(report: CostReport): string {
  const preset = costPreset(report.preset);
  const head = ['event', 'count', 'each', 'cycles'];
  const rows = report.rows.map((r) => [r.kind, String(r.count), String(r.each), String(r.cycles)]);
  const share = report.totalCycles === 0 ? 0 : (100 * report.overheadCycles) / report.totalCycles;
  rows.push(['total', '', '', String(report.totalCycles)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd() + '\n';
  return `modelled cycles, cost model ${preset.name}: ${preset.description}\n`
    + line(head) + rows.map(line).join('')
    + `monitor overhead ${report.overheadCycles} cycles (${share.toFixed(1)}% of the total)\n`;
}
