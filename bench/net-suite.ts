// The net suite: every cell of bench/net-workloads.ts (bench/net-cell.ts),
// turned into frames per second (modelled, at the preset's clock, and of host
// time), and the issue's targets checked: an assigned VF at least 10 times the
// emulated NIC's and twice virtio's modelled frames per second, no exit per
// packet under hw, and its round trips' p99 within 1.5 times their p50.
//
// Host time as the nano and macro suites take it (docs/benchmarks.md, "Host
// time"): per path a group of cells, each ready in a process of its own, their
// samples taken in turn with the native e1000's on the wire (the reference of
// both paths: VM to VM has no bare-machine pair), rounds of fresh processes; a
// round's figure is each part's fastest sample; a cell's time per frame and
// its ratio to the reference are the rounds' medians, with their spread.

import type { EngineName } from '../src/engine/registry.js';
import type { NicKind } from '../src/network/nic.js';
import type { CostPresetName } from '../src/vmm/index.js';
import { belowNativeReason } from './below-native.js';
import type { OpenEngineSession, OpenNetSession, Session } from './cell-session.js';
import type { EngineCellSpec } from './engine-cell.js';
import { measureGroupsInterleaved } from './interleave.js';
import { referenceSeconds, speedReferenceSpec, type Clock, type SlowSpells } from './machine-speed.js';
import type { Sample } from './timing.js';
import { netCellLabel, type NetCellMeasurement, type NetCellSpec, type NetLatencyFigures, type NetSample, type NetStreamFigures } from './net-cell.js';
import { latencyHost, streamHost, type NetLatencyHost, type NetStreamHost, type SpeedRounds } from './net-rounds.js';
import { PAIR_SLICE, RECEIVER_WEIGHT } from './net-scenario.js';
import {
  FRAME_SIZES, MODELLED_CLOCK_HZ, MODELLED_CLOCK_SOURCES, NET_MODE_COLUMNS, NET_NICS, NET_PATHS, netCellExists, netCounts, type NetCounts, type NetPath,
} from './net-workloads.js';
import type { TimingOptions } from './timing.js';

export interface NetStreamRow extends NetStreamFigures, NetStreamHost {
  /** Frames per modelled second: the clock over the modelled cycles per frame. */
  modelledFps: number;
  /** Frames per host second: one over the host time per frame (the rounds' median); null when unmeasured. */
  hostFps: number | null;
  /** Why host time per frame is below the native e1000's, when it is (bench/below-native.ts). */
  belowNative?: string;
}

export interface NetRow {
  path: NetPath;
  nic: NicKind;
  mode: string;
  stream: NetStreamRow[];
  latency: NetLatencyFigures & { host: NetLatencyHost };
}

export interface NetTarget { name: string; value: number | null; limit: string; met: boolean | null; why?: string }

export interface NetSuiteResult {
  preset: CostPresetName;
  clockHz: number;
  clockSource: string;
  engine: EngineName;
  counts: NetCounts;
  /** VM to VM: the host's slice, and the stream receiver's weight. */
  pair: { slice: number; receiverWeight: number };
  /** Rounds, and samples of each cell per round. */
  rounds: number;
  samples: number;
  rows: NetRow[];
  /** VF against emulated and virtio, per path, frame size and monitor mode. */
  ratios: NetRatio[];
  targets: NetTarget[];
}

export interface NetRatio {
  path: NetPath;
  size: number;
  mode: string;
  vfOverEmulated: number | null;
  vfOverVirtio: number | null;
}

export interface NetSuiteOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
  open: OpenNetSession;
  /** Opens the machine's speed reference (bench/machine-speed.ts), a member of every group; without it, none. */
  openReference?: OpenEngineSession;
  /** With the reference: a group sampled in a slow spell of the machine is sampled again (not with --quick). */
  spells?: SlowSpells;
  rounds: number;
  samples: number;
  /** Only these cells (the reference is measured anyway): the profiles suite's network column. */
  only?: (spec: NetCellSpec) => boolean;
  log: (s: string) => void;
}

/** Every cell's spec, in table order. */
export function netCellSpecs(o: Pick<NetSuiteOptions, 'engine' | 'costModel' | 'quick' | 'timing'>): NetCellSpec[] {
  const specs: NetCellSpec[] = [];
  for (const path of NET_PATHS) for (const nic of NET_NICS) for (const col of NET_MODE_COLUMNS) {
    if (netCellExists(path, nic, col.name)) specs.push({ kind: 'net', path, nic, mode: col.name, engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing });
  }
  return specs;
}

/** The cell every other is timed against: the bare machine's e1000 on the wire. */
export const isReference = (s: Pick<NetCellSpec, 'path' | 'nic' | 'mode'>) => s.path === 'wire' && s.nic === 'emulated' && s.mode === 'native';

