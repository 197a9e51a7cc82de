// The two small interfaces every device implements (after rust-vmm vm-device):
// a BusDevice answers accesses to a registered range; a MachineDevice has state
// the machine resets, snapshots and, for time-driven devices, ticks.

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

/** What a device may ask of the machine. */
export interface DeviceContext {
  /** The machine clock: instructions retired + idle ticks (never the wall clock). */
  clock(): number;
  /** Drive interrupt line `line` (level-triggered). */
  setIrq(line: number, level: boolean): void;
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
