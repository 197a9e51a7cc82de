// The net suite: every cell of bench/net-workloads.ts measured by
// bench/net-cell.ts (each in a process of its own unless --no-fork), turned
// into frames per second (modelled, at the preset's clock, and of host time),
// and the issue's targets checked: an assigned VF at least 10 times the
// emulated NIC's and twice virtio's modelled frames per second, no exit per
// packet under hw, and its round trips' p99 within 1.5 times their p50.

import type { EngineName } from '../src/engine/registry.js';
import type { NicKind } from '../src/network/nic.js';
import type { CostPresetName } from '../src/vmm/index.js';
import { measureRounds } from './cell.js';
import { figure } from './spread.js';
import { netCellLabel, type NetCellMeasurement, type NetCellSpec, type NetLatencyFigures, type NetStreamFigures } from './net-cell.js';
import { PAIR_SLICE, RECEIVER_WEIGHT } from './net-scenario.js';
import {
  FRAME_SIZES, MODELLED_CLOCK_HZ, MODELLED_CLOCK_SOURCES, NET_MODE_COLUMNS, NET_NICS, NET_PATHS, netCellExists, netCounts, type NetCounts, type NetPath,
} from './net-workloads.js';
import type { TimingOptions } from './timing.js';

export interface NetStreamRow extends NetStreamFigures {
  /** Frames per modelled second: the clock over the modelled cycles per frame. */
  modelledFps: number;
  /** Frames per host second: one over the host time per frame (the rounds' median). */
  hostFps: number;
  /** The rounds' interquartile range of host time per frame over its median (bench/spread.ts); null with one round. */
  hostSpread: number | null;
}

export interface NetRow {
  path: NetPath;
  nic: NicKind;
  mode: string;
  stream: NetStreamRow[];
  latency: NetLatencyFigures & { hostUs: { p50: number; p99: number } };
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
  measure: (spec: NetCellSpec) => NetCellMeasurement;
  rounds: number;
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

export function runNetSuite(o: NetSuiteOptions): NetSuiteResult {
  const clockHz = MODELLED_CLOCK_HZ[o.costModel];
  const specs = netCellSpecs(o);
  // The modelled figures are the same in every round; host time is not.
  const hostTime = (m: NetCellMeasurement) => m.stream.reduce((s, x) => s + x.host.median, 0);
  const progress = (s: NetCellSpec, m: NetCellMeasurement, r: number) => {
    if (o.rounds > 1) o.log(`${netCellLabel(s)} round ${r}/${o.rounds}: ${m.stream.map((x) => `${x.size} B ${x.host.median} ns`).join(', ')} per frame`);
  };
  const all = measureRounds(specs, o.rounds, o.measure, progress);
  const rows = all.map((ms, i): NetRow => {
    const s = specs[i]!;
    // Round trips from the fastest round; each frame size's host time per frame is the rounds' median, with their spread.
    const m = ms.reduce((best, x) => (hostTime(x) < hostTime(best) ? x : best));
    const row: NetRow = {
      path: s.path, nic: s.nic, mode: s.mode,
      stream: m.stream.map((x, k) => {
        const f = figure(ms.map((r) => r.stream[k]!.host.median));
        return { ...x, modelledFps: Math.round(clockHz / x.perPacket.cycles), hostFps: Math.round(1e9 / (f.value ?? x.host.median)), hostSpread: f.spread };
      }),
      latency: { ...m.latency, hostUs: { p50: round(m.latency.hostNs.p50 / 1000), p99: round(m.latency.hostNs.p99 / 1000) } },
    };
    o.log(`${netCellLabel(s)}: ${row.stream.map((x) => `${x.size} B ${(x.modelledFps / 1e6).toFixed(3)} M frames/s modelled, ${x.perPacket.cycles} cycles and ${x.perPacket.exits} exits per frame`).join('; ')}; ` +
      `round trip p50 ${row.latency.cycles.p50} p99 ${row.latency.cycles.p99} cycles`);
    return row;
  });
  const ratios = vfRatios(rows);
  return {
    preset: o.costModel, clockHz, clockSource: MODELLED_CLOCK_SOURCES[o.costModel], engine: o.engine, counts: netCounts(o.quick),
    pair: { slice: PAIR_SLICE, receiverWeight: RECEIVER_WEIGHT }, rows, ratios, targets: netTargets(rows, ratios),
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
