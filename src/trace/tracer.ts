// Tracing a run: a machine observer that turns step records into trace
// records, keeps the kinds asked for, writes them, and ends the run after a
// record limit. --start-at runs untraced (at full speed, with a breakpoint)
// until the pc first reaches the start address.

import type { Engine, RunResult } from '../engine/engine.js';
import type { StepRecord } from '../machine/events.js';
import { Machine } from '../machine/machine.js';
import type { Stop } from '../machine/stop.js';
import type { FrameEvent, FrameObserver } from '../net/types.js';
import type { MonitorEvent } from '../vmm/events.js';
import type { Monitor } from '../vmm/monitor.js';
import { BtView, type TcPlace } from './bt-view.js';
import { convertPlaced, convertStep, type PlacedEvent, type PlacedMonitorEvent } from './convert.js';
import { formatterFor, type TraceFormat } from './format.js';
import { EVENT_KINDS, kindOf, type EventKind, type TraceRecord } from './records.js';
import { tapSriov, type SriovEvent, type SriovTap } from './sriov-tap.js';
import type { TraceSink } from './sink.js';
import type { Symbolizer } from './symbolizer.js';

export const LIMIT_REACHED = 'trace limit reached';

/** Records emitted and whether the limit was reached: shared by the tracers of a host's VMs, so --limit counts them all. */
export interface TraceTally {
  records: number;
  limitReached: boolean;
}

export interface TracerOptions {
  symbolizer: Symbolizer;
  /** Record kinds to keep (default: all). */
  events?: ReadonlySet<EventKind>;
  /** Stop the run once this many records have been emitted. */
  limit?: number;
  emit: (record: TraceRecord) => void;
  /** Under --mode bt: instruction records show the guest's pc and code, with the translation beside them. */
  bt?: BtView;
  /**
   * Under a monitor, the ring the guest believes it runs at now (Monitor.guestRing): instruction
   * records show it, not the real CPL the monitor runs the guest at (ring 1 for a kernel under trap).
   */
  guestRing?: () => number;
  /** Count into this tally (shared with other tracers) instead of one of its own. */
  tally?: TraceTally;
  /**
   * Under --mode hw: the VMCS's count of posted interrupts the CPU delivered
   * (the monitor's postedInterrupts counter). A step that raised it delivered a
   * posted interrupt: its interrupt record gets `delivery: posted`, the others `line`.
   */
  posted?: () => number;
}

/** The posted-interrupt counter of a monitor under hw, for TracerOptions.posted; undefined in the other modes. */
export function postedCounter(monitor: Pick<Monitor, 'mode' | 'counters'> | undefined): (() => number) | undefined {
  return monitor?.mode.name === 'hw' ? () => monitor.counters.postedInterrupts : undefined;
}

/**
 * What the tracer needs of a monitor: its event listener slot (src/vmm
 * Monitor), its machine and mode (under bt, to show guest pcs), and its
 * counters (under hw, to tell posted interrupts).
 */
export type MonitorTap = Pick<Monitor, 'listener' | 'machine' | 'mode' | 'guestRing' | 'counters'>;

/** Attach with `machine.observer = tracer.observer`. */
export class Tracer {
  readonly tally: TraceTally;
  private readonly events: ReadonlySet<EventKind>;
  /** Monitor and frame events since the last step record, each placed among the machine events of the step in progress. */
  private pending: PlacedEvent[] = [];
  /**
   * Under bt, where the step in progress stood in the translation cache, taken
   * when it trapped: the monitor may then retranslate, invalidate or flush, and
   * by the end of the step the address may hold another unit.
   */
  private trapPlace: { pc: number; place: TcPlace } | undefined;
  /** Under a monitor, the guest's ring when the step in progress began (read after the step before it). */
  private guestRing: number | undefined;
  /** Under hw, the posted-interrupt count after the last step seen. */
  private postedSeen: number | undefined;

  constructor(private readonly engine: Engine, private readonly options: TracerOptions) {
    this.events = options.events ?? new Set(EVENT_KINDS);
    this.guestRing = options.guestRing?.();
    this.tally = options.tally ?? { records: 0, limitReached: false };
    this.postedSeen = options.posted?.();
  }

  get records(): number {
    return this.tally.records;
  }

  get limitReached(): boolean {
    return this.tally.limitReached;
  }

