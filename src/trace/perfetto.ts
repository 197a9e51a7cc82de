// A run as a timeline in the Chrome Trace Event Format, which ui.perfetto.dev
// and chrome://tracing open (docs/trace.md, "Perfetto timeline"). Pure: no
// node: imports (the playground runs it in a Web Worker).
//
// API (the playground draws from the first, the CLI writes the second):
//   buildTimeline(input: TimelineInput): Timeline
//     per VM (one process): its vCPU's slices (guest execution, monitor work),
//     instants and counter samples, in modelled cycles; before any JSON.
//   chromeTrace(timeline: Timeline): ChromeTrace
//     the { traceEvents, displayTimeUnit, metadata } object to JSON.stringify.
//   perfettoTrace(input: TimelineInput): ChromeTrace  = chromeTrace(buildTimeline(input))
//   chromeTraceLines(trace: ChromeTrace): Generator<string>  the JSON text, one event a line
// The input (perfetto-input.ts) comes from timelineRun / timelineHost
// (perfetto-run.ts), which run a guest or a host with a TimelineRecorder.
//
// Time is modelled cycles since reset (CYCLES_PER_US to the format's
// microseconds): 1 cycle is 1 ns, a nominal 1 GHz, whatever the preset. Every
// run starts at 0 and every mode is priced by the same preset, so two modes
// of one guest opened side by side line up, and the longer one is longer by
// about what the monitor added (the guest's own cycles differ a little: timer
// ticks land elsewhere). On a host the VMs share one CPU: a VM's
// slices lie where it ran, and the host's time is the sum of its VMs' cycles.

import type { TimelineInput, CycleSample } from './perfetto-input.js';
import type { MonitorRecord, TraceRecord } from './records.js';

export type { CycleSample, TimelineEntry, TimelineInput, TimelineVm } from './perfetto-input.js';

/** The format's ts and dur are microseconds; a modelled cycle is a nanosecond. */
export const CYCLES_PER_US = 1000;

export interface TimelineSlice {
  /** `guest`: the guest ran (its instructions, deliveries, port I/O); `monitor`: the monitor's work for a trap, exit, callout or hypercall. */
  kind: 'guest' | 'monitor';
  name: string;
  /** Modelled cycles since reset. */
  start: number;
  dur: number;
  args: Record<string, string | number | boolean | null | Record<string, number>>;
}

export interface TimelineInstant {
  /** The record type: interrupt, exception, idle, halt, frame, mailbox, iommu, monitor. */
  category: string;
  name: string;
  at: number;
  args: Record<string, unknown>;
}

export interface TimelineCounter {
  /** `modelled cycles`, or a counter's name (interrupts, traps, vmExits, callouts, hypercalls, injected, frames). */
  name: string;
  at: number;
  value: number;
}

export interface VmTimeline {
  name: string;
  mode: string;
  /** Process and vCPU thread ids in the JSON: a hash of `NAME (MODE)`, stable from run to run. */
  pid: number;
  tid: number;
  slices: TimelineSlice[];
  instants: TimelineInstant[];
  counters: TimelineCounter[];
  /** Its modelled cycles at the end, split as the cost report splits them (the slices' durations add up to them). */
  last: { guest: number; overhead: number };
}

export interface Timeline {
  preset: string;
  vms: VmTimeline[];
  /** Records of no VM (the wire, the PF, IOMMU invalidations); a process of their own when there are any. */
  network: { pid: number; tid: number; instants: TimelineInstant[] };
  /** The timeline's end in modelled cycles (it starts at 0; a host's: the sum of its VMs'). */
  end: number;
}

/** The counter tracks, in this order; those that stay 0 throughout are left out. */
const COUNT_NAMES = ['interrupts', 'injected', 'traps', 'vmExits', 'callouts', 'hypercalls'] as const;

const NETWORK = 'network (no VM)';

/** A VM's process name: its name and mode, so one program's timelines in two modes never share a pid. */
const processName = (v: { name: string; mode: string }): string => `${v.name} (${v.mode})`;

/** FNV-1a: a pid that depends on the process's name alone, so a VM keeps its process across runs and hosts. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Distinct pids (multiples of 10, tid = pid + 1) for the names, in order; a collision moves the later name on. */
function assignPids(names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const n of names) {
    let pid = 10 * (1 + (hashName(n) % 100_000));
    while (used.has(pid)) pid += 10;
    used.add(pid);
    out.set(n, pid);
  }
  return out;
}

/** The monitor record that names a step's monitor work: the exit, hypercall or callout, else what the trap became. */
const NAME_ORDER: readonly MonitorRecord['event'][] = ['vmexit', 'hypercall', 'callout', 'emulate', 'reflect', 'inject', 'trap'];

