// Drive the e1000-like NIC as a guest driver does: registers through BAR0,
// descriptors and buffers in memory. Two setups: on a real machine behind the
// PCI bus (MMIO, ports, interrupt lines), or on its own with a fake context
// whose DMA window is part of a larger memory (so a test can see that nothing
// outside the window changed).

import { pciBoardDevice, PciBus } from '../../../src/devices/pci/bus.js';
import { E1000, type E1000Options } from '../../../src/devices/e1000/e1000.js';
import { RCTL, REG, TCTL_EN, TX_CMD } from '../../../src/devices/e1000/registers.js';
import { standardBoard } from '../../../src/machine/board.js';
import { WindowDma } from '../../../src/machine/dma.js';
import { Machine } from '../../../src/machine/index.js';
import { PhysicalMemory } from '../../../src/machine/memory.js';
import type { FrameEvent } from '../../../src/net/types.js';

export const MAC = '02:00:00:00:00:01';
export const MAC_BYTES = [2, 0, 0, 0, 0, 1];
export const TX_RING = 0x1000;
export const RX_RING = 0x2000;
export const TX_BUF = 0x4000;
export const RX_BUF = 0x8000;

/** A frame to `dst` from `src` with `n` payload bytes (payload byte i = seed + i). */
export function frame(dst: number[], n = 46, seed = 0, src = [2, 0, 0, 0, 0, 9]): Uint8Array {
  const f = new Uint8Array(14 + n);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 0; i < n; i++) f[14 + i] = (seed + i) & 0xff;
  return f;
}

export class Driver {
  readonly sent: Uint8Array[] = [];
  readonly events: FrameEvent[] = [];
  /** Next TX descriptor the driver fills. */
  tail = 0;

  constructor(
    readonly nic: E1000,
    readonly rd: (off: number) => number,
    readonly wr: (off: number, v: number) => void,
    /** Memory as the device's bus addresses see it. */
    readonly mem: Uint8Array,
  ) {
    nic.observer = (e) => this.events.push(e);
  }

  u32(addr: number): number {
    const m = this.mem;
    return (m[addr]! | (m[addr + 1]! << 8) | (m[addr + 2]! << 16) | (m[addr + 3]! << 24)) >>> 0;
  }

  put32(addr: number, v: number): void {
    for (let i = 0; i < 4; i++) this.mem[addr + i] = (v >>> (8 * i)) & 0xff;
  }

  /** TX ring of `n` descriptors, enabled; frames go to `peer` (or are collected in `sent`). */
  setupTx(n = 8, peer?: (f: Uint8Array) => void): void {
    this.nic.connect({ receive: (f) => (peer ? peer(f) : this.sent.push(f.slice())) });
    this.wr(REG.TDBAL, TX_RING);
    this.wr(REG.TDBAH, 0);
    this.wr(REG.TDLEN, n * 16);
    this.wr(REG.TDH, 0);
    this.wr(REG.TDT, 0);
    this.wr(REG.TCTL, TCTL_EN);
    this.tail = 0;
  }

  /** RX ring of `n` descriptors, buffer i at RX_BUF + 2048 i, `post` of them given to the device. */
  setupRx(n = 8, post = n - 1, rctl = RCTL.EN | RCTL.BAM): void {
    for (let i = 0; i < n; i++) {
      this.put32(RX_RING + 16 * i, RX_BUF + 2048 * i);
      this.put32(RX_RING + 16 * i + 4, 0);
      this.put32(RX_RING + 16 * i + 8, 0);
      this.put32(RX_RING + 16 * i + 12, 0);
    }
    this.wr(REG.RDBAL, RX_RING);
    this.wr(REG.RDBAH, 0);
    this.wr(REG.RDLEN, n * 16);
    this.wr(REG.RDH, 0);
    this.wr(REG.RDT, post);
    this.wr(REG.RCTL, rctl);
  }

