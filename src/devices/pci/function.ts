// What a PCI function is to the PCI bus (src/devices/pci/bus.ts), and what the
// bus gives each function. A NIC model (e1000, virtio-net, later an SR-IOV PF
// and its VFs) implements PciFunction; the bus routes configuration cycles
// (ports 0xCF8/0xCFC) to its config space and memory cycles in the PCI window
// to the BAR they fall in, and turns its interrupt signals into lines.

import type { AccessSize, BusDevice } from '../../machine/device.js';
import type { Dma } from '../../machine/dma.js';

/** What the PCI bus gives a function. */
export interface PciFunctionContext {
  /** The clock of whoever owns the bus: the machine's, or the guest's for a virtual platform. */
  clock(): number;
  /** The function's DMA: refused while its command register has bus mastering off. */
  readonly dma: Dma;
  /**
   * Drive interrupt `vector` (an MSI-X table entry) at `level`. With MSI-X
   * enabled the entry's message data names the line; otherwise every vector is
   * the function's INTx line (config 0x3C). Levels are ORed per line across functions.
   */
  irq(vector: number, level: boolean): void;
}

/** A function's configuration space, as the bus and its function see it (config-space.ts). */
export interface PciConfig {
  /** A configuration read/write at `offset` (0..4095), size 1, 2 or 4, aligned. */
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  /** The address BAR n decodes at, or undefined while it is unassigned or memory decoding is off. */
  barAddress(n: number): number | undefined;
  /** The size of BAR n in bytes (a power of two), or 0 if the function has no BAR n. */
  barSize(n: number): number;
}

export interface PciFunction {
  /** Unique on a board: device state is saved under it. */
  readonly name: string;
  readonly config: PciConfig;
  /** The handler of BAR n's memory range (offsets relative to the BAR's base), or undefined. */
  bar(n: number): BusDevice | undefined;
  /** Power-on reset of the function's own state (the bus resets a ConfigSpace config itself, then re-runs firmware). */
  reset(): void;
  /** The function's own state (the bus saves and restores its configuration bytes and raised vectors). */
  save(): unknown;
  restore(state: unknown): void;
  /** A queue notification by other means than its doorbell (the pv `net_notify` hypercall); false: no such queue. */
  notify?(queue: number): boolean;
  /** Clock value at which tick() must next run, or Infinity (devices with timers). */
  nextDeadline?(): number;
  tick?(clock: number): void;
}

/** Builds one function on the context its bus gives it. */
export type PciFunctionFactory = (ctx: PciFunctionContext) => PciFunction;

/** What holds PCI functions on a board (the PCI bus): reaches one by its routing ID, bus<<8 | device<<3 | function. */
export interface PciFunctionHost {
  /** Pass a queue notification to the function at `routingId`; false if there is none or it has no such queue. */
  notifyFunction(routingId: number, queue: number): boolean;
}

export function isPciFunctionHost(d: object): d is PciFunctionHost {
  return typeof (d as Partial<PciFunctionHost>).notifyFunction === 'function';
}