function monitorName(events: readonly MonitorRecord[]): { name: string; lead: MonitorRecord | undefined } {
  const lead = NAME_ORDER.map((e) => events.find((r) => r.event === e)).find((r) => r !== undefined) ?? events[0];
  if (!lead) return { name: 'monitor', lead };
  switch (lead.event) {
    case 'vmexit': return { name: `exit: ${lead.reason}`, lead };
    case 'hypercall': return { name: `hypercall: ${lead.name}`, lead };
    case 'callout': return { name: `callout: ${lead.callout}${lead.what ? ` ${lead.what}` : ''}`, lead };
    case 'emulate': return { name: `emulate: ${lead.mnemonic}`, lead };
    case 'reflect': return { name: `reflect: ${lead.name}`, lead };
    case 'inject': return { name: `inject: line ${lead.line}`, lead };
    case 'trap': return { name: `trap: ${lead.name}`, lead };
    default: return { name: lead.event, lead };
  }
}

/** The record as an instant, or undefined for records the timeline leaves out (monitor records: they name slices). */
function instantOf(r: TraceRecord, at: number): TimelineInstant | undefined {
  const { type, ...args } = r;
  switch (r.type) {
    case 'interrupt': return { category: type, name: `interrupt line ${r.line}${r.delivery === 'posted' ? ' (posted)' : ''}`, at, args };
    case 'exception': return { category: type, name: `exception: ${r.name}`, at, args };
    case 'idle': return { category: type, name: `idle ${r.ticks} ticks`, at, args };
    case 'halt': return { category: type, name: `halt ${r.code}`, at, args };
    case 'frame': return { category: type, name: `frame ${r.event} ${r.where}`, at, args };
    case 'mailbox': return { category: type, name: `mailbox ${r.message} -> ${r.reply}`, at, args };
    case 'iommu': return { category: type, name: `iommu ${r.event}${r.reason ? ` (${r.reason})` : ''}`, at, args };
    default: return undefined;
  }
}

interface VmState {
  tl: VmTimeline;
  last: CycleSample;
  /** The guest slice still growing, while nothing else ran since. */
  open: TimelineSlice | undefined;
  frames: number;
  /** The value each counter track last showed. */
  counts: Record<string, number>;
}

/** Lay the samples out on one axis (see the top of the file), VM by VM as they come. */
export function buildTimeline(input: TimelineInput): Timeline {
  const pids = assignPids([...input.vms.map(processName), NETWORK]);
  const states = new Map<string, VmState>(input.vms.map((v) => {
    const pid = pids.get(processName(v))!;
    const tl: VmTimeline = { name: v.name, mode: v.mode, pid, tid: pid + 1, slices: [], instants: [], counters: [{ name: 'modelled cycles', at: 0, value: 0 }], last: { guest: 0, overhead: 0 } };
    // From reset: work done before recording began (a translation at load) is the first sample's.
    const last: CycleSample = { guest: 0, overhead: 0, instructions: 0, counts: {}, overheadBy: {} };
    return [v.name, { tl, last, open: undefined, frames: 0, counts: { 'modelled cycles': 0 } }];
  }));
  const netPid = pids.get(NETWORK)!;
  const network: Timeline['network'] = { pid: netPid, tid: netPid + 1, instants: [] };
  const stateOf = (vm: string): VmState => {
    const s = states.get(vm);
    if (!s) throw new Error(`timeline entry of VM '${vm}', which the input does not list`);
    return s;
  };
  let now = 0;
  let pending: { vm: string | null; record: TraceRecord }[] = [];

  const counter = (s: VmState, name: string, at: number, value: number): void => {
    if (s.counts[name] === value) return;
    s.counts[name] = value;
    s.tl.counters.push({ name, at, value });
  };
  const sample = (vm: string, c: CycleSample): void => {
    const s = stateOf(vm);
    const dg = c.guest - s.last.guest, dov = c.overhead - s.last.overhead, di = c.instructions - s.last.instructions;
    const t0 = now;
    if (dg > 0) {
      if (s.open && s.open.start + s.open.dur === t0) {
        s.open.dur += dg;
        (s.open.args as { cycles: number }).cycles += dg;
        (s.open.args as { instructions: number }).instructions += di;
      } else {
        s.open = { kind: 'guest', name: 'guest', start: t0, dur: dg, args: { cycles: dg, instructions: di } };
        s.tl.slices.push(s.open);
      }
    }
    const tg = t0 + dg;
    const mine = pending.filter((p) => p.vm === vm).map((p) => p.record).filter((r): r is MonitorRecord => r.type === 'monitor');
    for (const p of pending) {
      const i = instantOf(p.record, tg);
      if (p.vm === null) {
        if (i) network.instants.push(i);
        continue;
      }
      const owner = stateOf(p.vm);
      if (i) owner.tl.instants.push(i);
      if (p.record.type === 'frame') owner.frames++;
    }
    pending = [];
    if (dov > 0) {
      const { name, lead } = monitorName(mine);
      const top = Object.entries(c.overheadBy).sort((a, b) => b[1] - a[1])[0];
      s.tl.slices.push({
        kind: 'monitor',
        name: lead ? name : (top?.[0] ?? 'monitor'),
        start: tg,
        dur: dov,
        args: {
          cycles: dov,
          step: lead?.step ?? null,
          pc: lead?.pc ?? lead?.epc ?? null,
          sym: lead?.sym ?? null,
          events: mine.map((r) => r.event).join(' '),
          exits: mine.filter((r) => r.event === 'vmexit').length,
          cost: c.overheadBy,
        },
      });
      s.open = undefined;
    }
    // An interrupt the monitor injects has no interrupt record (docs/trace.md): it shows as an instant too.
    for (const r of mine) if (r.event === 'inject') s.tl.instants.push({ category: 'inject', name: `inject line ${r.line}`, at: tg + dov, args: { step: r.step, line: r.line, epc: r.epc, sym: r.sym } });
    if (dov === 0 && mine.length) {
      // Monitor work the model does not price (a chained exit, a shadow switch): an instant.
      s.tl.instants.push({ category: 'monitor', name: monitorName(mine).name, at: tg, args: { events: mine.map((r) => r.event).join(' '), step: mine[0]!.step } });
    }
    now = tg + dov;
    s.last = c;
    s.tl.last = { guest: c.guest, overhead: c.overhead };
    counter(s, 'modelled cycles', now, c.guest + c.overhead);
    for (const n of COUNT_NAMES) if ((c.counts[n] ?? 0) > 0) counter(s, n, now, c.counts[n]!);
    if (s.frames > 0) counter(s, 'frames', now, s.frames);
  };

  for (const e of input.entries) {
    if ('record' in e) pending.push(e);
    else sample(e.vm, e.cycles);
  }
  return { preset: input.preset, vms: [...states.values()].map((s) => s.tl), network, end: now };
}

