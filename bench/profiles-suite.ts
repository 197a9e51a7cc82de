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
// chart) and in host time. Cells that several profiles share are measured once.

import type { EngineName } from '../src/engine/registry.js';
import type { NicKind } from '../src/network/nic.js';
import { DIMENSIONS, PROFILES, profileSettings, techniqueOf, type Dimension, type Technique } from '../src/profiles/profiles.js';
import type { CostPresetName } from '../src/vmm/index.js';
import { fastestOfRounds, type Measurer } from './cell.js';
import { runGuestSuite } from './guest-suite.js';
import { netCellLabel, type NetCellSpec } from './net-cell.js';
import { MODELLED_CLOCK_HZ } from './net-workloads.js';
import { measureTimerCell, timerCellLabel, type TimerCellMeasurement, type TimerCellSpec } from './profiles-timer-cell.js';
import type { TimingOptions } from './timing.js';

/** The frame size of the network column (64 B: the per-frame costs, not the copy, dominate). */
export const PROFILES_FRAME_SIZE = 64;

export interface ProfileCell {
  technique: Technique;
  /** What runs (bt, virtio, posted...). */
  mechanism: string;
  /** Overhead against native: modelled cycles (null: not measurable), and host time (null: lost in noise). */
  modelled: number | null;
  host: number | null;
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
  rows: ProfileRow[];
}

export interface ProfilesSuiteOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  timing: TimingOptions;
  measure: Pick<Measurer, 'guest' | 'net'>;
  rounds: number;
  log: (s: string) => void;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const over = (x: number | null | undefined, native: number | null | undefined) => (x == null || !native ? null : round(x / native));

export function runProfilesSuite(o: ProfilesSuiteOptions): ProfilesSuiteResult {
  const settings = PROFILES.map((p) => ({ p, s: profileSettings(p) }));

  // CPU & memory: the macro compute workload under every mode column.
  const macro = runGuestSuite('macro', { engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing, only: ['compute'], measure: o.measure.guest, rounds: o.rounds, log: o.log });
  const compute = (col: string) => macro.cells.find((c) => c.mode === col);

  // Network: each distinct (NIC, CPU column), and the bare machine's e1000.
  const netKey = (nic: NicKind, col: string) => `${nic} ${col}`;
  const netSpecs = new Map<string, NetCellSpec>();
  const netSpec = (nic: NicKind, col: string): NetCellSpec => ({ kind: 'net', path: 'wire', nic, mode: col, engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing });
  netSpecs.set(netKey('emulated', 'native'), netSpec('emulated', 'native'));
  for (const { p } of settings) netSpecs.set(netKey(p.net, p.cpu), netSpec(p.net, p.cpu));
  const specs = [...netSpecs.values()];
  const at = (m: ReturnType<Measurer['net']>) => m.stream.find((x) => x.size === PROFILES_FRAME_SIZE)!;
  const nets = fastestOfRounds(specs, o.rounds, o.measure.net, (m) => at(m).host.median);
  const fps = new Map<string, { modelled: number; host: number }>();
  specs.forEach((s, i) => {
    const x = at(nets[i]!);
    const f = { modelled: MODELLED_CLOCK_HZ[o.costModel] / x.perPacket.cycles, host: 1e9 / x.host.median };
    fps.set(netKey(s.nic, s.mode), f);
    o.log(`profiles: ${netCellLabel(s)}: ${PROFILES_FRAME_SIZE} B ${(f.modelled / 1e6).toFixed(3)} M frames/s modelled, ${(f.host / 1e3).toFixed(1)} k frames/s host`);
  });

  // Interrupts & timers: each distinct mode and hw options, and native.
  const timerSpecs = new Map<string, TimerCellSpec>();
  const timerSpec = (s: TimerCellSpec['settings']): TimerCellSpec => ({ settings: s, engine: o.engine, costModel: o.costModel, quick: o.quick, timing: o.timing });
  timerSpecs.set('native', timerSpec('native'));
  for (const { s } of settings) {
    const spec = timerSpec({ mode: s.mode, ...(s.hw ? { hw: s.hw } : {}), ...(s.define ? { define: s.define } : {}) });
    timerSpecs.set(timerCellLabel(spec), spec);
  }
  const tSpecs = [...timerSpecs.values()];
  const timers = fastestOfRounds(tSpecs, o.rounds, measureTimerCell, (m) => m.hostNs ?? Infinity);
  const timer = new Map<string, TimerCellMeasurement>();
  tSpecs.forEach((s, i) => {
    const m = timers[i]!;
    if (timer.size && (m.out !== timer.get('timer native')!.out || m.code !== timer.get('timer native')!.code)) throw new Error(`${timerCellLabel(s)}: output or halt code differs from native`);
    timer.set(timerCellLabel(s), m);
    o.log(`profiles: ${timerCellLabel(s)}: ${round(m.cycles)} cycles and ${round(m.interrupts)} interrupts per iteration`);
  });
  const tn = timer.get('timer native')!;

  const rows = settings.map(({ p, s }): ProfileRow => {
    const c = compute(p.cpu);
    const f = fps.get(netKey(p.net, p.cpu));
    const fn = fps.get(netKey('emulated', 'native'));
    const t = timer.get(timerCellLabel(timerSpec({ mode: s.mode, ...(s.hw ? { hw: s.hw } : {}), ...(s.define ? { define: s.define } : {}) })))!;
    const cell = (d: Dimension, mechanism: string, modelled: number | null, host: number | null): ProfileCell => ({ technique: techniqueOf(p, d), mechanism, modelled, host });
    return {
      profile: p.name, row: p.row, gap: p.gap ?? null,
      cells: {
        cpu: cell('cpu', p.cpu, c?.ratioToNative.cycles ?? null, c?.ratioToNative.host ?? null),
        net: cell('net', p.net, over(fn?.modelled, f?.modelled), over(fn?.host, f?.host)),
        irq: cell('irq', p.irq === 'hardware' ? 'posted+vtimer' : p.irq, over(t.cycles, tn.cycles), over(t.hostNs, tn.hostNs)),
      },
    };
  });
  return { preset: o.costModel, engine: o.engine, rows };
}

export { DIMENSIONS };
