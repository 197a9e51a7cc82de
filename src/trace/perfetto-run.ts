// Running a guest, or a host, for its Perfetto timeline: the tracers of
// tracer.ts and host-tracer.ts make the records, as for a trace, and a
// TimelineRecorder takes them with the VMs' modelled cycles after each step.
// Pure: no node: imports (a worker can run it).

import type { Engine, RunResult } from '../engine/engine.js';
import type { Host, HostVm } from '../host/index.js';
import { createCounters, type Counters } from '../machine/counters.js';
import type { Stop } from '../machine/stop.js';
import type { CostPreset, CostPresetName } from '../vmm/cost-model.js';
import { BtView } from './bt-view.js';
import { convertFrameEvent } from './convert.js';
import { tapHostFrames, tapSriovFrames, type OwnedFrame } from './host-frames.js';
import type { TimelineInput } from './perfetto-input.js';
import { TimelineRecorder } from './perfetto-recorder.js';
import { EVENT_KINDS, type EventKind } from './records.js';
import { convertSriovEvent, tapSriov, type OwnedSriovEvent } from './sriov-tap.js';
import { Symbolizer } from './symbolizer.js';
import { postedCounter, Tracer, type MonitorTap, type NetTap } from './tracer.js';

/** Kinds the tracers keep for a timeline (insn for `halt`; the recorder drops what it does not show). */
const KINDS: ReadonlySet<EventKind> = new Set(EVENT_KINDS.filter((k) => k !== 'io' && k !== 'mmu' && k !== 'dma'));

export interface TimelineRunOptions {
  engine: Engine;
  symbolizer: Symbolizer;
  maxSteps: number;
  /** The VM's process name (the CLI: the program's file name) and mode. */
  name: string;
  mode: string;
  preset: CostPreset | CostPresetName;
  monitor?: MonitorTap;
  net?: NetTap;
  /** How to run the guest: the VM's run (Vm.run: the monitor's per-run preparation, then the engine), else the engine's. */
  run?: (budget: number) => RunResult;
}

/** Run a lone guest from where it stands to its end (or the step budget), recording its timeline. */
export function timelineRun(o: TimelineRunOptions): { input: TimelineInput; stop: Stop; steps: number } {
  const m = o.engine.machine;
  const rec = new TimelineRecorder(o.preset, [{ name: o.name, mode: o.mode, machine: () => m.counters, monitor: () => o.monitor?.counters }]);
  const bt = BtView.of(o.monitor);
  const posted = postedCounter(o.monitor);
  const tracer = new Tracer(o.engine, {
    symbolizer: o.symbolizer, events: KINDS,
    ...(bt ? { bt } : {}),
    ...(o.monitor ? { guestRing: () => o.monitor!.guestRing() } : {}),
    ...(posted ? { posted } : {}),
    emit: (r) => rec.record(o.name, r),
  });
  const before = m.observer;
  const beforeListener = o.monitor?.listener;
  m.observer = (step) => {
    tracer.observer(step);
    rec.endStep(o.name);
  };
  if (o.monitor) o.monitor.listener = tracer.monitorListener;
  o.net?.setObserver(tracer.frameObserver);
  const untap = o.net?.sriov ? tapSriov(o.net.sriov, KINDS, (e) => tracer.sriovObserver(e.event)) : undefined;
  try {
    const r = o.run ? o.run(o.maxSteps) : o.engine.run(o.maxSteps);
    tracer.flushPending();
    return { input: rec.finish(), stop: r.stop, steps: r.steps };
  } finally {
    m.observer = before;
    if (o.monitor) o.monitor.listener = beforeListener;
    o.net?.setObserver(undefined);
    untap?.();
  }
}

const COUNTER_NAMES: readonly string[] = Object.keys(createCounters());

