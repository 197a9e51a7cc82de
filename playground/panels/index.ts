// The playground's panels (issue 17): framework-free DOM renderers, one per
// file, each fed the worker's plain data (src/playground/protocol.ts). Each
// create*Panel(container, options?) appends its <section> to `container` and
// returns an object whose update() re-renders it. The pure models behind them
// (*-model.ts) are exported too, for the shell and for Node tests. Styles:
// panels.css (classes prefixed pg-), which the shell includes.
//
// data-testid attributes (stable; the browser tests rely on them):
//   registers           the registers panel
//     reg-table, flags-table, cr-table        its tables
//     reg-r0 … reg-r15, reg-pc, reg-ring      rows (data-changed="true" and class pg-changed when changed since the last update)
//     reg-status, reg-tvec, reg-ptbr, reg-faultaddr, reg-cause, reg-epc, reg-scratch
//     reg-flag-IE, reg-flag-PG, reg-flag-CPL, reg-flag-PPL, reg-flag-PIE, reg-flag-user
//   page-tables         the page-tables panel
//     pt-address, pt-address-error            the address to walk (empty: the pc) and its error
//     pt-walk-<kind>, pt-table-<kind>         per set of tables (kind guest; shadow, ept when given)
//     pt-<kind>-dir-<n>                       a directory entry's <details> (its pages' table inside; open when it holds the walked address)
//   memory              the memory panel
//     mem-address, mem-follow, mem-space, mem-address-error, mem-table
//     mem-row-0x<8 hex>                       a row of 16 bytes
//   bt-view             the bt panel
//     bt-header (bt-dump's header), bt-unit-<i> (each unit holding the pc), bt-table (its table),
//     bt-row-0x<8 hex> (a guest instruction's row; the pc's has aria-current="true"), bt-chains, bt-empty
//   counters            the counters panel
//     cost-preset, cost-table, cost-<event kind with dashes>, cost-total, machine-counters,
//     cost-overhead, per-iteration (a nanobenchmark's cycles per iteration), monitor-counters,
//     counter-<name>, monitor-counter-<name>
//   timeline            the timeline panel (or its testId option)
//     timeline-zoom-in, timeline-zoom-out, timeline-zoom-fit (buttons), timeline-range,
//     timeline-legend, timeline-legend-<kind>, timeline-canvas, timeline-tooltip
//     (kinds: exit trap hypercall callout translate paging exception interrupt packet guest other)
//     keys on the focused canvas: + - 0 zoom, arrows pan, [ ] step through the events (the tooltip describes
//     the one stepped to; Escape clears it)
//     (update(data) takes a TimelineResponse's `timeline`, src/trace/perfetto.ts's Timeline, whose guest
//     slices draw as a thin grey band and whose records of no VM get a track `(network)`; or the older
//     per-step events; updateTracks(tracks) tracks already laid out)
//   compare             the side-by-side panel
//     compare-preset, compare-table, compare-<event kind with dashes>, compare-total,
//     compare-kinds, compare-kind-<timeline kind>  (the timelines' events and cycles per kind)
//     compare-timeline-a, compare-timeline-b  (two timelines, their parts prefixed the same way)

export { createRegistersPanel, type RegistersPanel } from './registers.js';
export { createPageTablesPanel, type PageTablesPanel } from './page-tables.js';
export { createMemoryPanel, type MemoryPanel, type MemoryPanelOptions, type MemoryRange } from './memory.js';
export { createBtPanel, type BtPanel } from './bt-view.js';
export { createCountersPanel, type CountersPanel } from './counters.js';
export { createTimelinePanel, type TimelinePanel, type TimelinePanelOptions } from './timeline.js';
export { createComparePanel, type ComparePanel, type CompareRun } from './compare.js';

export { registersModel, cpuOfState, type CpuView, type RegRow } from './registers-model.js';
export { directoryGroups, tableSetsOf, walk, type PageTableSet } from './page-tables-model.js';
export { memoryRows, followValue, FOLLOW_CHOICES } from './memory-model.js';
export { parseBtText, btUnits, type BtLine, type BtUnit } from './bt-model.js';
export { countersModel } from './counters-model.js';
export { compareModel } from './compare-model.js';
export {
  tracksFromEvents, layoutTrack, hitTest, zoomAt, panBy, fitView, clampView, ticks, KIND_COLOURS, TIMELINE_KINDS,
  type View, type Mark, type TimelineTrack, type TimelineKind, type StepEvent,
} from './timeline-model.js';
export { tracksFromTimeline, tracksOf, NETWORK_TRACK, type SampledTimeline, type TimelineData } from './timeline-trace.js';
