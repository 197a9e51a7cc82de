// The PCI bus (docs/nics.md "PCI configuration space"): a board device named
// 'pci' holding functions at bus 0, devices 0..31, functions 0..7. It answers
// configuration mechanism #1 on ports 0xCF8/0xCFC and the whole PCI memory
// window 0xE0000000-0xEFFFFFFF, routing each memory cycle to the function whose
// enabled BAR covers it; it gives each function a context (the clock, DMA gated
// by the bus-master bit, interrupt vectors) and turns the functions' vectors
// into interrupt lines: INTx (config 0x3C) or MSI-X, levels ORed per line.
// Functions may be added and removed at run time (SR-IOV enables VFs so).

import { IRQ } from '../../isa/index.js';
import type { AccessSize, BoardDevice, BusDevice, BusMapping, DeviceContext, DeviceFactory } from '../../machine/device.js';
import type { Dma } from '../../machine/dma.js';
import { reachable, readInto } from '../dma-into.js';
import { BAR_COUNT, COMMAND, ConfigSpace, HEADER_MULTI_FUNCTION, PCI } from './config-space.js';
import { assignResources, PCI_WINDOW } from './firmware.js';
import type { PciFunction, PciFunctionContext, PciFunctionFactory, PciFunctionHost } from './function.js';
import { PCI_CONFIG_ADDRESS } from './ports.js';
import { findMsix, msixRoute, type MsixLocation } from './msix.js';

export const PCI_WINDOW_BASE = PCI_WINDOW.base;
export const PCI_WINDOW_SIZE = PCI_WINDOW.end - PCI_WINDOW.base;
export const PCI_DEVICES = 32;
export const PCI_FUNCTIONS = 8;
export const CONFIG_ADDRESS_ENABLE = 0x8000_0000;

/**
 * The context a PciBus gives its functions: a PciFunctionContext that also
 * says the function's routing ID and its bus, so that an SR-IOV PF can put
 * its VFs on the bus next to it (see pciBusContext).
 */
export interface PciBusFunctionContext extends PciFunctionContext {
  readonly routingId: number;
  readonly bus: PciBus;
}

/** The bus and routing ID behind a function's context, when a PciBus gave it. */
export function pciBusContext(ctx: PciFunctionContext): PciBusFunctionContext | undefined {
  const c = ctx as Partial<PciBusFunctionContext>;
  return typeof c.routingId === 'number' && c.bus instanceof PciBus ? (ctx as PciBusFunctionContext) : undefined;
}

/** Where a function sits on bus 0, and how to build it. */
export interface PciSlot {
  device: number;
  /** Default 0. */
  function?: number;
  make: PciFunctionFactory;
}

/** A function on the bus, with its place. */
export interface PciAttached {
  readonly device: number;
  readonly function: number;
  readonly fn: PciFunction;
}

interface Attached extends PciAttached {
  /** Vectors the function drives high. */
  readonly high: Set<number>;
  /** Where its MSI-X table is (found once, from its capability list). */
  readonly msix: MsixLocation | undefined;
}

interface SavedFunction {
  device: number;
  function: number;
  name: string;
  config: Uint8Array;
  high: number[];
  state: unknown;
}

export interface PciBusState {
  address: number;
  functions: SavedFunction[];
}

/** CONFIG_ADDRESS as device, function and register (bits 27..24: register bits 11..8), or undefined (disabled, or a bus other than 0). */
export function decodeConfigAddress(address: number): { device: number; function: number; offset: number } | undefined {
  const a = address >>> 0;
  if ((a & CONFIG_ADDRESS_ENABLE) === 0 || ((a >>> 16) & 0xff) !== 0) return undefined;
  return { device: (a >>> 11) & 0x1f, function: (a >>> 8) & 7, offset: (a & 0xfc) | (((a >>> 24) & 0xf) << 8) };
}

function allOnes(size: AccessSize): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

export class PciBus implements BoardDevice, PciFunctionHost {
  readonly name = 'pci';
  readonly mappings: readonly BusMapping[];
  private address = 0;
  private readonly slots: Attached[] = [];
  /** Lines this bus drives high now (bit n = line n). */
  private lines = 0;
  /**
   * Where each function's DMA goes, by its routing ID (bus << 8 | device << 3 |
   * function): an IOMMU's domain for that requester. Unset, or undefined for a
   * requester: the board's DMA (all of RAM natively, the VM's memory virtually).
   */
  iommu: ((routingId: number) => Dma | undefined) | undefined;
  /** The BAR the last memory cycle went to; forgotten whenever BARs may have changed (decode()). */
  private hit: { slot: Attached; bar: number; base: number; size: number; device: BusDevice } | undefined;

