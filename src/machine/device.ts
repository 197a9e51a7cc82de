// The two small interfaces every device implements (after rust-vmm vm-device):
// a BusDevice answers accesses to a registered range; a MachineDevice has state
// the machine resets, snapshots and, for time-driven devices, ticks.

export type AccessSize = 1 | 2 | 4;

/** Answers port or MMIO accesses; `offset` is relative to the registered base. */
export interface BusDevice {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
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
