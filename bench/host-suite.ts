// The host suite: N small tinyos VMs on one Host (src/host/), N = 1, 2, 8
// and 64, in each mode, each cell measured by bench/host-cell.ts (in a process
// of its own unless --no-fork: bench/fork.ts). Per cell: aggregate guest
// instructions per host second and its ratio to the same mode's one-VM cell
// (the target: 64 VMs at least 0.9 of one), world switches per second
// and their modelled cost (bench/host-cost.ts). The ratio is measured within
// each cell, against a one-VM host timed interleaved with it (host-cell.ts),
// and is the median of the rounds' ratios (the times are the fastest round's).

import type { EngineName } from '../src/engine/registry.js';
import type { CostPresetName } from '../src/vmm/index.js';
import { fastestOfRounds } from './cell.js';
import { HOST_COLUMNS, HOST_VM_COUNTS, type HostCellMeasurement, type HostCellSpec } from './host-cell.js';
import { median } from './timing.js';
import type { TimingOptions } from './timing.js';
import { figure } from './spread.js';

export interface HostRow {
  mode: string;
  vms: number;
  /** Guest instructions of one run, all VMs. */
  instructions: number;
  /** The median run, with the fastest and slowest sample, milliseconds; rme percent. */
  host: { ms: number; minMs: number; maxMs: number; rme: number; samples: number };
  /** Aggregate guest instructions per host second, millions. */
  mips: number;
  /** Aggregate MIPS over one VM's, measured in the cell against a one-VM host timed interleaved with it; the median over the rounds. */
  ratioToOne: number;
  /** Each round's ratio, in order. */
  ratioRounds: number[];
  /** Their interquartile range over their median (bench/spread.ts). */
  ratioSpread: number | null;
  /** The median time of N runs of the one-VM host in that cell, milliseconds. */
  oneVmMs: number;
  switches: number;
  switchesPerSecond: number;
  switchFlushes: number;
  preempted: number;
  yields: number;
  /** Modelled cycles of the run's world switches: per switch, in all, and their share of everything the VMs are modelled to cost. */
  cost: { preset: string; perSwitch: number; fixedPerSwitch: number; totalCycles: number; share: number; extraMonitorCycles: number; extraWalks: number };
}

export interface HostSuiteResult {
  modes: string[];
  vmCounts: number[];
  engine: EngineName;
  rows: HostRow[];
}

export interface HostSuiteOptions {
  engine: EngineName;
  costModel: CostPresetName;
  timing: TimingOptions;
  measure: (spec: HostCellSpec) => HostCellMeasurement;
  rounds: number;
  log: (s: string) => void;
}

export function runHostSuite(o: HostSuiteOptions): HostSuiteResult {
  const rows: HostRow[] = [];
  for (const col of HOST_COLUMNS) {
    const specs = HOST_VM_COUNTS.map((vms): HostCellSpec => ({ kind: 'host', mode: col.name, vms, engine: o.engine, costModel: o.costModel, timing: o.timing }));
    const ratios = new Map<number, number[]>(HOST_VM_COUNTS.map((n) => [n, []]));
    const progress = (s: HostCellSpec, m: HostCellMeasurement, r: number) => {
      ratios.get(s.vms)!.push(round(m.ratioToOne));
      if (o.rounds > 1) o.log(`host ${s.mode} x${s.vms} round ${r}/${o.rounds}: ${(m.timing.median * 1000).toFixed(2)} ms, ${mipsOf(m).toFixed(1)} MIPS, x${m.ratioToOne.toFixed(2)} one VM's`);
    };
    const measured = fastestOfRounds(specs, o.rounds, o.measure, (m) => m.timing.median, progress);
    measured.forEach((m, i) => {
      const vms = HOST_VM_COUNTS[i]!;
      const mips = mipsOf(m);
      const c = m.cost;
      const row: HostRow = {
        mode: col.name, vms, instructions: m.instructions,
        host: { ms: round(m.timing.median * 1000), minMs: round(m.timing.min * 1000), maxMs: round(m.timing.max * 1000), rme: round(m.timing.rme), samples: m.timing.samples },
        mips: round(mips), ratioToOne: round(median(ratios.get(vms)!)), ratioRounds: ratios.get(vms)!, ratioSpread: figure(ratios.get(vms)!).spread, oneVmMs: round(m.reference.median * 1000),
        switches: m.switches, switchesPerSecond: Math.round(m.switches / m.timing.median),
        switchFlushes: m.switchFlushes, preempted: m.preempted, yields: m.yields,
        cost: {
          preset: c.preset, perSwitch: round(c.perSwitch), fixedPerSwitch: c.fixedPerSwitch, totalCycles: Math.round(c.totalCycles),
          share: round(c.totalCycles / (c.aloneCycles + c.totalCycles)), extraMonitorCycles: Math.round(c.extraMonitorCycles), extraWalks: c.extraWalks,
        },
      };
      rows.push(row);
      o.log(`host ${col.name} x${vms}: ${row.host.ms.toFixed(2)} ms (${row.host.minMs.toFixed(2)}-${row.host.maxMs.toFixed(2)}, ${row.host.samples} samples), ` +
        `${mips.toFixed(1)} MIPS aggregate (x${row.ratioToOne.toFixed(2)} one VM's), ${m.switches} world switches, ${row.cost.perSwitch} cycles each (${c.preset})`);
    });
  }
  return { modes: HOST_COLUMNS.map((c) => c.name), vmCounts: [...HOST_VM_COUNTS], engine: o.engine, rows };
}

function mipsOf(m: HostCellMeasurement): number {
  return m.instructions / m.timing.median / 1e6;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
