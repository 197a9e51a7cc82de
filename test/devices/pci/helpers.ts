// A small PCI function for the bus tests: a ConfigSpace, BAR0 of registers
// (with an MSI-X table and PBA in it when asked), and hooks to raise vectors
// and to try DMA through the context the bus gave it.

import { ConfigSpace } from '../../../src/devices/pci/config-space.js';
import type { PciFunction, PciFunctionContext, PciFunctionFactory } from '../../../src/devices/pci/function.js';
import { Msix } from '../../../src/devices/pci/msix.js';
import type { AccessSize, BusDevice } from '../../../src/machine/device.js';
import { Machine } from '../../../src/machine/index.js';
import { standardBoard } from '../../../src/machine/board.js';
import { PciBus, pciBoardDevice, type PciSlot } from '../../../src/devices/pci/bus.js';

export interface ProbeOptions {
  deviceId?: number;
  bars?: number[];
  msix?: boolean;
  vendorCap?: boolean;
  extCap?: boolean;
}

export class ProbeFunction implements PciFunction {
  readonly config: ConfigSpace;
  readonly regs = new Uint32Array(64);
  readonly msix: Msix | undefined;
  /** BAR0 accesses, as a device model counts its register accesses. */
  barAccesses = 0;
  readonly notified: number[] = [];
  private readonly bar0: BusDevice;

  constructor(readonly name: string, readonly ctx: PciFunctionContext, o: ProbeOptions = {}) {
    this.config = new ConfigSpace({ vendorId: 0x1234, deviceId: o.deviceId ?? 0x5678, classCode: 0x020000, revision: 2, bars: o.bars ?? [0x1000] });
    this.msix = o.msix ? new Msix(this.config, { vectors: 4, bar: 0, tableOffset: 0x800, pbaOffset: 0xc00 }, ctx) : undefined;
    if (o.vendorCap) this.config.addVendorCapability([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0]);
    if (o.extCap) this.config.addExtendedCapability(0x10, 1, 0x40);
    this.bar0 = {
      read: (off: number, size: AccessSize) => (this.barAccesses++, this.msix?.covers(off) ? this.msix.read(off, size) : this.regs[off >>> 2] ?? 0),
      write: (off: number, size: AccessSize, v: number) => {
        this.barAccesses++;
        if (this.msix?.covers(off)) this.msix.write(off, size, v);
        else if (off >>> 2 < this.regs.length) this.regs[off >>> 2] = v;
      },
    };
  }

  bar(n: number): BusDevice | undefined { return n === 0 ? this.bar0 : undefined; }
  raise(vector: number, level: boolean): void { if (this.msix) this.msix.raise(vector, level); else this.ctx.irq(vector, level); }
  reset(): void { this.regs.fill(0); this.msix?.reset(); }
  /** Queues 0 and 1 exist. */
  notify(queue: number): boolean {
    if (queue > 1) return false;
    this.notified.push(queue);
    return true;
  }
  save(): unknown { return { regs: Array.from(this.regs), msix: this.msix?.save() }; }
  restore(s: unknown): void {
    const st = s as { regs: number[]; msix: unknown };
    this.regs.set(st.regs);
    if (this.msix) this.msix.restore(st.msix);
  }
}

/** A machine with the standard board and a PCI bus of the given probes (by name → slot). */
export function pciMachine(slots: { device: number; function?: number; name: string; options?: ProbeOptions }[], memorySize = 1 << 20) {
  const probes = new Map<string, ProbeFunction>();
  const pciSlots: PciSlot[] = slots.map((s) => ({
    device: s.device,
    function: s.function,
    make: ((ctx) => {
      const p = new ProbeFunction(s.name, ctx, s.options);
      probes.set(s.name, p);
      return p;
    }) as PciFunctionFactory,
  }));
  const machine = new Machine({ memorySize, devices: [...standardBoard(), pciBoardDevice(pciSlots)] });
  const bus = machine.devices.find((d) => d.name === 'pci') as PciBus;
  const probe = (name: string) => probes.get(name)!;
  return { machine, bus, probe };
}

/** CONFIG_ADDRESS for bus 0 (register bits 11..8 in bits 27..24). */
export function cfgAddr(device: number, func: number, offset: number, bus = 0): number {
  return (0x8000_0000 | (((offset >>> 8) & 0xf) << 24) | (bus << 16) | (device << 11) | (func << 8) | (offset & 0xfc)) >>> 0;
}

/** Configuration read/write through ports 0xCF8/0xCFC, as a guest does. */
export function cfgRead(m: Machine, device: number, func: number, offset: number): number {
  m.portWrite(0xcf8, cfgAddr(device, func, offset));
  return m.portRead(0xcfc) >>> 0;
}

export function cfgWrite(m: Machine, device: number, func: number, offset: number, value: number): void {
  m.portWrite(0xcf8, cfgAddr(device, func, offset));
  m.portWrite(0xcfc, value);
}