/** One event of the Chrome Trace Event Format (the fields each phase needs; docs/trace.md lists them). */
export interface TraceEvent {
  name: string;
  ph: 'M' | 'X' | 'i' | 'C';
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns';
  metadata: Record<string, string | number>;
}

const us = (cycles: number): number => cycles / CYCLES_PER_US;

/** The timeline as the JSON object ui.perfetto.dev and chrome://tracing open. */
export function chromeTrace(t: Timeline): ChromeTrace {
  const meta: TraceEvent[] = [];
  const timed: TraceEvent[] = [];
  t.vms.forEach((vm, i) => {
    const { pid, tid } = vm;
    meta.push(
      { name: 'process_name', ph: 'M', pid, args: { name: processName(vm) } },
      { name: 'process_sort_index', ph: 'M', pid, args: { sort_index: i } },
      { name: 'thread_name', ph: 'M', pid, tid, args: { name: 'vCPU 0' } },
    );
    for (const s of vm.slices) timed.push({ name: s.name, cat: s.kind, ph: 'X', pid, tid, ts: us(s.start), dur: us(s.dur), args: s.args });
    for (const e of vm.instants) timed.push({ name: e.name, cat: e.category, ph: 'i', s: 't', pid, tid, ts: us(e.at), args: e.args });
    // Perfetto names a counter track `NAME KEY`: `modelled cycles`, `vmExits count`.
    for (const c of vm.counters) {
      timed.push(c.name === 'modelled cycles'
        ? { name: 'modelled', ph: 'C', pid, tid, ts: us(c.at), args: { cycles: c.value } }
        : { name: c.name, ph: 'C', pid, tid, ts: us(c.at), args: { count: c.value } });
    }
  });
  const net = t.network;
  if (net.instants.length) {
    meta.push(
      { name: 'process_name', ph: 'M', pid: net.pid, args: { name: NETWORK } },
      { name: 'process_sort_index', ph: 'M', pid: net.pid, args: { sort_index: t.vms.length } },
      { name: 'thread_name', ph: 'M', pid: net.pid, tid: net.tid, args: { name: 'wire, PF, IOMMU' } },
    );
    for (const e of net.instants) timed.push({ name: e.name, cat: e.category, ph: 'i', s: 't', pid: net.pid, tid: net.tid, ts: us(e.at), args: e.args });
  }
  // Stable: events at one time keep the order they were made in.
  timed.sort((a, b) => a.ts! - b.ts!);
  return {
    traceEvents: [...meta, ...timed],
    displayTimeUnit: 'ns',
    metadata: {
      'virtlab-clock': 'modelled cycles since reset; 1 cycle = 1 ns (a nominal 1 GHz), ts in microseconds',
      'virtlab-cycles-per-us': CYCLES_PER_US,
      'virtlab-cost-model': t.preset,
      'virtlab-span-cycles': t.end,
    },
  };
}

export function perfettoTrace(input: TimelineInput): ChromeTrace {
  return chromeTrace(buildTimeline(input));
}

/**
 * The trace as JSON text, one event per line (a long run is megabytes: the
 * CLI writes the lines as they come rather than one string).
 */
export function* chromeTraceLines(t: ChromeTrace): Generator<string> {
  yield `{"displayTimeUnit":${JSON.stringify(t.displayTimeUnit)},"metadata":${JSON.stringify(t.metadata)},"traceEvents":[`;
  const n = t.traceEvents.length;
  for (let i = 0; i < n; i++) yield JSON.stringify(t.traceEvents[i]) + (i < n - 1 ? ',' : '');
  yield ']}';
}