  constructor(private readonly ctx: DeviceContext, slots: readonly PciSlot[] = []) {
    const ports: BusDevice = { read: (o) => this.portRead(o), write: (o, _s, v) => this.portWrite(o, v) };
    const window: BusDevice = {
      read: (o, size) => this.mmioRead(PCI_WINDOW_BASE + o, size),
      write: (o, size, v) => this.mmioWrite(PCI_WINDOW_BASE + o, size, v),
    };
    this.mappings = [
      { space: 'pio', base: PCI_CONFIG_ADDRESS, length: 8, device: ports },
      { space: 'mmio', base: PCI_WINDOW_BASE, length: PCI_WINDOW_SIZE, device: window },
    ];
    for (const s of slots) this.add(s);
  }

  // --- the functions ----------------------------------------------------------

  /** Build a function in a free slot. It gets no resources until firmware runs (reset) or someone programs it. */
  add(slot: PciSlot): PciFunction {
    const device = slot.device;
    const func = slot.function ?? 0;
    if (!Number.isInteger(device) || device < 0 || device >= PCI_DEVICES) throw new RangeError(`pci: no device ${device} on bus 0 (0..31)`);
    if (!Number.isInteger(func) || func < 0 || func >= PCI_FUNCTIONS) throw new RangeError(`pci: no function ${func} (0..7)`);
    if (this.at(device, func)) throw new Error(`pci: ${slotName(device, func)} is taken`);
    const high = new Set<number>();
    let entry: Attached | undefined;
    const fn = slot.make(this.functionContext(() => entry, high, (device << 3) | func));
    if (this.slots.some((s) => s.fn.name === fn.name)) throw new Error(`pci: two functions named '${fn.name}'`);
    entry = { device, function: func, fn, high, msix: findMsix(fn.config) };
    this.hit = undefined;
    this.slots.push(entry);
    this.slots.sort((a, b) => a.device - b.device || a.function - b.function);
    this.markMultiFunction(device);
    return fn;
  }

  /** Take a function off the bus (its interrupts drop). */
  remove(device: number, func = 0): void {
    const i = this.slots.findIndex((s) => s.device === device && s.function === func);
    if (i < 0) return;
    this.hit = undefined;
    this.slots.splice(i, 1);
    this.markMultiFunction(device);
    this.updateLines();
  }

  at(device: number, func = 0): PciFunction | undefined {
    return this.slots.find((s) => s.device === device && s.function === func)?.fn;
  }

  /** Every function, in device and function order. */
  functions(): readonly PciAttached[] {
    return this.slots.map(({ device, function: f, fn }) => ({ device, function: f, fn }));
  }

  // --- configuration cycles ---------------------------------------------------

  /** A configuration read of bus 0 (all ones for an absent function or a bad offset). */
  configRead(device: number, func: number, offset: number, size: AccessSize = 4): number {
    const s = this.slots.find((e) => e.device === device && e.function === func);
    if (!s || offset < 0 || offset + size > 4096 || offset % size !== 0) return allOnes(size);
    return s.fn.config.read(offset, size) >>> 0;
  }

  configWrite(device: number, func: number, offset: number, size: AccessSize, value: number): void {
    const s = this.slots.find((e) => e.device === device && e.function === func);
    if (!s || offset < 0 || offset + size > 4096 || offset % size !== 0) return;
    this.hit = undefined;
    s.fn.config.write(offset, size, value >>> 0);
    this.updateLines();
  }

  /** The dword at a CONFIG_ADDRESS-format address (what `pci_config_read` hypercalls take). */
  readConfigAddress(address: number): number {
    const d = decodeConfigAddress(address);
    return d ? this.configRead(d.device, d.function, d.offset, 4) : 0xffffffff;
  }

  writeConfigAddress(address: number, value: number): void {
    const d = decodeConfigAddress(address);
    if (d) this.configWrite(d.device, d.function, d.offset, 4, value);
  }

  private portRead(offset: number): number {
    if (offset === 0) return this.address;
    if (offset === 4) return this.readConfigAddress(this.address);
    return 0xffffffff;
  }

