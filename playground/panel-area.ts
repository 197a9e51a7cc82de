// Where the panels (playground/panels/) sit on the page: under tabs (registers first, one column per side
// when a second mode runs beside), the timeline along the bottom.
import type { Timeline, VmState } from '../src/playground/protocol.js';
import {
  createBtPanel,
  createComparePanel,
  createCountersPanel,
  createMemoryPanel,
  createPageTablesPanel,
  createRegistersPanel,
  createTimelinePanel,
  type ComparePanel,
  type MemoryPanel,
  type RegistersPanel,
  type TimelinePanel,
  tracksFromTimeline,
} from './panels/index.js';

/** What one side (one worker) shows: its selected VM's state and its timeline so far. */
export interface SideView {
  label: string;
  state: VmState | null;
  /** Null until the worker has made it (or after the machine moved and a new one is on its way). */
  timeline: Timeline | null;
  /** Why the worker made no timeline, or null. */
  timelineNote: string | null;
}

interface Updatable {
  update(state: VmState): void;
}

const TABS = ['registers', 'memory', 'page tables', 'bt', 'counters', 'compare'] as const;
type Tab = (typeof TABS)[number];

export class PanelArea {
  private readonly registerColumns: HTMLElement;
  private readonly registers: { label: HTMLElement; panel: RegistersPanel }[] = [];
  private readonly memory: MemoryPanel;
  private readonly perTab: Partial<Record<Tab, Updatable>> = {};
  private readonly compare: ComparePanel;
  private readonly timelineContainer: HTMLElement;
  /** One timeline per side, kept on one axis: zooming or panning one moves the other. */
  private readonly timelines: TimelinePanel[] = [];
  /** The timeline each track shows now (by identity). */
  private readonly drawn: (Timeline | null)[] = [];
  private readonly tabButtons = new Map<Tab, HTMLButtonElement>();
  private readonly tabBodies = new Map<Tab, HTMLElement>();
  private last: readonly SideView[] = [];
  private current: Tab = 'registers';

  /** `onNeed`: the panels want data the last snapshot did not ask for (another tab, another memory range). */
  constructor(container: HTMLElement, timelineContainer: HTMLElement, private readonly onNeed: () => void) {
    this.registerColumns = document.createElement('div');
    this.registerColumns.className = 'register-columns';
    const tabBar = document.createElement('div');
    tabBar.className = 'tabs';
    tabBar.setAttribute('role', 'tablist');
    const bodies = document.createElement('div');
    bodies.className = 'tab-bodies';
    for (const tab of TABS) {
      const button = document.createElement('button');
      button.textContent = tab;
      button.setAttribute('role', 'tab');
      button.dataset['tab'] = tab;
      button.addEventListener('click', () => {
        this.show(tab);
        this.onNeed();
      });
      tabBar.append(button);
      const body = document.createElement('div');
      body.className = 'tab-body';
      body.dataset['tab'] = tab;
      body.setAttribute('role', 'tabpanel');
      bodies.append(body);
      this.tabButtons.set(tab, button);
      this.tabBodies.set(tab, body);
    }
    container.append(tabBar, bodies);
    this.tabBodies.get('registers')!.append(this.registerColumns);
    this.memory = createMemoryPanel(this.tabBodies.get('memory')!, { onRange: () => onNeed(), follow: 'sp' });
    this.perTab['page tables'] = createPageTablesPanel(this.tabBodies.get('page tables')!);
    this.perTab.bt = createBtPanel(this.tabBodies.get('bt')!);
    this.perTab.counters = createCountersPanel(this.tabBodies.get('counters')!);
    this.compare = createComparePanel(this.tabBodies.get('compare')!);
    this.timelineContainer = timelineContainer;
    this.show('registers');
  }

  /**
   * What the next snapshot should carry beyond the registers: only what the visible tab shows, so a step
   * does not pay for page tables or a translation unit nobody is looking at.
   */
  snapshotParts(): { memory?: ReturnType<MemoryPanel['range']>; pageTables?: boolean; bt?: boolean } {
    if (this.current === 'memory') return { memory: this.memory.range() };
    if (this.current === 'page tables') return { pageTables: true };
    if (this.current === 'bt') return { bt: true };
    return {};
  }

