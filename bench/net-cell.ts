// One cell of the net suite: a NIC kind under one mode column on one path (a
// VM to the wire, or VM to VM on one host), in three parts: a stream of
// 64-byte frames, one of 1500-byte frames, and round trips.
//
// Throughput, per frame size: stream.s with N2 frames. A frame observer (no
// trace) takes the totals, the CPU time and the wall time as the N1-th and the
// N2-th frame leave the sender's NIC; the per-packet figures are the
// differences over N2 - N1, so that what a run pays once (booting, finding and
// setting up the NIC, the engine compiling the program afresh after a reset,
// the final report) is outside them: the steady state. Modelled frames per
// second are the preset's clock over the modelled cycles per frame. The run is
// repeated after a reset (it must count the same).
//
// Latency: pingpong.s with M round trips. A frame observer takes the modelled
// cycles and the host time each time a ping leaves the client's NIC; the round
// trip is the interval between two pings (one is in flight at a time). The
// first quarter is left out, as the throughput's first N1 frames are: the
// warm-up (learning the peer; under bt, pv and hw-noept the first round trips
// take one more trap each, the monitor's shadow paging meeting pages for the
// first time). The modelled intervals are deterministic (checked on a second run).
//
// Host time (readyNetCell): the cell is made ready once (built, checked,
// run until steady (settle), its runs per sample fixed so that each part's
// windows add up to at least minSampleTime of CPU time), then takes
// samples on request, each a fixed number of runs of every part: CPU time per
// frame and per round trip, and the CPU time of each round trip (a clock
// read, ~0.4 µs, at each ping). bench/net-suite.ts takes those samples in turn with the
// native e1000's (bench/interleave.ts); docs/benchmarks.md says why.

import { ENGINE_FACTORIES, type EngineName } from '../src/engine/registry.js';
import { NIC_KINDS, type NicKind } from '../src/network/nic.js';
import { COST_PRESET_NAMES, type CostPresetName } from '../src/vmm/index.js';
import { buildScenario, FIRST_MAC, type NetScenario, type NetTotals, type ScenarioSpec } from './net-scenario.js';
import { FRAME_SIZES, NET_MODE_COLUMNS, NET_PATHS, netCellExists, netCounts, type NetPath } from './net-workloads.js';
import { cpuNow, settleOn, type TimingOptions } from './timing.js';

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

export interface NetStreamFigures {
  size: number;
  /** The window: from the N1-th to the N2-th frame of a run of N2 frames. */
  frames: [number, number];
  perPacket: NetPerPacket;
  /** The N2 run whole: frames delivered and dropped, its exits, modelled cycles and world switches. */
  run: { delivered: number; dropped: number; exits: number; cycles: number; worldSwitches: number };
}

export interface NetLatencyFigures {
  /** Round trips measured: the intervals after the first quarter of the pings. */
  roundTrips: number;
  cycles: { p50: number; p99: number; min: number; max: number };
  /** Means over the measured round trips. */
  perRoundTrip: NetPerPacket;
}

/** What a cell counts (exact: the same in any run and any process). */
export interface NetCellMeasurement {
  stream: NetStreamFigures[];
  latency: NetLatencyFigures;
}

/** One timed sample of a cell: seconds per frame (per frame size, in table order) and per round trip, and each round trip's CPU time. */
export interface NetSample {
  stream: { size: number; cpu: number; wall: number }[];
  latency: { cpu: number; wall: number; /** Each round trip of the sample's runs, CPU nanoseconds (whole). */ tripsNs: number[] };
}

/** A cell built, checked and settled: ready to take samples. */
export interface ReadyNetCell {
  info: NetCellMeasurement;
  /** Runs per sample: each frame size's stream, then pingpong. */
  calls: number[];
  sample(): NetSample;
}

export function netCellLabel(s: Pick<NetCellSpec, 'path' | 'nic' | 'mode'>): string {
  return `net ${s.path === 'wire' ? 'wire' : 'vm-vm'} ${s.nic} ${s.mode}`;
}

/** A part of a cell: one run of its scenario, measured over its window. */
interface Part {
  /** Runs the scenario once (after a reset): CPU and wall seconds of the window, and the round trips' CPU nanoseconds (latency only). */
  window(): { cpu: number; wall: number; tripsNs?: number[] };
  /** Frames or round trips in the window. */
  count: number;
}

/**
 * A part settles (timing.ts's settleOn) over its runs, not over samples of
 * `calls` runs, within SETTLE_BUDGET seconds of CPU time: the first runs of a
 * net scenario are 1.5 to 15 times slower than its steady ones (V8 optimizing
 * the engine and the devices, the engine compiling the guest) for 10 to 30
 * runs; most of that is shared by a cell's parts, so the first part settled
 * pays for the others. The budget keeps the slow cells (VM to VM, 1500-byte
 * frames, 50-250 ms a run) from spending seconds here every round.
 */
const SETTLE_MAX_RUNS = 60;
const SETTLE_BUDGET = 0.6;