  private portWrite(offset: number, value: number): void {
    if (offset === 0) this.address = value >>> 0;
    else if (offset === 4) this.writeConfigAddress(this.address, value);
  }

  /** A queue notification by routing ID (bus << 8 | device << 3 | function): the pv `net_notify` hypercall. */
  notifyFunction(routingId: number, queue: number): boolean {
    if (!Number.isInteger(routingId) || routingId < 0 || routingId > 0xff) return false; // bus 0 only
    const s = this.slots.find((e) => e.device === routingId >>> 3 && e.function === (routingId & 7));
    return s?.fn.notify ? s.fn.notify(queue) : false;
  }

  // --- memory cycles ----------------------------------------------------------

  /**
   * The function and BAR decoding physical address `paddr`, with the offset
   * into the BAR; where BARs overlap, the first in device/function/BAR order.
   * The last BAR hit is tried first (a driver's accesses go to one BAR in a
   * row; with many functions, SR-IOV's VFs, the walk would cost every access).
   */
  decode(paddr: number): { slot: PciAttached; bar: number; offset: number; device: BusDevice } | undefined {
    const h = this.hit;
    if (h !== undefined) {
      const off = paddr - h.base;
      if (off >= 0 && off < h.size && h.slot.fn.config.barAddress(h.bar) === h.base) return { slot: h.slot, bar: h.bar, offset: off, device: h.device };
    }
    for (const s of this.slots) {
      const config = s.fn.config;
      for (let n = 0; n < BAR_COUNT; n++) {
        const base = config.barAddress(n);
        if (base === undefined) continue;
        const off = paddr - base;
        const size = config.barSize(n);
        if (off >= 0 && off < size) {
          const device = s.fn.bar(n);
          if (!device) continue;
          this.hit = { slot: s, bar: n, base, size, device };
          return { slot: s, bar: n, offset: off, device };
        }
      }
    }
    return undefined;
  }

  private mmioRead(paddr: number, size: AccessSize): number {
    const d = this.decode(paddr);
    return d ? d.device.read(d.offset, size) : allOnes(size);
  }

  private mmioWrite(paddr: number, size: AccessSize, value: number): void {
    const d = this.decode(paddr);
    if (!d) return;
    d.device.write(d.offset, size, value);
    // A write may have unmasked an MSI-X vector or changed its message.
    if ((d.slot as Attached).msix) this.updateLines();
  }

  // --- what each function gets -----------------------------------------------

  private functionContext(entry: () => Attached | undefined, high: Set<number>, routingId: number): PciBusFunctionContext {
    const machineDma = this.ctx.dma;
    const target = (): Dma => this.iommu?.(routingId) ?? machineDma;
    // Bus mastering off: the function's DMA is refused (a device error for the function to report).
    const gated = (): boolean => {
      const e = entry();
      return e !== undefined && (e.fn.config.read(PCI.COMMAND, 2) & COMMAND.BUS_MASTER) !== 0;
    };
    // reaches and readInto: what the NIC models ask per frame, answered without a copy (src/devices/dma-into.ts).
    const dma: Dma & { reaches: (addr: number, length: number) => boolean; readInto: (addr: number, out: Uint8Array) => boolean } = {
      read: (addr, length) => (gated() ? target().read(addr, length) : undefined),
      reaches: (addr, length) => gated() && reachable(target(), addr, length),
      readInto: (addr, out) => gated() && readInto(target(), addr, out),
      write: (addr, bytes) => gated() && target().write(addr, bytes),
    };
    return {
      routingId,
      bus: this,
      clock: () => this.ctx.clock(),
      dma,
      irq: (vector, level) => {
        const had = high.has(vector);
        if (had === level) return;
        if (level) high.add(vector);
        else high.delete(vector);
        // A function that signals while being built (from its constructor) is not on the bus yet.
        if (entry() !== undefined) this.updateLines();
      },
    };
  }