export async function runNetSuite(o: NetSuiteOptions): Promise<NetSuiteResult> {
  const clockHz = MODELLED_CLOCK_HZ[o.costModel];
  const all = netCellSpecs(o);
  // The reference first, measured once a round for both paths; then the cells wanted.
  const specs = [all.find(isReference)!, ...all.filter((s) => !isReference(s) && (!o.only || o.only(s)))];
  // A group per path and NIC, each with the reference (and the machine's speed reference, when there is one, last): a short rotation (2 to 7 cells).
  const openReference = o.openReference;
  const speed = specs.length;
  const groups: { label: string; members: number[] }[] = [];
  for (const path of NET_PATHS) for (const nic of NET_NICS) {
    const members = specs.flatMap((s, k) => (k > 0 && s.path === path && s.nic === nic ? [k] : []));
    if (members.length > 0 || (path === 'wire' && nic === 'emulated')) groups.push({ label: `${path === 'wire' ? 'wire' : 'vm-vm'} ${nic}`, members: [0, ...members, ...(openReference ? [speed] : [])] });
  }
  const opened: (NetCellSpec | EngineCellSpec)[] = openReference ? [...specs, speedReferenceSpec(o.timing, o.quick)] : specs;
  const measured = await measureGroupsInterleaved<NetCellSpec | EngineCellSpec, unknown, NetSample | Sample>(opened, {
    rounds: o.rounds, samples: o.samples, groups: groups.map((g) => g.members),
    ...(openReference && o.spells && !o.quick ? { slow: o.spells.check<NetSample | Sample>((g) => `net ${g === null ? '' : groups[g]!.label}`, (t) => t.length - 1, o.log) } : {}),
    open: (s) => (s.kind === 'engine' ? openReference!(s) : o.open(s)) as Promise<Session<unknown, NetSample | Sample>>,
    groupsDone: (r, taken) => {
      const fastest = (xs: readonly (NetSample | Sample)[]) => Math.min(...(xs as NetSample[]).map((x) => x.stream[0]!.cpu));
      const cellsOf = (g: typeof groups[number]) => g.members.slice(1, openReference ? -1 : undefined);
      o.log(`net round ${r}/${o.rounds}, ${FRAME_SIZES[0]} B per frame against the native e1000's: ` + groups.map((g, gi) =>
        `${g.label} ${(fastest(taken[gi]![0]!) * 1e9).toFixed(0)} ns` + cellsOf(g).map((k, m) => ` ${specs[k]!.mode} ×${(fastest(taken[gi]![m + 1]!) / fastest(taken[gi]![0]!)).toFixed(2)}`).join('') +
        (openReference ? `, speed reference ${((referenceSeconds(taken[gi]![g.members.length - 1] as Sample[]) ?? NaN) * 1000).toFixed(3)} ms` : '')).join('; '));
    },
  });
  // Each cell's samples, round by round, and the reference's taken in the same group.
  const roundsOf = (gi: number, m: number) => measured.rounds.map((r) => r[gi]![m]! as NetSample[]);
  // The machine's speed reference of each group, round by round (null without one).
  const speedOf = (gi: number): SpeedRounds | null => {
    if (!openReference) return null;
    const by = (clock: Clock) => measured.rounds.map((r) => referenceSeconds(r[gi]![groups[gi]!.members.length - 1]! as Sample[], clock));
    return { cpu: by('cpu'), wall: by('wall') };
  };
  const refInfo = measured.infos[0]! as NetCellMeasurement;
  const rows: NetRow[] = [];
  for (const [gi, g] of groups.entries()) {
    for (const [m, k] of g.members.entries()) {
      if (k === speed || (m === 0 && gi > 0)) continue; // the speed reference has no row; the reference's own row is from the first group
      const s = specs[k]!;
      const info = measured.infos[k]! as NetCellMeasurement;
      const rounds = roundsOf(gi, m);
      const row: NetRow = {
        path: s.path, nic: s.nic, mode: s.mode,
        stream: info.stream.map((x, i): NetStreamRow => {
          const h = streamHost(rounds, k === 0 ? null : roundsOf(gi, 0), i, o.samples, speedOf(gi));
          const cycles = refInfo.stream[i]!.perPacket.cycles > 0 ? round(x.perPacket.cycles / refInfo.stream[i]!.perPacket.cycles) : null;
          const host = { ...h, ratioToNative: { ...h.ratioToNative, cycles } };
          const why = k === 0 ? undefined : belowNativeReason({ workload: `${s.path} ${s.nic} ${x.size} B`, mode: s.mode, ratioToNative: host.ratioToNative }, 'net');
          return {
            ...x, ...host, modelledFps: Math.round(clockHz / x.perPacket.cycles), hostFps: h.host.nsPerFrame === null ? null : Math.round(1e9 / h.host.nsPerFrame),
            ...(why === undefined ? {} : { belowNative: why }),
          };
        }),
        latency: { ...info.latency, host: latencyHost(rounds, speedOf(gi)) },
      };
      o.log(`${netCellLabel(s)}: ${row.stream.map((x) => `${x.size} B ${(x.modelledFps / 1e6).toFixed(3)} M frames/s modelled, ${x.perPacket.cycles} cycles and ${x.perPacket.exits} exits per frame, ` +
        `host ${x.host.nsPerFrame ?? '-'} ns${k === 0 ? '' : ` ×${x.ratioToNative.host ?? '-'}`}`).join('; ')}; ` +
        `round trip p50 ${row.latency.cycles.p50} p99 ${row.latency.cycles.p99} cycles`);
      rows.push(row);
    }
  }
  // Table order, whatever the grouping.
  const at = (x: NetRow) => all.findIndex((s) => s.path === x.path && s.nic === x.nic && s.mode === x.mode);
  rows.sort((x, y) => at(x) - at(y));
  const ratios = vfRatios(rows);
  return {
    preset: o.costModel, clockHz, clockSource: MODELLED_CLOCK_SOURCES[o.costModel], engine: o.engine, counts: netCounts(o.quick),
    pair: { slice: PAIR_SLICE, receiverWeight: RECEIVER_WEIGHT }, rounds: o.rounds, samples: o.samples, rows, ratios, targets: netTargets(rows, ratios),
  };
}

