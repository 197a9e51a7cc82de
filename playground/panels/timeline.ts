// The timeline panel: a track per VM on a <canvas>, each event a slice as
// wide as its modelled cycles (or an instant when it is not priced singly),
// coloured by kind with a legend. The wheel zooms about the pointer, the
// buttons (and + / - / 0 / arrows on the focused canvas) zoom and pan,
// dragging pans; hovering shows the event's name and cycles. The geometry is
// timeline-model.ts; this file only draws and listens.

import { h, fill } from './dom.js';
import { formatCount, shortCycles } from './format.js';
import { tracksOf, type TimelineData } from './timeline-trace.js';
import {
  countByKind, fitView, hitTest, KIND_COLOURS, layoutTrack, panBy, ticks, timelineEnd, TIMELINE_KINDS,
  wheelFactor, zoomAt, clampView, describeMark, stepEvent, cycleToX, xToCycle, type TimelineTrack, type View,
} from './timeline-model.js';

export interface TimelinePanelOptions {
  /** The panel's data-testid (default `timeline`; a side-by-side view names its two). */
  testId?: string;
  /** A heading above the tracks (e.g. the run's mode). */
  title?: string;
  /** Called after the user zoomed or panned (to keep another timeline aligned with setView). */
  onViewChange?: (view: View) => void;
}

export interface TimelinePanel {
  /** The timeline so far: a TimelineResponse's `timeline` (or the older per-step events). */
  update(data: TimelineData): void;
  /** Tracks already on the cycle axis (e.g. tracksFromTimeline of a cycle-sampled timeline) instead of events. */
  updateTracks(tracks: readonly TimelineTrack[]): void;
  /** Show `view`; `end` the axis's length when shared with another timeline (default its own events' end). */
  setView(view: View, end?: number): void;
  view(): View;
  /** The axis's length when shared with another timeline (a view that shows the whole axis keeps doing so). */
  setEnd(end: number): void;
  /** The tracks drawn now. */
  tracks(): readonly TimelineTrack[];
  /** The last cycle this panel's events reach. */
  end(): number;
  /** Redraw at the container's current width (call after a layout change). */
  resize(): void;
}

const GUTTER = 88;
const AXIS = 22;
const TRACK = 30;

