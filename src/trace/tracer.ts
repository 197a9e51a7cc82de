// Tracing a run: a machine observer that turns step records into trace
// records, keeps the kinds asked for, writes them, and ends the run after a
// record limit. --start-at runs untraced (at full speed, with a breakpoint)
// until the pc first reaches the start address.

import type { Engine } from '../engine/engine.js';
import type { StepRecord } from '../machine/events.js';
import { Machine } from '../machine/machine.js';
import type { Stop } from '../machine/stop.js';
import type { MonitorEvent, MonitorListener } from '../vmm/events.js';
import { convertMonitorEvent, convertStep, type PlacedMonitorEvent } from './convert.js';
import { formatterFor, type TraceFormat } from './format.js';
import { EVENT_KINDS, KIND_OF, type EventKind, type TraceRecord } from './records.js';
import type { TraceSink } from './sink.js';
import type { Symbolizer } from './symbolizer.js';

export const LIMIT_REACHED = 'trace limit reached';

export interface TracerOptions {
  symbolizer: Symbolizer;
  /** Record kinds to keep (default: all). */
  events?: ReadonlySet<EventKind>;
  /** Stop the run once this many records have been emitted. */
  limit?: number;
  emit: (record: TraceRecord) => void;
}

/** What the tracer needs of a monitor: its event listener slot (src/vmm Monitor). */
export interface MonitorTap {
  listener: MonitorListener | undefined;
}

/** Attach with `machine.observer = tracer.observer`. */
export class Tracer {
  records = 0;
  limitReached = false;
  private readonly events: ReadonlySet<EventKind>;
  /** Monitor events since the last step record, each placed among the machine events of the step in progress. */
  private pending: PlacedMonitorEvent[] = [];

  constructor(private readonly engine: Engine, private readonly options: TracerOptions) {
    this.events = options.events ?? new Set(EVENT_KINDS);
  }

  /** Attach with `monitor.listener = tracer.monitorListener` (the step record then carries what the monitor did). */
  readonly monitorListener = (event: MonitorEvent): void => {
    if (this.limitReached) return;
    const rec = this.engine.machine.record;
    this.pending.push({ at: rec ? rec.events.length : -1, event });
  };

  readonly observer = (step: StepRecord): void => {
    const placed = this.pending;
    this.pending = [];
    this.write(convertStep(step, this.options.symbolizer, placed));
  };

  /** Monitor events after the last step (work done on resuming, when no step followed), stamped with the last step. */
  flushMonitorEvents(): void {
    const placed = this.pending;
    this.pending = [];
    const step = this.engine.machine.counters.steps;
    this.write(placed.map((p) => convertMonitorEvent(p.event, step, this.options.symbolizer)));
  }

  private write(records: readonly TraceRecord[]): void {
    if (this.limitReached) return;
    const { limit, emit } = this.options;
    for (const r of records) {
      if (!this.events.has(KIND_OF[r.type])) continue;
      emit(r);
      this.records++;
      if (limit !== undefined && this.records >= limit) {
        this.limitReached = true;
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
  /** The monitor running the guest (--mode trap): its events become `monitor` records. */
  monitor?: MonitorTap;
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
  let steps = 0;
  let started = true;
  if (o.startAt !== undefined && m.cpu.pc >>> 0 !== o.startAt >>> 0) {
    // The engine skips a breakpoint at the pc it starts from, so a start at the entry needs no run here.
    const hadBreakpoint = m.breakpoints.has(o.startAt >>> 0);
    m.breakpoints.add(o.startAt >>> 0);
    const r = o.engine.run(o.maxSteps);
    if (!hadBreakpoint) m.breakpoints.delete(o.startAt >>> 0);
    steps += r.steps;
    started = r.stop.kind === 'breakpoint' && r.stop.pc === o.startAt >>> 0;
    if (!started) {
      const note = formatter.note(`start address ${hex(o.startAt)} never reached; ${Machine.describeStop(r.stop)} after ${steps} steps`);
      if (note !== undefined) o.sink.line(note);
      o.sink.flush();
      return { stop: r.stop, records: 0, limitReached: false, started, steps };
    }
  }
  const tracer = new Tracer(o.engine, {
    symbolizer: o.symbolizer,
    ...(o.events ? { events: o.events } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    emit: (r) => o.sink.line(formatter.record(r)),
  });
  const before = m.observer;
  const beforeListener = o.monitor?.listener;
  m.observer = tracer.observer;
  if (o.monitor) o.monitor.listener = tracer.monitorListener;
  let stop: Stop;
  try {
    const r = o.engine.run(Math.max(0, o.maxSteps - steps));
    steps += r.steps;
    stop = r.stop.kind === 'requested' && m.stopped ? m.stopped : r.stop;
    tracer.flushMonitorEvents();
  } finally {
    m.observer = before;
    if (o.monitor) o.monitor.listener = beforeListener;
  }
  const why = tracer.limitReached && stop.kind === 'requested'
    ? `trace limit of ${tracer.records} records reached at step ${m.counters.steps}; guest stopped`
    : `${Machine.describeStop(stop)} after ${m.counters.steps} steps`;
  const note = formatter.note(why);
  if (note !== undefined) o.sink.line(note);
  o.sink.flush();
  return { stop, records: tracer.records, limitReached: tracer.limitReached, started, steps };
}
