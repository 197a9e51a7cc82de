// The side-by-side panel: two runs of one guest (two modes, two workers).
// A table of modelled cycles per event kind with a bar for each run, the
// difference and the ratio, then both timelines on one cycle axis: zooming or
// panning one moves the other, so the same guest's phases line up and the
// wider slices show where a mode spends its cycles.

import type { VmState } from '../../src/playground/protocol.js';
import { h, fill, table } from './dom.js';
import { formatCount } from './format.js';
import { compareModel, ratioText, timelineTotals, type DiffRow } from './compare-model.js';
import { KIND_COLOURS, TIMELINE_KINDS } from './timeline-model.js';
import { barPercent } from './counters-model.js';
import { bar } from './counters.js';
import { createTimelinePanel, type TimelinePanel } from './timeline.js';
import type { TimelineData } from './timeline-trace.js';

/** One run: its label (the mode, e.g. `bt`), its snapshot (for the counters) and its timeline so far. */
export interface CompareRun {
  label: string;
  state: Pick<VmState, 'counters'>;
  /** A TimelineResponse's `timeline` (or the older per-step events). */
  timeline?: TimelineData;
  /** @deprecated the older per-step events; use `timeline`. */
  events?: TimelineData;
}

export interface ComparePanel {
  update(a: CompareRun, b: CompareRun): void;
}

function signed(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : n < 0 ? `−${formatCount(-n)}` : '0';
}

export function createComparePanel(container: HTMLElement): ComparePanel {
  const summary = h('div', { class: 'pg-compare-summary' });
  const tracks = h('div', { class: 'pg-compare-timelines' });
  const root = h('section', { class: 'pg-panel pg-compare', 'data-testid': 'compare', 'aria-label': 'two runs side by side' }, summary, tracks);
  container.append(root);
  fill(summary, h('p', { class: 'pg-empty' }, 'no runs to compare yet'));
  // Each timeline follows the other's zoom and pan.
  let left: TimelinePanel | undefined;
  let right: TimelinePanel | undefined;
  left = createTimelinePanel(tracks, { testId: 'compare-timeline-a', title: 'run A', onViewChange: (v) => right?.setView(v) });
  right = createTimelinePanel(tracks, { testId: 'compare-timeline-b', title: 'run B', onViewChange: (v) => left?.setView(v) });
  const titleOf = (testId: string) => tracks.querySelector(`[data-testid="${testId}"] h3`);

  return {
    update(a, b) {
      const m = compareModel({ label: a.label, counters: a.state.counters }, { label: b.label, counters: b.state.counters });
      const [la, lb] = m.labels;
      const row = (r: DiffRow, total = false) => h('tr', { class: total ? 'pg-total' : undefined, 'data-testid': `compare-${total ? 'total' : r.kind.replace(/\s+/g, '-')}` },
        h('th', { scope: 'row' }, r.kind),
        h('td', { class: 'pg-num' }, formatCount(r.a)),
        h('td', { class: 'pg-bar-cell' }, total ? null : bar(barPercent(r.a, m.max), 'a', `${la} ${formatCount(r.a)} cycles`)),
        h('td', { class: 'pg-num' }, formatCount(r.b)),
        h('td', { class: 'pg-bar-cell' }, total ? null : bar(barPercent(r.b, m.max), 'b', `${lb} ${formatCount(r.b)} cycles`)),
        h('td', { class: `pg-num ${r.diff > 0 ? 'pg-more' : r.diff < 0 ? 'pg-less' : ''}`.trim() }, signed(r.diff)),
        h('td', { class: 'pg-num' }, ratioText(r.a, r.b)));
      const presets = m.presets[0] === m.presets[1] ? `cost model ${m.presets[0]}` : `cost models ${m.presets[0]} and ${m.presets[1]} (they differ: the cycles do not compare)`;
      fill(summary,
        h('p', { class: 'pg-preset', 'data-testid': 'compare-preset' }, `${la} against ${lb}, ${presets}`),
        table(`modelled cycles per event kind: ${la} and ${lb}`, ['event', la, '', lb, '', `${lb} − ${la}`, `${lb} / ${la}`],
          [...m.rows.map((r) => row(r)), row(m.total, true)], { 'data-testid': 'compare-table' }));
      const ta = titleOf('compare-timeline-a'), tb = titleOf('compare-timeline-b');
      if (ta) ta.textContent = `${la}: ${formatCount(m.total.a)} cycles`;
      if (tb) tb.textContent = `${lb}: ${formatCount(m.total.b)} cycles`;
      left!.update(a.timeline ?? a.events ?? []);
      right!.update(b.timeline ?? b.events ?? []);
      // One axis for both: the longer run's length (shown whole until the user zooms).
      const end = Math.max(left!.end(), right!.end());
      left!.setEnd(end);
      right!.setEnd(end);
      // The timelines' view of the same question: events and their cycles per kind, where each mode's time went.
      const ka = timelineTotals(left!.tracks()), kb = timelineTotals(right!.tracks());
      const kinds = TIMELINE_KINDS.filter((k) => ka[k].events + kb[k].events > 0);
      if (kinds.length) {
        const max = Math.max(...kinds.map((k) => Math.max(ka[k].cycles, kb[k].cycles)));
        summary.append(table(`the timelines per event kind: ${la} and ${lb}`, ['kind', `${la} events`, `${la} cycles`, '', `${lb} events`, `${lb} cycles`, '', `${lb} − ${la}`],
          kinds.map((k) => h('tr', { 'data-testid': `compare-kind-${k}` },
            h('th', { scope: 'row' }, h('span', { class: 'pg-swatch', style: `background: ${KIND_COLOURS[k]}`, 'aria-hidden': 'true' }), k),
            h('td', { class: 'pg-num' }, formatCount(ka[k].events)),
            h('td', { class: 'pg-num' }, formatCount(ka[k].cycles)),
            h('td', { class: 'pg-bar-cell' }, bar(barPercent(ka[k].cycles, max), 'a', `${la} ${formatCount(ka[k].cycles)} cycles`)),
            h('td', { class: 'pg-num' }, formatCount(kb[k].events)),
            h('td', { class: 'pg-num' }, formatCount(kb[k].cycles)),
            h('td', { class: 'pg-bar-cell' }, bar(barPercent(kb[k].cycles, max), 'b', `${lb} ${formatCount(kb[k].cycles)} cycles`)),
            h('td', { class: `pg-num ${kb[k].cycles > ka[k].cycles ? 'pg-more' : kb[k].cycles < ka[k].cycles ? 'pg-less' : ''}`.trim() }, signed(kb[k].cycles - ka[k].cycles)))),
          { 'data-testid': 'compare-kinds' }));
      }
    },
  };
}
