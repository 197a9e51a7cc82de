// The counters panel: modelled cycles per event kind under the page's
// cost-model preset (its name in the caption), a horizontal bar per row for
// its share of the total, then the raw counters (machine, and the monitor's
// non-zero ones).

import type { VmState } from '../../src/playground/protocol.js';
import { h, fill, table } from './dom.js';
import { formatCount } from './format.js';
import { barPercent, countersModel, perIterationModel, type PerIterationModel } from './counters-model.js';

export interface CountersPanel {
  update(state: VmState): void;
}

/** A horizontal bar: a real element with a width, its value also in text for screen readers. */
export function bar(percent: number, kind: string, label: string): HTMLElement {
  return h('div', { class: 'pg-bar-track', role: 'img', 'aria-label': label },
    h('div', { class: `pg-bar pg-bar-${kind}`, style: `width: ${percent.toFixed(2)}%` }));
}

function counterRows(entries: readonly [string, number][], prefix: string): HTMLTableRowElement[] {
  return entries.map(([k, v]) => h('tr', { 'data-testid': `${prefix}-${k}` }, h('th', { scope: 'row', class: 'pg-mono' }, k), h('td', { class: 'pg-num' }, formatCount(v))));
}

/** A nanobenchmark's cycles per iteration: what one loop iteration of the measured operation costs, per event kind. */
function perIterationView(p: PerIterationModel): HTMLElement {
  const rows = p.rows.map((r) => h('tr', {},
    h('th', { scope: 'row' }, r.kind),
    h('td', { class: 'pg-num' }, formatCount(r.count)),
    h('td', { class: 'pg-num' }, formatCount(r.each)),
    h('td', { class: 'pg-num' }, formatCount(r.cycles))));
  rows.push(h('tr', { class: 'pg-total' }, h('th', { scope: 'row' }, 'total'), h('td', {}), h('td', {}), h('td', { class: 'pg-num' }, formatCount(p.totalCycles))));
  return h('div', { 'data-testid': 'per-iteration' },
    table(`per iteration (${formatCount(p.iterations)} iterations, ${p.setup})`, ['event', 'count', 'each', 'cycles'], rows),
    h('p', { class: 'pg-overhead' }, `guest ${formatCount(p.guestCycles)} + monitor ${formatCount(p.overheadCycles)} cycles per iteration`));
}

export function createCountersPanel(container: HTMLElement): CountersPanel {
  const root = h('section', { class: 'pg-panel pg-counters', 'data-testid': 'counters', 'aria-label': 'counters and modelled cycles' });
  container.append(root);
  fill(root, h('p', { class: 'pg-empty' }, 'no state yet'));
  return {
    update(state) {
      const m = countersModel(state.counters);
      const perIteration = perIterationModel(state.counters);
      const rows = m.rows.map((r) => h('tr', { 'data-testid': `cost-${r.kind.replace(/\s+/g, '-')}` },
        h('th', { scope: 'row' }, r.kind),
        h('td', { class: 'pg-num' }, formatCount(r.count)),
        h('td', { class: 'pg-num' }, formatCount(r.each)),
        h('td', { class: 'pg-num' }, formatCount(r.cycles)),
        h('td', { class: 'pg-bar-cell' }, bar(barPercent(r.share, 1), 'cost', `${(100 * r.share).toFixed(1)}% of the total`))));
      rows.push(h('tr', { class: 'pg-total', 'data-testid': 'cost-total' },
        h('th', { scope: 'row' }, 'total'), h('td', {}), h('td', {}), h('td', { class: 'pg-num' }, formatCount(m.totalCycles)), h('td', {})));
      fill(root,
        h('p', { class: 'pg-preset', 'data-testid': 'cost-preset' }, `cost model ${m.preset} (mode ${state.mode})`),
        table(`modelled cycles per event kind, cost model ${m.preset}`, ['event', 'count', 'each', 'cycles', 'share'], rows, { 'data-testid': 'cost-table' }),
        m.overhead ? h('p', { class: 'pg-overhead', 'data-testid': 'cost-overhead' },
          `monitor overhead ${formatCount(m.overhead.cycles)} cycles (${(100 * m.overhead.share).toFixed(1)}% of the total)`) : null,
        perIteration ? perIterationView(perIteration) : null,
        table('machine counters', ['counter', 'value'], counterRows(m.machine, 'counter'), { 'data-testid': 'machine-counters' }),
        m.monitor ? table(`monitor counters (${state.mode}), non-zero`, ['counter', 'value'], counterRows(m.monitor, 'monitor-counter'), { 'data-testid': 'monitor-counters' }) : null);
    },
  };
}
