// The profiles suite (`virtlab bench --suite profiles`): the table of Gregg's
// "AWS EC2 Virtualization 2017" filled with measurements. A row per profile
// (src/profiles/), a column per dimension, each cell the technique virtlab
// runs there and its overhead against native:
//   CPU & memory: the macro suite's compute workload under the profile's CPU
//     column (bench/guest-suite.ts), per iteration;
//   network: the net suite's stream of 64-byte frames to the wire
//     (bench/net-cell.ts) with the profile's NIC under its CPU column, against
//     the bare machine's own e1000 (natively there is no VF): native frames
//     per second over the profile's;
//   interrupts & timers: tinyos with a timer interrupt every 200 instructions
//     (bench/profiles-timer-cell.ts) under the profile's mode and hw options.
// Each overhead is given in modelled cycles (deterministic: the colour of the
// chart) and in host time, as the other suites take it (docs/benchmarks.md,
// "Host time"): CPU time, each cell ready in a process of its own and sampled
// in turn with its native cell, rounds of fresh processes, the ratio to native
// per round, the rounds' median with its spread. The CPU and network columns
// are the macro and net suites' own cells when the same invocation measured
// them (--suite all), else those suites run on just the cells needed. Cells
// that several profiles share are measured once.

import type { EngineName } from '../src/engine/registry.js';
import type { NicKind } from '../src/network/nic.js';
import { DIMENSIONS, PROFILES, profileSettings, techniqueOf, type Dimension, type Technique } from '../src/profiles/profiles.js';
import type { CostPresetName } from '../src/vmm/index.js';
import { belowNativeReason } from './below-native.js';
import type { Sessions } from './cell-session.js';
import { fastestNs, runGuestSuiteInterleaved, type GuestSuiteResult } from './guest-suite.js';
import { measureInterleaved } from './interleave.js';
import { findRow, runNetSuite, type NetSuiteResult } from './net-suite.js';
import { timerCellLabel, type TimerCellSpec } from './profiles-timer-cell.js';
import { figure } from './spread.js';
import type { TimingOptions } from './timing.js';

/** The frame size of the network column (64 B: the per-frame costs, not the copy, dominate). */
export const PROFILES_FRAME_SIZE = 64;

export interface ProfileCell {
  technique: Technique;
  /** What runs (bt, virtio, posted...). */
  mechanism: string;
  /** Overhead against native: modelled cycles (null: not measurable), and host time (the rounds' median; null: lost in noise). */
  modelled: number | null;
  host: number | null;
  /** The rounds' interquartile range of the host overhead over its median (bench/spread.ts); null with one round. */
  hostSpread: number | null;
  /** Why the host overhead is below ×1, when it is (bench/below-native.ts). */
  belowNative?: string;
}

export interface ProfileRow {
  profile: string;
  row: string;
  cells: Record<Dimension, ProfileCell>;
  gap: string | null;
}

export interface ProfilesSuiteResult {
  preset: CostPresetName;
  engine: EngineName;
  /** Where each column's host time comes from: the macro and net suites of the same run, or measured for this table. */
  sources: { cpu: 'macro suite' | 'measured'; net: 'net suite' | 'measured' };
  rounds: number;
  rows: ProfileRow[];
}

export interface ProfilesSuiteOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
  sessions: Sessions;
  rounds: number;
  samples: number;
  log: (s: string) => void;
  /** The macro and net suites' results of this same invocation (--suite all): their cells are taken, not measured again. */
  macro?: GuestSuiteResult;
  net?: NetSuiteResult;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A host overhead from the rounds' ratios to native. */
interface HostFigure { host: number | null; spread: number | null; rounds: (number | null)[] }

