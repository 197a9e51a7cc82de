// A cell of the benchmark suites, whichever suite it belongs to: its
// description (plain data, so that it can be handed to a child process as
// JSON), its label in progress lines and errors, and how to measure it here.

import { engineCellLabel, measureEngineCell, type EngineCellMeasurement, type EngineCellSpec } from './engine-cell.js';
import { guestCellLabel, measureGuestCell, type GuestCellMeasurement, type GuestCellSpec } from './guest-cell.js';

export type CellSpec = GuestCellSpec | EngineCellSpec;
export type CellMeasurement = GuestCellMeasurement | EngineCellMeasurement;

/** How the suites measure their cells: in this process, or each in a fresh one (bench/fork.ts). */
export interface Measurer {
  guest(spec: GuestCellSpec): GuestCellMeasurement;
  engine(spec: EngineCellSpec): EngineCellMeasurement;
}

export const IN_PROCESS: Measurer = { guest: measureGuestCell, engine: measureEngineCell };

export function cellLabel(spec: CellSpec): string {
  return spec.kind === 'guest' ? guestCellLabel(spec) : engineCellLabel(spec);
}

/** Measures a cell described by untrusted data (the child process's argument). */
export function measureCell(spec: unknown): CellMeasurement {
  if (typeof spec !== 'object' || spec === null) throw new Error('a cell description must be a JSON object');
  const kind = (spec as { kind?: unknown }).kind;
  if (kind === 'guest') return measureGuestCell(spec as GuestCellSpec);
  if (kind === 'engine') return measureEngineCell(spec as EngineCellSpec);
  throw new Error(`unknown cell kind ${JSON.stringify(kind)} (guest or engine)`);
}
