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
// frame and per round trip, and the host time of each round trip (the
// monotonic clock at each ping, ~0.08 µs a read: prepareLatency says why not
// CPU time). bench/net-suite.ts takes those samples in turn with the
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

/** One timed sample of a cell: CPU seconds per frame (per frame size, in table order) and per round trip, and each round trip's host time. */
export interface NetSample {
  stream: { size: number; cpu: number; wall: number }[];
  latency: { cpu: number; wall: number; /** Each round trip of the sample's runs, nanoseconds of the monotonic clock (whole): prepareLatency says why. */ tripsNs: number[] };
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
 * net scenario are 1.5 to 30 times slower than its steady ones (V8 optimizing
 * the engine and the devices, the engine compiling the guest) for 10 to 30
 * runs; most of that is shared by a cell's parts, so the first part settled
 * pays for the others. The budget keeps the slow cells (VM to VM, 1500-byte
 * frames, 50-250 ms a run) from spending many seconds here every round; 0.6 s
 * stopped a VM-to-VM virtio hw cell's round trips at 2-4 runs per sample
 * (their runs reach 9 ms from 130 ms after some 30 runs).
 *
 * What settles is the best of SETTLE_RUNS windows' main-thread time (the
 * monotonic clock), not one window's CPU time: CPU time counts V8's background
 * compiles and GC as the scheduler samples them (jumps of 4 ms on windows of
 * 1 ms), and one window's time jumps about while V8 tiers up, so "not improved
 * for 3 calls" held after 5 runs of 30 ms on the way down to 1 ms: runs per
 * sample were fixed from a warm-up figure (2 where 30 were due), and a sample
 * of round trips was 2 runs, scattering 10-fold from sample to sample.
 */
const SETTLE_RUNS = 3;
const SETTLE_MAX_CALLS = 20;
const SETTLE_BUDGET = 1.2;

export function readyNetCell(spec: NetCellSpec): ReadyNetCell {
  const { info, parts } = prepare(spec);
  const minTime = spec.timing.minSampleTime ?? 0.02;
  // Runs per sample, from the settled part's fastest run (--quick: one run): the windows of a sample add up to at least minTime.
  const bestOf = (p: Part) => () => {
    let best = Infinity;
    for (let i = 0; i < SETTLE_RUNS; i++) best = Math.min(best, p.window().wall);
    return best;
  };
  const fastest = (p: Part) => (spec.quick ? p.window().cpu : settleOn(bestOf(p), SETTLE_MAX_CALLS, SETTLE_BUDGET).best);
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
  sc.observeFirstNic((e) => {
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
    sc.observeFirstNic((e) => {
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

  // Timed: the monotonic clock at each ping (a round trip's host time), the CPU clock at the first measured ping and
  // the last (the window's CPU time). A round trip is timed with the monotonic clock, not process.cpuUsage(),
  // because cpuUsage (getrusage) sums every thread of the process and counts the others' time only when the
  // scheduler's tick samples them: V8's concurrent compiles of the engine's regions (3-30 ms each) and its
  // concurrent GC land on one round trip as a jump of a whole tick (4 ms at HZ=250) whatever that round trip cost
  // (a 36 µs round trip read 4,040 µs), and it counts whole microseconds (±12% of an 8 µs p50) at 0.6 µs a read
  // (a system call: 5% of such a round trip). performance.now() reads the monotonic clock (vDSO, ~0.08 µs,
  // sub-microsecond) and covers only the thread that runs the round trip; a preemption by another process
  // lands whole on its round trip too, so p99 still moves on a busy machine, and p50 does not.
  const walls = new Float64Array(s.count);
  let pinged = 0;
  let cpuFrom = 0, cpuTo = 0;
  pings(() => {
    const now = performance.now();
    if (pinged < s.count) walls[pinged] = now;
    if (pinged === skip) cpuFrom = cpuNow();
    else if (pinged === s.count - 1) cpuTo = cpuNow();
    pinged++;
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
        pinged = 0;
        sc.reset();
        sc.run();
        if (pinged !== s.count) throw new Error(`pingpong: ${pinged} pings left the client for ${s.count} round trips`);
        const tripsNs: number[] = [];
        for (let i = skip + 1; i < s.count; i++) tripsNs.push(Math.round((walls[i]! - walls[i - 1]!) * 1e6));
        return { cpu: cpuTo - cpuFrom, wall: (walls[s.count - 1]! - walls[skip]!) / 1000, tripsNs };
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
