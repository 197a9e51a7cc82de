// A cell of the benchmark suites, whichever suite it belongs to: its
// description (plain data, so that it can be handed to a child process as
// JSON), its label in progress lines and errors, and how to measure it here.

import { engineCellLabel, measureEngineCell, type EngineCellMeasurement, type EngineCellSpec } from './engine-cell.js';
import { guestCellLabel, measureGuestCell, type GuestCellMeasurement, type GuestCellSpec } from './guest-cell.js';
import { hostCellLabel, measureHostCell, type HostCellMeasurement, type HostCellSpec } from './host-cell.js';
import { measureNetCell, netCellLabel, type NetCellMeasurement, type NetCellSpec } from './net-cell.js';

export type CellSpec = GuestCellSpec | EngineCellSpec | HostCellSpec | NetCellSpec;
export type CellMeasurement = GuestCellMeasurement | EngineCellMeasurement | HostCellMeasurement | NetCellMeasurement;

/** How the suites measure their cells: in this process, or each in a fresh one (bench/fork.ts). */
export interface Measurer {
  guest(spec: GuestCellSpec): GuestCellMeasurement;
  engine(spec: EngineCellSpec): EngineCellMeasurement;
  host(spec: HostCellSpec): HostCellMeasurement;
  net(spec: NetCellSpec): NetCellMeasurement;
}

export const IN_PROCESS: Measurer = { guest: measureGuestCell, engine: measureEngineCell, host: measureHostCell, net: measureNetCell };

export function cellLabel(spec: CellSpec): string {
  return spec.kind === 'guest' ? guestCellLabel(spec) : spec.kind === 'host' ? hostCellLabel(spec) : spec.kind === 'net' ? netCellLabel(spec) : engineCellLabel(spec);
}

/** Measures a cell described by untrusted data (the child process's argument). */
export function measureCell(spec: unknown): CellMeasurement {
  if (typeof spec !== 'object' || spec === null) throw new Error('a cell description must be a JSON object');
  const kind = (spec as { kind?: unknown }).kind;
  if (kind === 'guest') return measureGuestCell(spec as GuestCellSpec);
  if (kind === 'engine') return measureEngineCell(spec as EngineCellSpec);
  if (kind === 'host') return measureHostCell(spec as HostCellSpec);
  if (kind === 'net') return measureNetCell(spec as NetCellSpec);
  throw new Error(`unknown cell kind ${JSON.stringify(kind)} (guest, engine, host or net)`);
}

/**
 * Measures every cell of a group (one workload's cells) `rounds` times, round
 * after round, and keeps each cell's fastest measurement (by `time`); `done`
 * hears of each measurement. Several rounds, because the host is shared: where
 * a process runs, and how fast that core is at the moment, are not ours to
 * choose (on the machine of the README's figures cpu0, which takes the host's
 * interrupts, runs guest code 40% slower than cpu1). Interleaved rounds, not
 * one cell's measurements back to back, so that a slow spell of the host
 * costs every cell one round rather than one cell all of them. Pinning every
 * process to one core is no cure: V8's compiler and GC threads then compete
 * with the guest's.
 */
export function fastestOfRounds<S, M>(specs: readonly S[], rounds: number, measure: (s: S) => M, time: (m: M) => number, done?: (s: S, m: M, round: number) => void): M[] {
  return measureRounds(specs, rounds, measure, done).map((ms) => ms.reduce((best, m) => (time(m) < time(best) ? m : best)));
}

/** Every cell of a group measured once per round, interleaved as fastestOfRounds does; all[k][r] is cell k's measurement in round r. */
export function measureRounds<S, M>(specs: readonly S[], rounds: number, measure: (s: S) => M, done?: (s: S, m: M, round: number) => void): M[][] {
  const all: M[][] = specs.map(() => []);
  for (let r = 1; r <= rounds; r++) {
    specs.forEach((s, i) => {
      const m = measure(s);
      done?.(s, m, r);
      all[i]!.push(m);
    });
  }
  return all;
}