export function readyNetCell(spec: NetCellSpec): ReadyNetCell {
  const { info, parts } = prepare(spec);
  const minTime = spec.timing.minSampleTime ?? 0.02;
  // Runs per sample, from the settled part's fastest run (--quick: one run): the windows of a sample add up to at least minTime of CPU time.
  const fastest = (p: Part) => (spec.quick ? p.window().cpu : settleOn(() => p.window().cpu, SETTLE_MAX_RUNS, SETTLE_BUDGET).best);
  const calls = parts.map((p) => Math.max(1, Math.ceil(minTime / Math.max(fastest(p), 1e-6))));
  return { info, calls, sample: () => sampleParts(parts, calls) };
}

/** The counts of a cell (built and checked, nothing timed): what `measureCell` reports for a net cell. */
export function measureNetCell(spec: NetCellSpec): NetCellMeasurement {
  return prepare(spec).info;
}

function sampleParts(parts: readonly Part[], calls: readonly number[]): NetSample {
  const taken = parts.map((p, k) => {
    let cpu = 0, wall = 0;
    const trips: number[] = [];
    for (let i = 0; i < calls[k]!; i++) {
      const w = p.window();
      cpu += w.cpu;
      wall += w.wall;
      if (w.tripsNs) trips.push(...w.tripsNs);
    }
    const n = calls[k]! * p.count;
    return { cpu: cpu / n, wall: wall / n, trips };
  });
  const latency = taken[taken.length - 1]!;
  return {
    stream: FRAME_SIZES.map((size, k) => ({ size, cpu: taken[k]!.cpu, wall: taken[k]!.wall })),
    latency: { cpu: latency.cpu, wall: latency.wall, tripsNs: latency.trips },
  };
}

function prepare(spec: NetCellSpec): { info: NetCellMeasurement; parts: Part[] } {
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
  const streams = FRAME_SIZES.map((size) => guard(() => prepareStream({ ...base, program: 'stream', size, count: 0 }, counts.stream)));
  const latency = guard(() => prepareLatency({ ...base, program: 'pingpong', count: counts.pingpong }));
  return {
    info: { stream: streams.map((x) => x.figures), latency: latency.figures },
    parts: [...streams.map((x) => guardPart(x.part, guard)), guardPart(latency.part, guard)],
  };
}

function guardPart(p: Part, guard: <T>(f: () => T) => T): Part {
  return { count: p.count, window: () => guard(() => p.window()) };
}


function prepareStream(s: ScenarioSpec, [n1, n2]: [number, number]): { figures: NetStreamFigures; part: Part } {
  const sc = buildScenario({ ...s, count: n2 });
  // The sender's frames as they leave its NIC: the totals and the clocks when the N1-th and the N2-th leave.
  let sent = 0;
  let marks: { totals?: NetTotals; cpu: number; wall: number }[] = [];
  let withTotals = true;
  sc.setObserver((e) => {
    if (e.kind !== 'tx' || e.src !== FIRST_MAC) return;
    sent++;
    if (sent === n1 || sent === n2) marks.push({ cpu: cpuNow(), wall: performance.now(), ...(withTotals ? { totals: sc.totals() } : {}) });
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
  const end = first.end;
  return {
    figures: {
      size: s.size!, frames: [n1, n2], perPacket: perPacket(first.a.totals!, first.b.totals!, n2 - n1),
      run: { delivered: end.delivered, dropped: end.dropped, exits: end.exits, cycles: round(end.cycles), worldSwitches: end.worldSwitches },
    },
    part: {
      count: n2 - n1,
      window: () => {
        sc.reset();
        const w = window();
        return { cpu: w.b.cpu - w.a.cpu, wall: (w.b.wall - w.a.wall) / 1000 };
      },
    },
  };
}

function perPacket(a: NetTotals, b: NetTotals, n: number): NetPerPacket {
  return Object.fromEntries(PER_PACKET_KEYS.map((k) => [k, round((b[k] - a[k]) / n)])) as NetPerPacket;
}

function prepareLatency(s: ScenarioSpec): { figures: NetLatencyFigures; part: Part } {
  const sc: NetScenario = buildScenario(s);
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
  const skip = warmUp(s.count);
  const kept = at.slice(skip);
  const cycles = kept.slice(1).map((t, i) => t.cycles - kept[i]!.cycles);
  const n = cycles.length;
  const sorted = [...cycles].sort((x, y) => x - y);

  // Timed: the CPU clock and the wall clock at each ping. A round trip's host time is CPU time, as every other
  // host figure: time the shared host gives another process is not the round trip's (one clock read, ~0.4 µs, is).
  let stamps: number[] = [];
  let walls: number[] = [];
  pings(() => {
    stamps.push(cpuNow());
    walls.push(performance.now());
  });
  return {
    figures: {
      roundTrips: n,
      cycles: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), min: round(sorted[0]!), max: round(sorted[n - 1]!) },
      perRoundTrip: perPacket(kept[0]!, kept[n]!, n),
    },
    part: {
      count: n,
      window: () => {
        stamps = [];
        walls = [];
        sc.reset();
        sc.run();
        if (stamps.length !== s.count) throw new Error(`pingpong: ${stamps.length} pings left the client for ${s.count} round trips`);
        const tripsNs: number[] = [];
        for (let i = skip + 1; i < stamps.length; i++) tripsNs.push(Math.round((stamps[i]! - stamps[i - 1]!) * 1e9));
        return { cpu: stamps[stamps.length - 1]! - stamps[skip]!, wall: (walls[walls.length - 1]! - walls[skip]!) / 1000, tripsNs };
      },
    },
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
