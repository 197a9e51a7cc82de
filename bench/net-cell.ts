// One cell of the net suite: a NIC kind under one mode column on one path (a
// VM to the wire, or VM to VM on one host), measured in three parts.
//
// Throughput, per frame size: stream.s with N2 frames. A frame observer (no
// trace) takes the totals and the host time as the N1-th and the N2-th frame
// leave the sender's NIC; the per-packet figures are the differences over
// N2 - N1, so that what a run pays once (booting, finding and setting up the
// NIC, the engine compiling the program afresh after a reset, the final
// report) is outside them: the steady state. Modelled frames per second are
// the preset's clock over the modelled cycles per frame. The run is repeated
// after a reset (it must count the same), then timed: host time per frame is
// the median over the timed runs.
//
// Latency: pingpong.s with M round trips. A frame observer (no trace) takes the
// modelled cycles and the host time each time a ping leaves the client's NIC;
// the round trip is the interval between two pings (one is in flight at a
// time). The first quarter is left out, as the throughput's first N1 frames
// are: the warm-up (learning the peer; under bt, pv and hw-noept the first
// round trips take one more trap each, the monitor's shadow paging meeting
// pages for the first time; the engine compiling the program afresh after a
// reset). The modelled intervals are deterministic (checked on a second run);
// the host intervals are pooled over the timed runs.

import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import { NIC_KINDS, type NicKind } from '../src/network/nic.js';
import { COST_PRESET_NAMES, type CostPresetName } from '../src/vmm/index.js';
import { median } from './host-cell.js';
import { buildScenario, FIRST_MAC, type NetTotals, type ScenarioSpec } from './net-scenario.js';
import { FRAME_SIZES, NET_MODE_COLUMNS, NET_PATHS, netCellExists, netCounts, type NetPath } from './net-workloads.js';
import type { TimingOptions } from './timing.js';

export interface NetCellSpec {
  kind: 'net';
  path: NetPath;
  nic: NicKind;
  /** A column of NET_MODE_COLUMNS, by name. */
  mode: string;
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
}

/** What a cell reports per packet: these totals' change over a window, per frame delivered (per round trip for latency). */
const PER_PACKET_KEYS = ['instructions', 'exits', 'interruptExits', 'callouts', 'hypercalls', 'interrupts', 'cycles'] as const;
export type NetPerPacket = Pick<NetTotals, (typeof PER_PACKET_KEYS)[number]>;

export interface NetSpread {
  /** Host nanoseconds per frame: the median over the timed runs, and the smallest and largest. */
  median: number;
  min: number;
  max: number;
  samples: number;
}

export interface NetStreamFigures {
  size: number;
  /** The window: from the N1-th to the N2-th frame of a run of N2 frames. */
  frames: [number, number];
  perPacket: NetPerPacket;
  /** The N2 run whole: frames delivered and dropped, its exits, modelled cycles and world switches. */
  run: { delivered: number; dropped: number; exits: number; cycles: number; worldSwitches: number };
  /** Host time per frame. */
  host: NetSpread;
}

export interface NetLatencyFigures {
  /** Round trips measured: the intervals after the first quarter of the pings. */
  roundTrips: number;
  cycles: { p50: number; p99: number; min: number; max: number };
  /** Host time per round trip, nanoseconds, pooled over the timed runs. */
  hostNs: { p50: number; p99: number; samples: number };
  /** Means over the measured round trips. */
  perRoundTrip: NetPerPacket;
}

export interface NetCellMeasurement {
  stream: NetStreamFigures[];
  latency: NetLatencyFigures;
}

const WARM_UP_RUNS = { min: 2, max: 20 };
const WARM_UP_MS = 200;

export function netCellLabel(s: Pick<NetCellSpec, 'path' | 'nic' | 'mode'>): string {
  return `net ${s.path === 'wire' ? 'wire' : 'vm-vm'} ${s.nic} ${s.mode}`;
}

export function measureNetCell(spec: NetCellSpec): NetCellMeasurement {
  const label = netCellLabel(spec);
  const col = NET_MODE_COLUMNS.find((c) => c.name === spec.mode);
  if (!col) throw new Error(`${label}: unknown mode column '${spec.mode}' (${NET_MODE_COLUMNS.map((c) => c.name).join(', ')})`);
  if (!NET_PATHS.includes(spec.path)) throw new Error(`${label}: unknown path '${spec.path}' (${NET_PATHS.join(', ')})`);
  if (!NIC_KINDS.includes(spec.nic)) throw new Error(`${label}: unknown NIC kind '${spec.nic}' (${NIC_KINDS.join(', ')})`);
  if (!netCellExists(spec.path, spec.nic, spec.mode)) throw new Error(`${label}: no such cell (natively only the wire, and no VF)`);
  if (!Object.hasOwn(ENGINE_FACTORIES, spec.engine)) throw new Error(`${label}: unknown engine '${spec.engine}'`);
  if (!COST_PRESET_NAMES.includes(spec.costModel)) throw new Error(`${label}: unknown cost model '${spec.costModel}'`);
  const counts = netCounts(spec.quick);
  const base = { path: spec.path, nic: spec.nic, col, engine: spec.engine, costModel: spec.costModel };
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      const m = e instanceof Error ? e.message : String(e);
      throw new Error(m.startsWith(`${label}:`) ? m : `${label}: ${m}`);
    }
  };
  const stream = FRAME_SIZES.map((size) => guard(() => measureStream({ ...base, program: 'stream', size, count: 0 }, counts.stream, spec.timing, spec.quick)));
  const latency = guard(() => measureLatency({ ...base, program: 'pingpong', count: counts.pingpong }, spec.timing, spec.quick));
  return { stream, latency };
}