  /** Write a TX descriptor (does not move the tail). */
  txDesc(i: number, addr: number, length: number, cmd: number, addrHigh = 0): void {
    const d = TX_RING + 16 * i;
    this.put32(d, addr);
    this.put32(d + 4, addrHigh);
    this.put32(d + 8, length | (cmd << 24));
    this.put32(d + 12, 0);
  }

  /** Queue `f` in `pieces` descriptors (buffers at TX_BUF + 2048 × slot) and, unless `kick` is false, write TDT. */
  send(f: Uint8Array, pieces = 1, kick = true, n = 8): void {
    const step = Math.ceil(f.length / pieces);
    for (let p = 0; p < pieces; p++) {
      const part = f.subarray(p * step, Math.min(f.length, (p + 1) * step));
      const buf = TX_BUF + 2048 * this.tail;
      this.mem.set(part, buf);
      this.txDesc(this.tail, buf, part.length, (p === pieces - 1 ? TX_CMD.EOP : 0) | TX_CMD.IFCS | TX_CMD.RS);
      this.tail = (this.tail + 1) % n;
    }
    if (kick) this.wr(REG.TDT, this.tail);
  }

  txStatus(i: number): number { return this.mem[TX_RING + 16 * i + 12]!; }
  rxLength(i: number): number { return this.mem[RX_RING + 16 * i + 8]! | (this.mem[RX_RING + 16 * i + 9]! << 8); }
  rxStatus(i: number): number { return this.mem[RX_RING + 16 * i + 12]!; }
  rxFrame(i: number): Uint8Array { return this.mem.slice(RX_BUF + 2048 * i, RX_BUF + 2048 * i + this.rxLength(i)); }
}

/** The NIC on a machine's PCI bus at device 3 (BAR0 assigned by firmware, line 2). */
export function machineNic(options: E1000Options = { mac: MAC }, memorySize = 1 << 20) {
  let nic!: E1000;
  const machine = new Machine({ memorySize, devices: [...standardBoard(), pciBoardDevice([{ device: 3, make: (ctx) => (nic = new E1000(ctx, options)) }])] });
  const bus = machine.devices.find((d) => d.name === 'pci') as PciBus;
  const bar = nic.config.barAddress(0)!;
  const driver = new Driver(nic, (off) => machine.mmioRead(bar + off, 4), (off, v) => machine.mmioWrite(bar + off, 4, v), machine.mem.u8);
  return { machine, bus, nic, bar, driver };
}

/** The NIC alone: its DMA window is [WINDOW_BASE, WINDOW_BASE + WINDOW_SIZE) of a larger memory filled with 0xA5. */
export const WINDOW_BASE = 0x10000;
export const WINDOW_SIZE = 0x20000;
export function standaloneNic(options: E1000Options = { mac: MAC }) {
  const mem = new PhysicalMemory(0x40000);
  mem.u8.fill(0xa5);
  const irqs: { vector: number; level: boolean }[] = [];
  let level = false;
  const nic = new E1000({ clock: () => 0, dma: new WindowDma(mem, WINDOW_BASE, WINDOW_SIZE), irq: (vector, l) => { irqs.push({ vector, level: l }); level = l; } }, options);
  const bar0 = nic.bar(0)!;
  const view = mem.u8.subarray(WINDOW_BASE, WINDOW_BASE + WINDOW_SIZE);
  view.fill(0);
  const driver = new Driver(nic, (off) => bar0.read(off, 4) >>> 0, (off, v) => bar0.write(off, 4, v), view);
  /** Whether every byte outside the window still holds 0xA5. */
  const outsideUntouched = () => mem.u8.subarray(0, WINDOW_BASE).every((b) => b === 0xa5) && mem.u8.subarray(WINDOW_BASE + WINDOW_SIZE).every((b) => b === 0xa5);
  return { nic, driver, mem, irqs, level: () => level, outsideUntouched };
}
