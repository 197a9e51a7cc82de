// The small interfaces every device implements (after rust-vmm vm-device):
// a BusDevice answers accesses to a registered range; a MachineDevice has state
// the machine resets, snapshots and, for time-driven devices, ticks; a
// BoardDevice is a MachineDevice that says which bus ranges it answers, so a
// machine (or a monitor's virtual platform) is built from a list of them.

import type { Dma } from './dma.js';

export type AccessSize = 1 | 2 | 4;

/** Answers port or MMIO accesses; `offset` is relative to the registered base. */
export interface BusDevice {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
}

/**
 * The two bus views of a device with word registers: one register per port,
 * and one register per 4 bytes of MMIO (accesses that are not at a register's
 * first byte read 0 and write nothing).
 */
export function registerViews(
  readReg: (reg: number) => number,
  writeReg: (reg: number, value: number) => void,
): { pio: BusDevice; mmio: BusDevice } {
  return {
    pio: { read: (offset) => readReg(offset), write: (offset, _size, value) => writeReg(offset, value) },
    mmio: {
      read: (offset) => ((offset & 3) === 0 ? readReg(offset >>> 2) : 0),
      write: (offset, _size, value) => { if ((offset & 3) === 0) writeReg(offset >>> 2, value); },
    },
  };
}

/** What a device may ask of the machine (or of the monitor, for a virtual device). */
export interface DeviceContext {
  /** The machine clock: instructions retired + idle ticks (never the wall clock). */
  clock(): number;
  /** Drive interrupt line `line` (level-triggered). */
  setIrq(line: number, level: boolean): void;
  /** The memory the device may reach as a bus master (dma.ts). */
  readonly dma: Dma;
}

export interface MachineDevice {
  readonly name: string;
  reset(): void;
  /** A plain copy of the device state, for captureState(). */
  save(): unknown;
  restore(state: unknown): void;
  /** Clock value at which tick() must next run, or Infinity. */
  nextDeadline?(): number;
  tick?(clock: number): void;
  /** Push buffered output out (end of a run). */
  flush?(): void;
}

/** One range a board device answers: ports, or physical (guest-physical, on a virtual platform) MMIO. */
export interface BusMapping {
  readonly space: 'pio' | 'mmio';
  readonly base: number;
  readonly length: number;
  readonly device: BusDevice;
}

/** A device of a board: its state, and the bus ranges it answers (registered by whoever builds the board). */
export interface BoardDevice extends MachineDevice {
  readonly mappings: readonly BusMapping[];
}

/** Builds one device of a board on a context (the machine's, or a monitor's virtual one). */
export type DeviceFactory = (ctx: DeviceContext) => BoardDevice;