function measureStream(s: ScenarioSpec, [n1, n2]: [number, number], timing: TimingOptions, quick: boolean): NetStreamFigures {
  const sc = buildScenario({ ...s, count: n2 });
  // The sender's frames as they leave its NIC: the totals and the host time when the N1-th and the N2-th leave.
  let sent = 0;
  let marks: { totals?: NetTotals; t: number }[] = [];
  let withTotals = true;
  sc.setObserver((e) => {
    if (e.kind !== 'tx' || e.src !== FIRST_MAC) return;
    sent++;
    if (sent === n1 || sent === n2) marks.push({ t: performance.now(), ...(withTotals ? { totals: sc.totals() } : {}) });
  });
  const window = () => {
    sent = 0;
    marks = [];
    sc.run();
    if (marks.length !== 2) throw new Error(`${s.size}-byte frames: ${sent} frames left the sender, not ${n2}`);
    return { a: marks[0]!, b: marks[1]!, end: sc.totals() };
  };
  const first = window();
  sc.reset();
  const again = window();
  if (JSON.stringify([again.a.totals, again.b.totals, again.end]) !== JSON.stringify([first.a.totals, first.b.totals, first.end])) {
    throw new Error(`${s.size}-byte frames: a run after reset counts differently from the first`);
  }
  withTotals = false;
  const per: number[] = [];
  sampling(timing, quick, (keep) => {
    sc.reset();
    const w = window();
    if (keep) per.push(((w.b.t - w.a.t) * 1e6) / (n2 - n1));
  });
  sc.setObserver(undefined);
  const sorted = [...per].sort((x, y) => x - y);
  const end = first.end;
  return {
    size: s.size!, frames: [n1, n2], perPacket: perPacket(first.a.totals!, first.b.totals!, n2 - n1),
    run: { delivered: end.delivered, dropped: end.dropped, exits: end.exits, cycles: round(end.cycles), worldSwitches: end.worldSwitches },
    host: { median: round(median(per)), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!), samples: per.length },
  };
}

function perPacket(a: NetTotals, b: NetTotals, n: number): NetPerPacket {
  return Object.fromEntries(PER_PACKET_KEYS.map((k) => [k, round((b[k] - a[k]) / n)])) as NetPerPacket;
}

/** Warm-up samples (at least min, then until the time is up), then timed samples while the time lasts (at least minSamples). */
function sampling(timing: TimingOptions, quick: boolean, sample: (keep: boolean) => void): void {
  const warmUntil = performance.now() + (quick ? 0 : WARM_UP_MS);
  // --quick: no warm-up (the checked runs before have warmed V8 a little; the figures are rough anyway).
  const minWarm = quick ? 0 : WARM_UP_RUNS.min;
  for (let i = 0; i < WARM_UP_RUNS.max && (i < minWarm || (!quick && performance.now() < warmUntil)); i++) sample(false);
  let n = 0;
  const until = performance.now() + timing.maxTime * 1000;
  while (n < Math.max(1, timing.minSamples) || performance.now() < until) {
    sample(true);
    n++;
  }
}

function measureLatency(s: ScenarioSpec, timing: TimingOptions, quick: boolean): NetLatencyFigures {
  const sc = buildScenario(s);
  // Each ping leaving the client's NIC (its first event: the same frame passes the switch and the wire in the same instruction).
  const pings = (onPing: () => void) => {
    let last = -1;
    sc.setObserver((e) => {
      if (e.kind !== 'tx' || e.src !== FIRST_MAC) return;
      const now = sc.clock();
      if (now === last) return;
      last = now;
      onPing();
    });
  };
  const modelled = () => {
    const at: NetTotals[] = [];
    pings(() => at.push(sc.totals()));
    sc.run();
    return at;
  };
  const at = modelled();
  if (at.length !== s.count) throw new Error(`pingpong: ${at.length} pings left the client for ${s.count} round trips`);
  sc.reset();
  if (JSON.stringify(modelled()) !== JSON.stringify(at)) throw new Error('pingpong: a run after reset counts differently from the first');
  // Intervals between consecutive pings, the first quarter left out.
  const kept = at.slice(warmUp(s.count));
  const cycles = kept.slice(1).map((t, i) => t.cycles - kept[i]!.cycles);
  const n = cycles.length;

  let stamps: number[] = [], keepCurrent = false;
  const hostNs: number[] = [];
  const flush = () => {
    if (keepCurrent) for (let i = warmUp(stamps.length) + 1; i < stamps.length; i++) hostNs.push((stamps[i]! - stamps[i - 1]!) * 1e6);
    stamps = [];
  };
  pings(() => stamps.push(performance.now()));
  sampling(timing, quick, (keep) => {
    keepCurrent = keep;
    sc.reset();
    sc.run();
    flush();
  });
  sc.setObserver(undefined);
  const sorted = [...cycles].sort((x, y) => x - y);
  const hostSorted = [...hostNs].sort((x, y) => x - y);
  return {
    roundTrips: n,
    cycles: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), min: round(sorted[0]!), max: round(sorted[n - 1]!) },
    hostNs: { p50: round(percentile(hostSorted, 50)), p99: round(percentile(hostSorted, 99)), samples: hostSorted.length },
    perRoundTrip: perPacket(kept[0]!, kept[n]!, n),
  };
}

/** Pings of a run's warm-up, left out of the round trips: the first quarter, at least one. */
export function warmUp(pings: number): number {
  return Math.max(1, Math.floor(pings / 4));
}

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