  /** Attach with `monitor.listener = tracer.monitorListener` (the step record then carries what the monitor did). */
  readonly monitorListener = (event: MonitorEvent): void => {
    if (this.limitReached) return;
    const m = this.engine.machine;
    const rec = m.record;
    const placed: PlacedMonitorEvent = { at: rec ? rec.events.length : -1, event };
    const bt = this.options.bt;
    if (bt && event.kind === 'trap') {
      // The machine hands the trap over before changing anything: the CPU is still at the trapping word.
      const place = bt.place(event.pc, m.cpu.cpl, rec?.pc === event.pc >>> 0 ? rec.word : undefined);
      if (place) {
        placed.tc = place;
        if (rec) this.trapPlace = { pc: rec.pc, place };
      }
    }
    this.pending.push(placed);
  };

  /** Attach with `vm.net.setObserver(tracer.frameObserver)`: frames become `frame` records of the step in progress. */
  readonly frameObserver: FrameObserver = (e: FrameEvent): void => {
    if (this.limitReached) return;
    const rec = this.engine.machine.record;
    // Copied now: the record is made at the end of the step.
    this.pending.push({ at: rec ? rec.events.length : -1, frame: { ...e, ...(e.to ? { to: [...e.to] } : {}) } });
  };

  /** Attach with tapSriov: mailbox messages and IOMMU events become records of the step in progress, as frames do. */
  readonly sriovObserver = (e: SriovEvent): void => {
    if (this.limitReached) return;
    const rec = this.engine.machine.record;
    this.pending.push({ at: rec ? rec.events.length : -1, sriov: e });
  };

  readonly observer = (step: StepRecord): void => {
    const placed = this.pending;
    this.pending = [];
    const bt = this.options.bt;
    let btStep;
    if (bt) {
      const t = this.trapPlace;
      this.trapPlace = undefined;
      btStep = { place: t && t.pc === step.pc ? t.place : bt.place(step.pc, step.ring, step.word) };
    }
    const ring = this.guestRing;
    if (this.options.guestRing) this.guestRing = this.options.guestRing();
    const records = convertStep(ring === undefined ? step : { ...step, ring }, this.options.symbolizer, placed, btStep);
    if (this.options.posted) this.markDelivery(records);
    this.write(records);
  };

  /** Under hw: each interrupt record says whether the CPU delivered it from the posted-interrupt descriptor. */
  private markDelivery(records: readonly TraceRecord[]): void {
    const now = this.options.posted!();
    const posted = now !== this.postedSeen;
    this.postedSeen = now;
    for (const r of records) if (r.type === 'interrupt') r.delivery = posted ? 'posted' : 'line';
  }

  /**
   * Monitor and frame events after the last step (work done on resuming, a frame a device sent
   * as the run ended, when no step followed), stamped with the last step.
   */
  flushPending(): void {
    const placed = this.pending;
    this.pending = [];
    const step = this.engine.machine.counters.steps;
    this.write(placed.map((p) => convertPlaced(p, step, this.options.symbolizer)));
  }

  private write(records: readonly TraceRecord[]): void {
    if (this.limitReached) return;
    const { limit, emit } = this.options;
    for (const r of records) {
      if (!this.events.has(kindOf(r))) continue;
      emit(r);
      this.tally.records++;
      if (limit !== undefined && this.tally.records >= limit) {
        this.tally.limitReached = true;
        this.engine.machine.requestStop(LIMIT_REACHED);
        return;
      }
    }
  }
}

export interface TraceRunOptions {
  engine: Engine;
  symbolizer: Symbolizer;
  sink: TraceSink;
  format: TraceFormat;
  events?: ReadonlySet<EventKind>;
  limit?: number;
  /** Virtual address where tracing begins (the first time the pc gets there). */
  startAt?: number;
  /** Step budget for the whole run, traced and untraced. */
  maxSteps: number;
  /** The monitor running the guest (any mode but native): its events become `monitor` records. */
  monitor?: MonitorTap;
  /** The VM's network (Vm.net), when it has a NIC: its frame events become `frame` records (with a VF, mailbox and IOMMU events `mailbox` and `iommu` records). */
  net?: NetTap;
}

/** What the tracer needs of a VM's network (src/vmm/vm.ts VmNet): its observer slot, and its SR-IOV network when it was given a VF. */
export interface NetTap {
  setObserver(observer: FrameObserver | undefined): void;
  sriov?: SriovTap | undefined;
}