/**
 * A VM's machine counters on a host, live. The host adds a slice's counts to
 * its VM when the slice ends (HostVm.counters), and the machine's counters
 * are every VM's together, so the running VM's are the machine's less the
 * others' (and less what the machine had counted before this run). A VM not
 * running has its own, complete.
 */
class LiveCounters {
  private readonly base: Record<string, number> = {};

  constructor(private readonly host: Host) {
    const now = host.machine.counters as unknown as Record<string, number>;
    for (const k of COUNTER_NAMES) this.base[k] = host.vms.reduce((n, vm) => n - (vm.counters as unknown as Record<string, number>)[k]!, now[k]!);
  }

  of(vm: HostVm): Counters {
    if (this.host.running() !== vm) return vm.counters;
    const now = this.host.machine.counters as unknown as Record<string, number>;
    const out: Record<string, number> = {};
    for (const k of COUNTER_NAMES) {
      let n = now[k]! - this.base[k]!;
      for (const o of this.host.vms) if (o !== vm) n -= (o.counters as unknown as Record<string, number>)[k]!;
      out[k] = n;
    }
    return out as unknown as Counters;
  }
}

export interface TimelineHostOptions {
  host: Host;
  /** Step budget of the whole host (all VMs). */
  maxSteps: number;
  preset: CostPreset | CostPresetName;
}

/** Run a host, recording every VM's timeline (one process each) and the network's records of no VM. */
export function timelineHost(o: TimelineHostOptions): { input: TimelineInput; end: 'stopped' | 'budget'; steps: number } {
  const { host } = o;
  const m = host.machine;
  const live = new LiveCounters(host);
  const rec = new TimelineRecorder(o.preset, host.vms.map((vm) => ({ name: vm.name, mode: vm.mode, machine: () => live.of(vm), monitor: () => vm.monitor.counters })));
  const tracers = new Map(host.vms.map((vm) => {
    const bt = BtView.of(vm.monitor);
    const posted = postedCounter(vm.monitor);
    return [vm, new Tracer(host.engine, {
      symbolizer: new Symbolizer(vm.image), events: KINDS, guestRing: () => vm.monitor.guestRing(),
      ...(bt ? { bt } : {}), ...(posted ? { posted } : {}),
      emit: (r) => rec.record(vm.name, r),
    })];
  }));
  // Frames and SR-IOV events, each with the VM it belongs to, are recorded after the records of their step (host-tracer.ts).
  let owned: (OwnedFrame | OwnedSriovEvent)[] = [];
  const take = (f: OwnedFrame | OwnedSriovEvent): void => { owned.push(f); };
  const writeOwned = (step: number): void => {
    for (const f of owned) rec.record(f.owner, 'frame' in f ? convertFrameEvent(f.frame, step) : convertSriovEvent(f.event, step));
    owned = [];
  };
  const before = m.observer;
  const listeners = host.vms.map((vm) => vm.monitor.listener);
  m.observer = (step) => {
    const vm = host.running();
    if (!vm) return;
    tracers.get(vm)!.observer(step);
    writeOwned(step.step);
    rec.endStep(vm.name);
  };
  for (const [vm, tracer] of tracers) vm.monitor.listener = tracer.monitorListener;
  const untap = [
    host.net ? tapHostFrames(host.net, take) : undefined,
    host.sriov ? tapSriovFrames(host.sriov, take) : undefined,
    host.sriov ? tapSriov(host.sriov, KINDS, take) : undefined,
  ];
  try {
    const r = host.run(o.maxSteps);
    for (const tracer of tracers.values()) tracer.flushPending();
    writeOwned(m.counters.steps);
    if (r.end !== 'stopped' && r.end !== 'budget') throw new Error(`host run ended by ${r.end.kind}, which the timeline did not ask for`);
    return { input: rec.finish(), end: r.end, steps: r.steps };
  } finally {
    m.observer = before;
    host.vms.forEach((vm, i) => { vm.monitor.listener = listeners[i]; });
    for (const u of untap) u?.();
  }
}