export function findRow(rows: readonly NetRow[], path: NetPath, nic: NicKind, mode: string): NetRow | undefined {
  return rows.find((r) => r.path === path && r.nic === nic && r.mode === mode);
}

function vfRatios(rows: readonly NetRow[]): NetRatio[] {
  const out: NetRatio[] = [];
  for (const path of NET_PATHS) for (const size of FRAME_SIZES) for (const col of NET_MODE_COLUMNS) {
    const fps = (nic: NicKind) => findRow(rows, path, nic, col.name)?.stream.find((x) => x.size === size)?.modelledFps;
    const vf = fps('vf');
    if (vf === undefined) continue;
    const over = (x: number | undefined) => (x === undefined || x <= 0 ? null : round(vf / x));
    out.push({ path, size, mode: col.name, vfOverEmulated: over(fps('emulated')), vfOverVirtio: over(fps('virtio')) });
  }
  return out;
}

const PATH_NAME: Record<NetPath, string> = { wire: 'VM to wire', vm: 'VM to VM' };

/** The issue's targets, under hw (posted interrupts on, the default) on both paths; the ratio table has every mode. */
function netTargets(rows: readonly NetRow[], ratios: readonly NetRatio[]): NetTarget[] {
  const t: NetTarget[] = [];
  const per = (path: NetPath, nic: NicKind, size: number) => findRow(rows, path, nic, 'hw')?.stream.find((x) => x.size === size);
  for (const path of NET_PATHS) {
    for (const size of FRAME_SIZES) {
      const r = ratios.find((x) => x.path === path && x.size === size && x.mode === 'hw');
      const vf = per(path, 'vf', size), em = per(path, 'emulated', size), vi = per(path, 'virtio', size);
      for (const [what, value, limit, other] of [['emulated', r?.vfOverEmulated, 10, em], ['virtio', r?.vfOverVirtio, 2, vi]] as const) {
        const v = value ?? null;
        const met = v === null ? null : v >= limit;
        t.push({
          name: `net hw ${PATH_NAME[path]} ${size} B: VF / ${what}, modelled frames/s`, value: v, limit: `>= ${limit}`, met,
          ...(met === false && vf && other ? { why: `cycles per frame: VF ${num(vf.perPacket.cycles)} (${num(vf.perPacket.instructions)} guest instructions), ${what} ${num(other.perPacket.cycles)} (${num(other.perPacket.instructions)} instructions, ${other.perPacket.exits} exits)` } : {}),
        });
      }
    }
  }
  for (const path of NET_PATHS) {
    const vf = findRow(rows, path, 'vf', 'hw');
    const worst = vf ? Math.max(...vf.stream.map((x) => x.perPacket.exits)) : null;
    const x = vf?.stream.find((s) => s.perPacket.exits === worst);
    const met = worst === null ? null : worst === 0;
    t.push({
      name: `net hw ${PATH_NAME[path]}: VF exits per packet (most of 64 and 1500 B)`, value: worst, limit: '= 0', met,
      ...(met === false && x ? { why: `${x.perPacket.interruptExits} of the ${x.perPacket.exits} exits per packet (${x.size} B) are real interrupts into the monitor (${path === 'vm' ? 'the host\'s timer ending slices: a 1500-byte frame takes several slices of the pair' : 'timer ticks'})` } : {}),
    });
  }
  for (const path of NET_PATHS) {
    const l = findRow(rows, path, 'vf', 'hw')?.latency;
    const v = l && l.cycles.p50 > 0 ? round(l.cycles.p99 / l.cycles.p50) : null;
    const met = v === null ? null : v <= 1.5;
    t.push({
      name: `net hw ${PATH_NAME[path]}: VF round trip p99 / p50, modelled cycles`, value: v, limit: '<= 1.5', met,
      ...(met === false && l ? { why: `p50 ${num(l.cycles.p50)}, p99 ${num(l.cycles.p99)} cycles; ${l.perRoundTrip.interruptExits} interrupt exits per round trip${path === 'vm' ? ' (the client and server share one CPU in slices: a round trip takes however many slices it falls across)' : ''}` } : {}),
    });
  }
  return t;
}

const num = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });
const round = (x: number) => Math.round(x * 1000) / 1000;