export async function runProfilesSuite(o: ProfilesSuiteOptions): Promise<ProfilesSuiteResult> {
  const settings = PROFILES.map((p) => ({ p, s: profileSettings(p) }));

  // CPU & memory: the macro compute workload under every mode column.
  const fromMacro = o.macro?.cells.some((c) => c.workload === 'compute') === true;
  const macro = fromMacro ? o.macro! : await runGuestSuiteInterleaved('macro', {
    engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing, only: ['compute'], open: o.sessions.guest, rounds: o.rounds, samples: o.samples, log: o.log,
  });
  const compute = (col: string) => macro.cells.find((c) => c.workload === 'compute' && c.mode === col);

  // Network: each distinct (NIC, CPU column) to the wire, against the bare machine's e1000.
  const wanted = new Set(settings.map(({ p }) => `${p.net} ${p.cpu}`));
  const fromNet = o.net !== undefined && settings.every(({ p }) => findRow(o.net!.rows, 'wire', p.net, p.cpu));
  const net = fromNet ? o.net! : await runNetSuite({
    engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing, open: o.sessions.net, rounds: o.rounds, samples: o.samples, log: o.log,
    only: (s) => s.path === 'wire' && wanted.has(`${s.nic} ${s.mode}`),
  });
  const frame = (nic: NicKind, col: string) => findRow(net.rows, 'wire', nic, col)?.stream.find((x) => x.size === PROFILES_FRAME_SIZE);
  const nativeFrame = frame('emulated', 'native');

  // Interrupts & timers: each distinct mode and hw options, native first, sampled in turn.
  const timerSpec = (s: TimerCellSpec['settings']): TimerCellSpec => ({ kind: 'timer', settings: s, engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing });
  const ofProfile = (s: (typeof settings)[number]['s']) => timerSpec({ mode: s.mode, ...(s.hw ? { hw: s.hw } : {}), ...(s.define ? { define: s.define } : {}) });
  const timerSpecs = new Map<string, TimerCellSpec>([['timer native', timerSpec('native')]]);
  for (const { s } of settings) timerSpecs.set(timerCellLabel(ofProfile(s)), ofProfile(s));
  const tSpecs = [...timerSpecs.values()];
  const timers = await measureInterleaved(tSpecs, {
    rounds: o.rounds, samples: o.samples, open: o.sessions.timer,
    roundDone: (r, taken) => o.log(`profiles timer round ${r}/${o.rounds}: ` + tSpecs.map((s, k) => {
      const ns = fastestNs(taken[k]!, 1, 'cpu');
      const nat = fastestNs(taken[0]!, 1, 'cpu');
      return `${timerCellLabel(s).slice(6)}${k === 0 || ns === null || nat === null ? '' : ` ×${(ns / nat).toFixed(2)}`}`;
    }).join(', ')),
  });
  const tn = timers[0]!.info;
  const timer = new Map<string, { cycles: number | null; host: HostFigure }>();
  tSpecs.forEach((s, k) => {
    const { info, rounds } = timers[k]!;
    if (k > 0 && (info.out !== tn.out || info.code !== tn.code)) throw new Error(`${timerCellLabel(s)}: output or halt code differs from native`);
    const ratios = rounds.map((r, i) => {
      const x = fastestNs(r, info.iterations, 'cpu'), nat = fastestNs(timers[0]!.rounds[i]!, tn.iterations, 'cpu');
      return x === null || nat === null ? null : x / nat;
    });
    const f = figure(ratios);
    timer.set(timerCellLabel(s), { cycles: tn.cycles > 0 ? round(info.cycles / tn.cycles) : null, host: { host: f.value, spread: f.spread, rounds: f.rounds } });
    o.log(`profiles: ${timerCellLabel(s)}: ${round(info.cycles)} cycles and ${round(info.interrupts)} interrupts per iteration, host ×${f.value ?? '-'}`);
  });

  const rows = settings.map(({ p, s }): ProfileRow => {
    const c = compute(p.cpu);
    const f = frame(p.net, p.cpu);
    const t = timer.get(timerCellLabel(ofProfile(s)))!;
    const cell = (d: Dimension, mechanism: string, modelled: number | null, h: HostFigure): ProfileCell => {
      const x: ProfileCell = { technique: techniqueOf(p, d), mechanism, modelled, host: h.host, hostSpread: h.spread };
      // Every profile runs under a monitor: below ×1 in host time always needs its reason.
      const why = belowNativeReason({ workload: d, mode: p.name, ratioToNative: { host: h.host, hostSpread: h.spread, hostRounds: h.rounds, cycles: modelled } });
      if (why !== undefined) x.belowNative = why;
      return x;
    };
    const cpuHost: HostFigure = { host: c?.ratioToNative.host ?? null, spread: c?.ratioToNative.hostSpread ?? null, rounds: c?.ratioToNative.hostRounds ?? [] };
    const netHost: HostFigure = { host: f?.ratioToNative.host ?? null, spread: f?.ratioToNative.hostSpread ?? null, rounds: f?.ratioToNative.hostRounds ?? [] };
    return {
      profile: p.name, row: p.row, gap: p.gap ?? null,
      cells: {
        cpu: cell('cpu', p.cpu, c?.ratioToNative.cycles ?? null, cpuHost),
        net: cell('net', p.net, f && nativeFrame ? round(f.perPacket.cycles / nativeFrame.perPacket.cycles) : null, netHost),
        irq: cell('irq', p.irq === 'hardware' ? 'posted+vtimer' : p.irq, t.cycles, t.host),
      },
    };
  });
  return { preset: o.costModel, engine: o.engine, sources: { cpu: fromMacro ? 'macro suite' : 'measured', net: fromNet ? 'net suite' : 'measured' }, rounds: o.rounds, rows };
}

export { DIMENSIONS };