  /** Recompute every line from every function's vectors, and drive the ones that changed. */
  private updateLines(): void {
    let lines = 0;
    for (const s of this.slots) {
      const config = s.fn.config;
      let intx = false;
      const router = config instanceof ConfigSpace ? config.msixRouter : undefined;
      for (const v of s.high) {
        const route = router ? (router.enabled ? router.route(v) : 'intx') : msixRoute(config, (n) => s.fn.bar(n), s.msix, v);
        if (route === 'intx') intx = true;
        else if (route !== undefined) lines |= 1 << route;
      }
      if (config instanceof ConfigSpace) config.setInterruptStatus(intx);
      const line = config.read(PCI.INTERRUPT_LINE, 1);
      if (intx && line < IRQ.LINES && (config.read(PCI.COMMAND, 2) & COMMAND.INTX_DISABLE) === 0) lines |= 1 << line;
    }
    const changed = lines ^ this.lines;
    this.lines = lines;
    for (let l = 0; l < IRQ.LINES; l++) if (changed & (1 << l)) this.ctx.setIrq(l, (lines & (1 << l)) !== 0);
  }

  // --- machine device ---------------------------------------------------------

  /** Power-on: every function reset (configuration space included), then the firmware assigns resources. */
  reset(): void {
    this.address = 0;
    this.hit = undefined;
    // Over a copy: a PF's reset removes its VFs from the bus.
    for (const s of [...this.slots]) {
      if (!this.slots.includes(s)) continue;
      if (s.fn.config instanceof ConfigSpace) s.fn.config.reset();
      s.fn.reset();
    }
    for (const s of this.slots) this.markMultiFunction(s.device);
    assignResources(this);
    this.updateLines();
  }

  save(): PciBusState {
    return {
      address: this.address,
      functions: this.slots.map((s) => ({
        device: s.device,
        function: s.function,
        name: s.fn.name,
        config: configBytes(s.fn),
        high: [...s.high].sort((a, b) => a - b),
        state: s.fn.save(),
      })),
    };
  }

  /**
   * Restore each saved function into the function of that name at that slot
   * (in slot order, so a function that adds others when restored, an SR-IOV PF
   * enabling its VFs, comes before them).
   */
  restore(state: unknown): void {
    const st = state as PciBusState;
    this.address = st.address >>> 0;
    this.hit = undefined;
    for (const saved of st.functions) {
      const s = this.slots.find((e) => e.device === saved.device && e.function === saved.function);
      if (!s || s.fn.name !== saved.name) throw new Error(`pci: no function '${saved.name}' at ${slotName(saved.device, saved.function)} to restore`);
      if (s.fn.config instanceof ConfigSpace) s.fn.config.restore({ bytes: saved.config });
      s.fn.restore(saved.state);
      s.high.clear();
      for (const v of saved.high) s.high.add(v);
    }
    this.updateLines();
  }

  nextDeadline(): number {
    let d = Infinity;
    for (const s of this.slots) {
      const t = s.fn.nextDeadline?.() ?? Infinity;
      if (t < d) d = t;
    }
    return d;
  }

  tick(clock: number): void {
    for (const s of [...this.slots]) {
      if (s.fn.tick && (s.fn.nextDeadline?.() ?? Infinity) <= clock) s.fn.tick(clock);
    }
  }

  /** Header type bit 7 of function 0 says whether the device has other functions (ConfigSpace functions only). */
  private markMultiFunction(device: number): void {
    const f0 = this.slots.find((s) => s.device === device && s.function === 0)?.fn.config;
    if (!(f0 instanceof ConfigSpace)) return;
    const multi = this.slots.some((s) => s.device === device && s.function !== 0);
    const h = f0.get8(PCI.HEADER_TYPE);
    f0.set8(PCI.HEADER_TYPE, multi ? h | HEADER_MULTI_FUNCTION : h & ~HEADER_MULTI_FUNCTION);
  }
}

function configBytes(fn: PciFunction): Uint8Array {
  if (fn.config instanceof ConfigSpace) return fn.config.bytes.slice();
  // Another PciConfig: what configuration reads show (kept for the record; restore needs a ConfigSpace).
  const bytes = new Uint8Array(4096);
  const view = new DataView(bytes.buffer);
  for (let o = 0; o < 4096; o += 4) view.setUint32(o, fn.config.read(o, 4) >>> 0, true);
  return bytes;
}

export function slotName(device: number, func: number): string {
  return `00:${device.toString(16).padStart(2, '0')}.${func}`;
}

/** A board device factory: the PCI bus with these functions (firmware assigns their resources at reset). */
export function pciBoardDevice(slots: readonly PciSlot[]): DeviceFactory {
  return (ctx) => new PciBus(ctx, slots);
}
