// Tracing a host (docs/trace.md, "On a host"): one Tracer per traced VM, each
// with the VM's own symbols, guest ring and (under bt) translation-cache
// view, as a lone trace of that VM has. One machine observer hands each step
// record to the tracer of the VM running it (Host.running()); each VM's
// monitor events go to its own tracer. The tracers share one tally, so
// --limit counts the records kept of all the traced VMs together. Frames of
// the host's network (host-frames.ts), and the mailbox messages and IOMMU
// events of its SR-IOV network (sriov-tap.ts), are written after the records
// of the step they happened in, each led by the VM it belongs to.

import type { Host, HostVm } from '../host/index.js';
import { BtView } from './bt-view.js';
import { convertFrameEvent } from './convert.js';
import { tapHostFrames, tapSriovFrames, type OwnedFrame } from './host-frames.js';
import { convertSriovEvent, tapSriov, type OwnedSriovEvent } from './sriov-tap.js';
import type { TraceFormat } from './format.js';
import { hostFormatterFor } from './host-format.js';
import { EVENT_KINDS, type EventKind, type TraceRecord } from './records.js';
import type { TraceSink } from './sink.js';
import { Symbolizer } from './symbolizer.js';
import { LIMIT_REACHED, postedCounter, Tracer, type TraceTally } from './tracer.js';

export interface HostTraceOptions {
  host: Host;
  sink: TraceSink;
  format: TraceFormat;
  /** Names of the VMs whose records are kept (default: every VM's). The others run untraced. */
  vms?: readonly string[];
  events?: ReadonlySet<EventKind>;
  /** Stop the host once this many records (of all the traced VMs together) have been written. */
  limit?: number;
  /** Step budget of the whole host (all VMs). */
  maxSteps: number;
}

export interface HostTraceResult {
  /** 'stopped': every VM stopped; 'budget': maxSteps ran out first; 'limit': the record limit stopped the host. */
  end: 'stopped' | 'budget' | 'limit';
  records: number;
  /** Steps of the whole host (all VMs, traced or not). */
  steps: number;
}

/** A tracer of `vm`'s records, as a lone trace of it would make them. */
function vmTracer(host: Host, vm: HostVm, tally: TraceTally, o: HostTraceOptions, emit: (r: TraceRecord) => void): Tracer {
  const bt = BtView.of(vm.monitor);
  const posted = postedCounter(vm.monitor);
  return new Tracer(host.engine, {
    symbolizer: new Symbolizer(vm.image),
    ...(bt ? { bt } : {}),
    guestRing: () => vm.monitor.guestRing(),
    ...(o.events ? { events: o.events } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(posted ? { posted } : {}),
    tally,
    emit,
  });
}

export function traceHost(o: HostTraceOptions): HostTraceResult {
  const { host, sink } = o;
  const m = host.machine;
  const traced = o.vms === undefined ? host.vms : host.vms.filter((vm) => o.vms!.includes(vm.name));
  const formatter = hostFormatterFor(o.format, Math.max(...traced.map((vm) => vm.name.length)));
  const tally: TraceTally = { records: 0, limitReached: false };
  const tracers = new Map(traced.map((vm) => [vm, vmTracer(host, vm, tally, o, (r) => sink.line(formatter.record(vm.name, r)))]));
  // Frames, mailbox messages and IOMMU events kept: those of the traced VMs' NICs, ports and VFs;
  // with every VM traced, the wire's, the PF's and the IOMMU's invalidations too.
  const kinds = o.events ?? new Set(EVENT_KINDS);
  const keepFrames = kinds.has('net');
  const owners = o.vms === undefined ? undefined : new Set(o.vms);
  let frames: (OwnedFrame | OwnedSriovEvent)[] = [];
  const writeFrames = (step: number): void => {
    const now = frames;
    frames = [];
    for (const f of now) {
      if (tally.limitReached) return;
      const owner = f.owner;
      if (owners && (owner === null || !owners.has(owner))) continue;
      sink.line(formatter.record(owner, 'frame' in f ? convertFrameEvent(f.frame, step) : convertSriovEvent(f.event, step)));
      tally.records++;
      if (o.limit !== undefined && tally.records >= o.limit) tally.limitReached = true;
    }
  };
  const before = m.observer;
  const listeners = traced.map((vm) => vm.monitor.listener);
  m.observer = (step) => {
    const vm = host.running();
    if (vm) tracers.get(vm)?.observer(step);
    writeFrames(step.step);
    // Asked again at every step: a slice that ended on the same step asked first, and the host went on.
    if (tally.limitReached) m.requestStop(LIMIT_REACHED);
  };
  for (const [vm, tracer] of tracers) vm.monitor.listener = tracer.monitorListener;
  const take = (f: OwnedFrame | OwnedSriovEvent): void => { if (!tally.limitReached) frames.push(f); };
  const untap = [
    host.net && keepFrames ? tapHostFrames(host.net, take) : undefined,
    host.sriov && keepFrames ? tapSriovFrames(host.sriov, take) : undefined,
    host.sriov ? tapSriov(host.sriov, kinds, take) : undefined,
  ];
  let r;
  try {
    r = host.run(o.maxSteps);
    for (const tracer of tracers.values()) tracer.flushPending();
    writeFrames(m.counters.steps);
  } finally {
    m.observer = before;
    traced.forEach((vm, i) => { vm.monitor.listener = listeners[i]; });
    for (const u of untap) u?.();
  }
  const end = tally.limitReached ? 'limit' : r.end === 'stopped' || r.end === 'budget' ? r.end : undefined;
  if (end === undefined) throw new Error(`host run ended by ${typeof r.end === 'string' ? r.end : r.end.kind}, which the trace did not ask for`);
  const why = end === 'limit' ? `trace limit of ${tally.records} records reached at step ${m.counters.steps}; host stopped`
    : end === 'stopped' ? `every VM stopped after ${m.counters.steps} steps`
    : `step budget of ${o.maxSteps} steps used up`;
  const note = formatter.note(why);
  if (note !== undefined) sink.line(note);
  sink.flush();
  return { end, records: tally.records, steps: r.steps };
}