export function createTimelinePanel(container: HTMLElement, options: TimelinePanelOptions = {}): TimelinePanel {
  const testId = options.testId ?? 'timeline';
  let tracks: TimelineTrack[] = [];
  let ownEnd = 0;
  let sharedEnd: number | undefined;
  let view: View = { start: 0, cyclesPerPx: 1 };
  let fitted = true;
  /** The event the keyboard stepped to ([ and ]), outlined and described; cleared when the tracks change. */
  let cursor: { track: number; index: number } | undefined;
  /** Events per kind (legend, accessible summary): counted once per update, not per redraw. */
  let counts = countByKind(tracks);

  const button = (label: string, text: string, id: string) =>
    h('button', { type: 'button', class: 'pg-button', 'aria-label': label, title: label, 'data-testid': `${testId}-${id}` }, text);
  const zoomIn = button('zoom in', '+', 'zoom-in');
  const zoomOut = button('zoom out', '−', 'zoom-out');
  const zoomFit = button('show the whole run', 'fit', 'zoom-fit');
  const range = h('span', { class: 'pg-range', 'data-testid': `${testId}-range`, 'aria-live': 'polite' });
  const legend = h('ul', { class: 'pg-legend', 'data-testid': `${testId}-legend`, 'aria-label': 'event kinds' });
  const canvas = h('canvas', { class: 'pg-canvas', tabindex: 0, role: 'img', 'data-testid': `${testId}-canvas` });
  const tooltip = h('div', { class: 'pg-tooltip', role: 'status', hidden: true, 'data-testid': `${testId}-tooltip` });
  const stage = h('div', { class: 'pg-stage' }, canvas, tooltip);
  const root = h('section', { class: 'pg-panel pg-timeline', 'data-testid': testId, 'aria-label': options.title ?? 'timeline' },
    options.title ? h('h3', {}, options.title) : null,
    h('div', { class: 'pg-toolbar' }, zoomIn, zoomOut, zoomFit, range),
    legend, stage,
    h('p', { class: 'pg-hint' }, 'wheel or + / − to zoom, drag or ← → to pan, [ and ] to step through the events; the axis is modelled cycles'));
  container.append(root);

  const end = () => Math.max(ownEnd, sharedEnd ?? 0);
  const width = () => Math.max(100, (stage.clientWidth || 700) - GUTTER);

  const draw = () => {
    const w = width();
    const cssH = AXIS + Math.max(1, tracks.length) * TRACK;
    const dpr = globalThis.devicePixelRatio || 1;
    canvas.width = Math.round((w + GUTTER) * dpr);
    canvas.height = Math.round(cssH * dpr);
    canvas.style.width = `${w + GUTTER}px`;
    canvas.style.height = `${cssH}px`;
    canvas.setAttribute('aria-label', `timeline of ${tracks.length} VM${tracks.length === 1 ? '' : 's'}: `
      + TIMELINE_KINDS.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`).join(', ') || 'no events');
    range.textContent = `cycles ${formatCount(Math.round(view.start))} – ${formatCount(Math.round(view.start + w * view.cyclesPerPx))} of ${formatCount(end())}`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w + GUTTER, cssH);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    // The axis: a tick and a label every ~100 px of round cycle values.
    ctx.fillStyle = '#555';
    ctx.strokeStyle = '#ddd';
    for (const t of ticks(view, w)) {
      const x = GUTTER + (t - view.start) / view.cyclesPerPx;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, AXIS - 4);
      ctx.lineTo(x + 0.5, cssH);
      ctx.stroke();
      ctx.fillText(shortCycles(t), x + 2, AXIS / 2);
    }
    tracks.forEach((track, i) => {
      const y = AXIS + i * TRACK;
      ctx.fillStyle = '#222';
      ctx.fillText(track.vm.length > 12 ? track.vm.slice(0, 11) + '…' : track.vm, 4, y + TRACK / 2);
      // Marks that begin before the view would run into the gutter's names: draw the track clipped to it.
      ctx.save();
      ctx.beginPath();
      ctx.rect(GUTTER, y, w, TRACK);
      ctx.clip();
      ctx.fillStyle = i % 2 ? '#f6f6f6' : '#fbfbfb';
      ctx.fillRect(GUTTER, y, w, TRACK);
      const placed = layoutTrack(track, view, w);
      // The guest's own run as a thin band, the priced slices over it, instants on top (a thin full-height mark).
      ctx.fillStyle = KIND_COLOURS.guest;
      for (const p of placed) if (p.kind === 'guest') ctx.fillRect(GUTTER + p.x, y + TRACK / 2 - 3, p.w, 6);
      for (const p of placed) {
        if (p.w === 0 || p.kind === 'guest') continue;
        ctx.fillStyle = KIND_COLOURS[p.kind];
        ctx.fillRect(GUTTER + p.x, y + 5, p.w, TRACK - 10);
      }
      for (const p of placed) {
        if (p.w !== 0) continue;
        ctx.fillStyle = KIND_COLOURS[p.kind];
        ctx.fillRect(GUTTER + p.x - 0.5, y + 2, 1.5, TRACK - 4);
      }
      ctx.restore();
    });
    if (cursor) {
      const m = tracks[cursor.track]?.events[cursor.index];
      if (m) {
        const x = GUTTER + cycleToX(view, m.start), y = AXIS + cursor.track * TRACK;
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2;
        ctx.strokeRect(x - 2, y + 1, Math.max(4, m.dur / view.cyclesPerPx + 4), TRACK - 2);
        ctx.lineWidth = 1;
      }
    }
  };

  /** Step the cursor to the next or previous event, bring it into view and describe it (the tooltip is a live region). */
  const stepTo = (dir: 1 | -1) => {
    // From the cursor; without one, from the view's left edge forward or its right edge back.
    const next = stepEvent(tracks, dir === 1 ? view.start : xToCycle(view, width()), dir, cursor);
    if (!next) return;
    cursor = { track: next.track, index: next.index };
    const x = cycleToX(view, next.mark.start);
    if (x < 0 || x > width()) setViewInternal({ start: next.mark.start - (width() / 2) * view.cyclesPerPx, cyclesPerPx: view.cyclesPerPx }, true);
    else draw();
    const tx = GUTTER + cycleToX(view, next.mark.start);
    showTip(`${tracks[next.track]!.vm}: ${describeMark(next.mark)}`, tx, AXIS + next.track * TRACK + TRACK / 2);
  };

  const renderLegend = () => {
    fill(legend, ...TIMELINE_KINDS.filter((k) => (k !== 'other' && k !== 'guest') || counts[k] > 0).map((k) =>
      h('li', { 'data-testid': `${testId}-legend-${k}` },
        h('span', { class: 'pg-swatch', style: `background: ${KIND_COLOURS[k]}`, 'aria-hidden': 'true' }),
        `${k} ${formatCount(counts[k])}`)));
  };

  /** The tooltip at (x, y) in the stage: above the point, and to its left on the right half, so it stays inside the panel. */
  const showTip = (text: string, x: number, y: number) => {
    tooltip.textContent = text;
    const right = x > (GUTTER + width()) / 2;
    tooltip.style.left = `${x + (right ? -12 : 12)}px`;
    tooltip.style.top = `${y}px`;
    tooltip.style.transform = `translate(${right ? '-100%' : '0'}, -120%)`;
    tooltip.hidden = false;
  };

  const setViewInternal = (next: View, notify: boolean) => {
    view = clampView(next, end(), width());
    // Zoomed all the way out is the fitted view: it then grows with the run.
    fitted = view.start === 0 && view.cyclesPerPx >= fitView(end(), width()).cyclesPerPx;
    draw();
    if (notify) options.onViewChange?.(view);
  };
  const zoom = (factor: number, anchor = width() / 2) => setViewInternal(zoomAt(view, factor, anchor, end(), width()), true);
  const fit = (notify: boolean) => {
    view = fitView(end(), width());
    fitted = true;
    draw();
    if (notify) options.onViewChange?.(view);
  };

  zoomIn.addEventListener('click', () => zoom(2));
  zoomOut.addEventListener('click', () => zoom(0.5));
  zoomFit.addEventListener('click', () => fit(true));
  canvas.addEventListener('keydown', (e) => {
    const step = width() / 8;
    const actions: Record<string, () => void> = {
      '+': () => zoom(2), '=': () => zoom(2), '-': () => zoom(0.5), '0': () => fit(true),
      ArrowLeft: () => setViewInternal(panBy(view, step, end(), width()), true),
      ArrowRight: () => setViewInternal(panBy(view, -step, end(), width()), true),
      ']': () => stepTo(1), '[': () => stepTo(-1),
      Escape: () => {
        cursor = undefined;
        tooltip.hidden = true;
        draw();
      },
    };
    const act = actions[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    zoom(wheelFactor(e.deltaY), e.offsetX - GUTTER);
  }, { passive: false });

  let drag: { x: number; moved: boolean } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, moved: false };
    canvas.setPointerCapture?.(e.pointerId);
  });
  canvas.addEventListener('pointerup', () => {
    drag = undefined;
  });
  canvas.addEventListener('pointerleave', () => {
    if (!cursor) tooltip.hidden = true;
  });
  canvas.addEventListener('pointermove', (e) => {
    if (drag && e.buttons) {
      const dx = e.clientX - drag.x;
      drag.x = e.clientX;
      drag.moved = true;
      tooltip.hidden = true;
      setViewInternal(panBy(view, dx, end(), width()), true);
      return;
    }
    const x = e.offsetX - GUTTER, i = Math.floor((e.offsetY - AXIS) / TRACK);
    const track = tracks[i];
    const hit = track && x >= 0 ? hitTest(track, view, x) : undefined;
    if (!hit || !track) {
      tooltip.hidden = true;
      return;
    }
    showTip(`${track.vm}: ${describeMark(hit)}`, e.offsetX, e.offsetY);
  });

  // Redraw at the new width when the layout changes (a tab shown, the window resized).
  let lastWidth = 0;
  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => {
    if (stage.clientWidth === lastWidth || stage.clientWidth === 0) return;
    lastWidth = stage.clientWidth;
    relayout();
  }) : undefined;
  observer?.observe(stage);
  const relayout = () => {
    if (fitted) fit(false);
    else setViewInternal(view, false);
  };
  const setTracks = (next: TimelineTrack[]) => {
    tracks = next;
    cursor = undefined;
    counts = countByKind(tracks);
    ownEnd = timelineEnd(tracks);
    renderLegend();
    // A fitted view keeps showing the whole run as it grows; a zoomed one stays where the user put it.
    relayout();
  };

  draw();
  renderLegend();
  let lastData: TimelineData | undefined;
  let lastCount = -1;
  return {
    update(data) {
      // The same data again (a render without a new timeline): nothing to lay out anew.
      const count = Array.isArray(data) ? data.length : -2;
      if (data === lastData && count === lastCount) return;
      lastData = data;
      lastCount = count;
      setTracks(tracksOf(data));
    },
    updateTracks(next) {
      lastData = undefined;
      setTracks([...next]);
    },
    setView(next, sharedLength) {
      if (sharedLength !== undefined) sharedEnd = sharedLength;
      setViewInternal(next, false);
    },
    view: () => ({ ...view }),
    setEnd(sharedLength) {
      sharedEnd = sharedLength;
      relayout();
    },
    end: () => ownEnd,
    tracks: () => tracks,
    resize: relayout,
  };
}