export interface TraceRunResult {
  /** Why the guest stopped; a stop the limit asked for is `requested` only if the guest did not stop by itself on that step. */
  stop: Stop;
  records: number;
  limitReached: boolean;
  /** False when --start-at was given and the pc never got there. */
  started: boolean;
  steps: number;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export function traceRun(o: TraceRunOptions): TraceRunResult {
  const m = o.engine.machine;
  const formatter = formatterFor(o.format);
  const bt = BtView.of(o.monitor);
  const posted = postedCounter(o.monitor);
  let steps = 0;
  let started = true;
  if (o.startAt !== undefined && !atStart(o.engine, bt, o.startAt)) {
    const r = runToStart(o.engine, bt, o.startAt >>> 0, o.maxSteps);
    steps += r.steps;
    started = atStart(o.engine, bt, o.startAt) && (r.stop.kind === 'breakpoint' || r.stop.kind === 'requested');
    if (!started) {
      const note = formatter.note(`start address ${hex(o.startAt)} never reached; ${Machine.describeStop(r.stop)} after ${steps} steps`);
      if (note !== undefined) o.sink.line(note);
      o.sink.flush();
      return { stop: r.stop, records: 0, limitReached: false, started, steps };
    }
  }
  const tracer = new Tracer(o.engine, {
    symbolizer: o.symbolizer,
    ...(bt ? { bt } : {}),
    ...(o.monitor ? { guestRing: () => o.monitor!.guestRing() } : {}),
    ...(o.events ? { events: o.events } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(posted ? { posted } : {}),
    emit: (r) => o.sink.line(formatter.record(r)),
  });
  const before = m.observer;
  const beforeListener = o.monitor?.listener;
  m.observer = tracer.observer;
  if (o.monitor) o.monitor.listener = tracer.monitorListener;
  o.net?.setObserver(tracer.frameObserver);
  // The VM is the only one on its SR-IOV network: every mailbox message and IOMMU event is its own.
  const untapSriov = o.net?.sriov ? tapSriov(o.net.sriov, o.events ?? new Set(EVENT_KINDS), (e) => tracer.sriovObserver(e.event)) : undefined;
  let stop: Stop;
  try {
    const r = o.engine.run(Math.max(0, o.maxSteps - steps));
    steps += r.steps;
    stop = r.stop.kind === 'requested' && m.stopped ? m.stopped : r.stop;
    tracer.flushPending();
  } finally {
    m.observer = before;
    if (o.monitor) o.monitor.listener = beforeListener;
    // VmNet has no getter for the observer it had: a VM's network carries none but the tracer's.
    o.net?.setObserver(undefined);
    untapSriov?.();
  }
  const why = tracer.limitReached && stop.kind === 'requested'
    ? `trace limit of ${tracer.records} records reached at step ${m.counters.steps}; guest stopped`
    : `${Machine.describeStop(stop)} after ${m.counters.steps} steps`;
  const note = formatter.note(why);
  if (note !== undefined) o.sink.line(note);
  o.sink.flush();
  return { stop, records: tracer.records, limitReached: tracer.limitReached, started, steps };
}

/** The CPU is about to run the guest instruction at `addr` (under bt: at its start, wherever it is translated). */
function atStart(engine: Engine, bt: BtView | undefined, addr: number): boolean {
  return bt ? bt.atBoundary() && bt.guestPc() === addr >>> 0 : engine.machine.cpu.pc >>> 0 === addr >>> 0;
}

/**
 * Run untraced until the pc first reaches `addr`: with a breakpoint, at full
 * speed. Under bt the kernel's code runs from translations, at addresses that
 * exist only once translated, so the guest pc is checked after every step instead.
 */
function runToStart(engine: Engine, bt: BtView | undefined, addr: number, maxSteps: number): RunResult {
  const m = engine.machine;
  if (bt) {
    const before = m.observer;
    m.observer = () => { if (atStart(engine, bt, addr)) m.requestStop('start address reached'); };
    try {
      return engine.run(maxSteps);
    } finally {
      m.observer = before;
    }
  }
  // The engine skips a breakpoint at the pc it starts from, so a start at the entry needs no run here.
  const hadBreakpoint = m.breakpoints.has(addr);
  m.breakpoints.add(addr);
  try {
    return engine.run(maxSteps);
  } finally {
    if (!hadBreakpoint) m.breakpoints.delete(addr);
  }
}
