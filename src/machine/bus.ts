// The bus (rust-vmm IoManager style): devices register port ranges and MMIO
// physical ranges; overlapping registrations are refused; an access is routed
// by range. Counting and trace events are the machine's job, not the bus's.

import type { BusDevice } from './device.js';

export const PORT_SPACE = 0x10000;

export class BusError extends Error {
  override readonly name = 'BusError';
}

export interface BusRange {
  space: 'pio' | 'mmio';
  base: number;
  length: number;
  name: string;
  device: BusDevice;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

function describe(r: BusRange): string {
  return `${r.space === 'pio' ? 'ports' : 'MMIO'} ${hex(r.base)}-${hex(r.base + r.length - 1)} (${r.name})`;
}

export class Bus {
  /** Per port: 1 + index into `byIndex`, or 0 for unmapped (a typed array: allocating it is cheap). */
  private readonly ports = new Uint16Array(PORT_SPACE);
  private readonly byIndex: BusRange[] = [];
  private readonly pio: BusRange[] = [];
  private readonly mmio: BusRange[] = [];

  /** `ramSize`: MMIO ranges must lie above RAM. */
  constructor(readonly ramSize: number) {}

  registerPio(base: number, length: number, name: string, device: BusDevice): void {
    const r: BusRange = { space: 'pio', base, length, name, device };
    if (!Number.isInteger(base) || !Number.isInteger(length) || length < 1 || base < 0 || base + length > PORT_SPACE) {
      throw new BusError(`${describe(r)} is not inside the port space 0x0-0xffff`);
    }
    const clash = this.pio.find((o) => base < o.base + o.length && o.base < base + length);
    if (clash) throw new BusError(`${describe(r)} overlaps ${describe(clash)}`);
    this.pio.push(r);
    this.pio.sort((a, b) => a.base - b.base);
    this.byIndex.push(r);
    this.ports.fill(this.byIndex.length, base, base + length);
  }

  registerMmio(base: number, length: number, name: string, device: BusDevice): void {
    const r: BusRange = { space: 'mmio', base, length, name, device };
    if (!Number.isInteger(base) || !Number.isInteger(length) || length < 1 || base + length > 0x1_0000_0000) {
      throw new BusError(`${describe(r)} is not inside the 32-bit physical address space`);
    }
    if (base < this.ramSize) throw new BusError(`${describe(r)} overlaps RAM 0x0-${hex(this.ramSize - 1)}`);
    const clash = this.mmio.find((o) => base < o.base + o.length && o.base < base + length);
    if (clash) throw new BusError(`${describe(r)} overlaps ${describe(clash)}`);
    this.mmio.push(r);
    this.mmio.sort((a, b) => a.base - b.base);
  }

  /** The range holding `port` (0..0xffff), if any. */
  pioAt(port: number): BusRange | undefined {
    const i = this.ports[port]!;
    return i === 0 ? undefined : this.byIndex[i - 1];
  }

  /** The range holding physical address `paddr` (unsigned), if any. */
  mmioAt(paddr: number): BusRange | undefined {
    for (const r of this.mmio) {
      if (paddr < r.base) return undefined;
      if (paddr < r.base + r.length) return r;
    }
    return undefined;
  }

  /** Every registration, ports first, each sorted by base. */
  ranges(): readonly BusRange[] {
    return [...this.pio, ...this.mmio];
  }
}