  show(tab: Tab): void {
    this.current = tab;
    for (const [t, b] of this.tabButtons) b.setAttribute('aria-selected', String(t === tab));
    for (const [t, body] of this.tabBodies) body.hidden = t !== tab;
  }

  render(sides: readonly SideView[]): void {
    this.last = sides;
    while (this.registers.length < sides.length) {
      const column = document.createElement('div');
      column.className = 'register-column';
      const label = document.createElement('h2');
      column.append(label);
      this.registerColumns.append(column);
      this.registers.push({ label, panel: createRegistersPanel(column) });
    }
    this.registers.forEach((r, i) => {
      (r.label.parentElement as HTMLElement).hidden = i >= sides.length;
    });
    sides.forEach((side, i) => {
      const r = this.registers[i]!;
      r.label.textContent = side.state ? `${side.state.name} (${side.state.mode})` : side.label;
      if (side.state) r.panel.update(side.state);
    });
    // Only what is in view is drawn: a step must not pay for tables nobody sees.
    const first = sides[0]?.state;
    if (first) {
      if (this.current === 'memory' && first.memory) this.memory.update(first);
      if (this.current === 'page tables' && first.pageTables) this.perTab['page tables']!.update(first);
      if (this.current === 'bt' && first.bt !== undefined) this.perTab.bt!.update(first);
      if (this.current === 'counters') this.perTab.counters!.update(first);
    }
    this.tabButtons.get('compare')!.hidden = sides.length < 2;
    const [a, b] = sides;
    if (this.current === 'compare' && a?.state && b?.state) {
      this.compare.update({ label: a.label, state: a.state, ...(a.timeline ? { timeline: a.timeline } : {}) }, { label: b.label, state: b.state, ...(b.timeline ? { timeline: b.timeline } : {}) });
    }
    this.renderTimelines(sides);
  }

  private renderTimelines(sides: readonly SideView[]): void {
    while (this.timelines.length < sides.length) {
      const index = this.timelines.length;
      const box = document.createElement('div');
      box.className = 'timeline-box';
      box.append(document.createElement('h2'));
      this.timelineContainer.append(box);
      this.timelines.push(
        createTimelinePanel(box, {
          testId: index === 0 ? 'timeline' : `timeline-${index + 1}`,
          onViewChange: (view) => {
            for (const [i, other] of this.timelines.entries()) if (i !== index) other.setView(view);
          },
        }),
      );
    }
    this.timelines.forEach((t, i) => {
      const box = this.timelineContainer.children[i] as HTMLElement;
      box.hidden = i >= sides.length;
      if (i >= sides.length) return;
      const note = sides[i]!.timelineNote;
      (box.firstElementChild as HTMLElement).textContent = `timeline: ${sides[i]!.label}${note ? ` (not available: ${note})` : ''}`;
      // A timeline is made after a run or when stepping pauses: redraw only when a new one came.
      const timeline = sides[i]!.timeline;
      if (timeline && this.drawn[i] !== timeline) {
        this.drawn[i] = timeline;
        t.updateTracks(tracksFromTimeline(timeline));
      } else if (!timeline && note && this.drawn[i]) {
        // The old tracks no longer describe where the machine stands.
        this.drawn[i] = null;
        t.updateTracks([]);
      }
    });
    // Both tracks share the longer run's axis, so the same cycle is at the same x.
    const end = Math.max(0, ...this.timelines.slice(0, sides.length).map((t) => t.end()));
    if (sides.length > 1) for (const t of this.timelines.slice(0, sides.length)) t.setEnd(end);
  }

  /** After a load or restart nothing counts as changed in the registers. */
  resetRegisters(): void {
    for (const r of this.registers) r.panel.reset();
  }

  /** Redraws with the last data (after the memory range changed, the app fetches and calls render again). */
  lastSides(): readonly SideView[] {
    return this.last;
  }
}
