// Drive the SR-IOV NIC as its drivers do: the PF on a machine's PCI bus at
// device 8 (its VFs take devices 9..16), VF Enable through configuration
// cycles, each VF through its own BAR0 with rings and buffers in its own part
// of memory, the wire and the PF's port as frame collectors.

import { pciBoardDevice, PciBus } from '../../../src/devices/pci/bus.js';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import { SRIOV, SRIOV_CONTROL } from '../../../src/devices/pci/sriov.js';
import { MSG, PF_REG, QUEUE_ENABLE, V2P, VF_MSIX_BAR, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import { SriovNic, type SriovNicOptions } from '../../../src/devices/sriov-nic/pf.js';
import type { SriovNicEvent } from '../../../src/devices/sriov-nic/types.js';
import { TX_CMD } from '../../../src/devices/e1000/registers.js';
import { standardBoard } from '../../../src/machine/board.js';
import { Machine } from '../../../src/machine/index.js';
import type { FrameEvent } from '../../../src/net/types.js';
import { cfgRead, cfgWrite } from '../pci/helpers.js';

export const PF_DEVICE = 8;
export const PF_MAC = '02:00:00:00:10:00';
/** VF i's part of memory: rings, then buffers. */
export const VF_AREA = 0x10000;
export const VF_AREA_SIZE = 0xa000;

export function vfMacBytes(i: number): number[] {
  return [2, 0, 0, 0, 0x20, i];
}

export function vfMac(i: number): string {
  return `02:00:00:00:20:${i.toString(16).padStart(2, '0')}`;
}

/** A frame to `dst` from `src` with `n` payload bytes (byte i = seed + i); `vlan` adds a tag. */
export function frame(dst: number[], src: number[], n = 46, seed = 0, vlan?: number): Uint8Array {
  const tag = vlan === undefined ? 0 : 4;
  const f = new Uint8Array(14 + tag + n);
  f.set(dst, 0);
  f.set(src, 6);
  if (vlan !== undefined) f.set([0x81, 0x00, vlan >>> 8, vlan & 0xff], 12);
  f[12 + tag] = 0x88;
  f[13 + tag] = 0xb5;
  for (let i = 0; i < n; i++) f[14 + tag + i] = (seed + i) & 0xff;
  return f;
}

export const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** The machine, the PF, and collectors for the wire and the PF's port. */
export function nicMachine(options: SriovNicOptions = { mac: PF_MAC }, memorySize = 1 << 20) {
  let nic!: SriovNic;
  const machine = new Machine({ memorySize, devices: [...standardBoard(), pciBoardDevice([{ device: PF_DEVICE, make: (ctx) => (nic = new SriovNic(ctx, options)) }])] });
  const bus = machine.devices.find((d) => d.name === 'pci') as PciBus;
  const wire: Uint8Array[] = [];
  const toPf: Uint8Array[] = [];
  const events: SriovNicEvent[] = [];
  const frames: FrameEvent[] = [];
  nic.connect({ receive: (f) => wire.push(f.slice()) });
  nic.pfPort.connect({ receive: (f) => toPf.push(f.slice()) });
  nic.onEvent = (e) => events.push(e);
  nic.observer = (e) => frames.push(e);
  const cap = nic.sriov.offset;
  const pfBar = nic.config.barAddress(0)!;
  const env = {
    machine, bus, nic, wire, toPf, events, frames, cap, pfBar,
    /** NumVFs = n, then VF Enable and VF MSE, through configuration cycles. */
    enable(n: number): void {
      cfgWrite(machine, PF_DEVICE, 0, cap + SRIOV.NUM_VFS, n);
      cfgWrite(machine, PF_DEVICE, 0, cap + SRIOV.CONTROL, SRIOV_CONTROL.VF_ENABLE | SRIOV_CONTROL.VF_MSE);
    },
    disable(): void {
      cfgWrite(machine, PF_DEVICE, 0, cap + SRIOV.CONTROL, 0);
    },
    pfRd: (off: number) => machine.mmioRead(pfBar + off, 4) >>> 0,
    pfWr: (off: number, v: number) => machine.mmioWrite(pfBar + off, 4, v),
    /** VF i's place on the bus. */
    slot(i: number): { device: number; func: number } {
      const rid = nic.vfRoutingId(i)!;
      return { device: rid >>> 3, func: rid & 7 };
    },
    /** A driver for VF i: bus mastering on, MAC set by the PF, spoof checking as reset left it, VFRE/VFTE on. */
    vf(i: number, admin = true): VfDriver {
      const { device, func } = env.slot(i);
      cfgWrite(machine, device, func, PCI.COMMAND, COMMAND.BUS_MASTER);
      if (admin) {
        nic.setVfMac(i, vfMac(i));
        nic.setVfQueuesEnabled(i, true, true);
      }
      const config = nic.vf(i)!.config;
      return new VfDriver(machine, config.barAddress(0)!, VF_AREA + i * VF_AREA_SIZE, device, func, config.barAddress(VF_MSIX_BAR)!);
    },
  };
  return env;
}

export class VfDriver {
  readonly txRing: number;
  readonly rxRing: number;
  readonly txBuf: number;
  readonly rxBuf: number;
  tail = 0;
  /** Read-to-clear mailbox bits seen so far (igbvf keeps them in software too). */
  private seen = 0;

  constructor(readonly m: Machine, readonly bar: number, readonly area: number, readonly device: number, readonly func: number, readonly msixBar = 0) {
    this.txRing = area;
    this.rxRing = area + 0x100;
    this.txBuf = area + 0x1000;
    this.rxBuf = area + 0x5000;
  }

  rd(off: number): number { return this.m.mmioRead(this.bar + off, 4) >>> 0; }
  wr(off: number, v: number): void { this.m.mmioWrite(this.bar + off, 4, v); }
  /** BAR3: the MSI-X table and PBA. */
  msixRd(off: number): number { return this.m.mmioRead(this.msixBar + off, 4) >>> 0; }
  msixWr(off: number, v: number): void { this.m.mmioWrite(this.msixBar + off, 4, v); }
  cfgRd(off: number): number { return cfgRead(this.m, this.device, this.func, off); }
  cfgWr(off: number, v: number): void { cfgWrite(this.m, this.device, this.func, off, v); }
  u32(a: number): number { const b = this.m.mem.u8; return (b[a]! | (b[a + 1]! << 8) | (b[a + 2]! << 16) | (b[a + 3]! << 24)) >>> 0; }
  put32(a: number, v: number): void { for (let i = 0; i < 4; i++) this.m.mem.u8[a + i] = (v >>> (8 * i)) & 0xff; }

  setupTx(n = 8): void {
    this.wr(VF_REG.TDBAL, this.txRing);
    this.wr(VF_REG.TDBAH, 0);
    this.wr(VF_REG.TDLEN, n * 16);
    this.wr(VF_REG.TDH, 0);
    this.wr(VF_REG.TDT, 0);
    this.wr(VF_REG.TXDCTL, QUEUE_ENABLE);
    this.tail = 0;
  }

  setupRx(n = 8, post = n - 1): void {
    for (let i = 0; i < n; i++) {
      this.put32(this.rxRing + 16 * i, this.rxBuf + 2048 * i);
      for (const o of [4, 8, 12]) this.put32(this.rxRing + 16 * i + o, 0);
    }
    this.wr(VF_REG.RDBAL, this.rxRing);
    this.wr(VF_REG.RDBAH, 0);
    this.wr(VF_REG.RDLEN, n * 16);
    this.wr(VF_REG.RDH, 0);
    this.wr(VF_REG.RDT, post);
    this.wr(VF_REG.RXDCTL, QUEUE_ENABLE);
  }

  /** Queue `f` in one descriptor and write TDT. */
  send(f: Uint8Array, n = 8): void {
    const buf = this.txBuf + 2048 * this.tail;
    this.m.mem.u8.set(f, buf);
    const d = this.txRing + 16 * this.tail;
    this.put32(d, buf);
    this.put32(d + 4, 0);
    this.put32(d + 8, f.length | ((TX_CMD.EOP | TX_CMD.RS) << 24));
    this.put32(d + 12, 0);
    this.tail = (this.tail + 1) % n;
    this.wr(VF_REG.TDT, this.tail);
  }

  rxLength(i: number): number { return this.m.mem.u8[this.rxRing + 16 * i + 8]! | (this.m.mem.u8[this.rxRing + 16 * i + 9]! << 8); }
  rxStatus(i: number): number { return this.m.mem.u8[this.rxRing + 16 * i + 12]!; }
  rxFrame(i: number): Uint8Array { return this.m.mem.u8.slice(this.rxBuf + 2048 * i, this.rxBuf + 2048 * i + this.rxLength(i)); }
  /** The frames received so far (descriptors with DD from 0). */
  received(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < 8 && (this.rxStatus(i) & 1); i++) out.push(this.rxFrame(i));
    return out;
  }

  // --- the mailbox, as igbvf uses it --------------------------------------------

  mailboxBits(): number {
    const v = this.rd(VF_REG.V2PMAILBOX);
    this.seen |= v & V2P.R2C;
    return v | this.seen;
  }

  /** Take a read-to-clear bit seen (PFSTS, PFACK, RSTD). */
  take(bit: number): boolean {
    const had = ((this.mailboxBits() & bit) !== 0);
    this.seen &= ~bit;
    return had;
  }

  /** Lock, write the words, REQ (which lets go of the buffer). False when the PF holds it. */
  post(words: number[]): boolean {
    this.wr(VF_REG.V2PMAILBOX, V2P.VFU);
    if ((this.mailboxBits() & V2P.VFU) === 0) return false;
    words.forEach((w, i) => this.wr(VF_REG.VMBMEM + 4 * i, w));
    this.wr(VF_REG.V2PMAILBOX, V2P.REQ);
    return true;
  }

  /** If the PF wrote (PFSTS): lock, read `n` words, ACK. */
  fetch(n = 16): number[] | undefined {
    if (!this.take(V2P.PFSTS)) return undefined;
    this.wr(VF_REG.V2PMAILBOX, V2P.VFU);
    const words = Array.from({ length: n }, (_, i) => this.rd(VF_REG.VMBMEM + 4 * i));
    this.wr(VF_REG.V2PMAILBOX, V2P.ACK);
    return words;
  }
}

/** A fake PF driver: answers VF_RESET with the VF's MAC, SET_MAC_ADDR with ACK only for trusted VFs. */
export function fakePfDriver(nic: SriovNic): { log: { vf: number; type: number }[] } {
  const log: { vf: number; type: number }[] = [];
  nic.mailbox.onMessage = (vf, words) => {
    const type = words[0]! & MSG.TYPE_MASK;
    log.push({ vf, type });
    if (type === MSG.VF_RESET) {
      nic.setVfQueuesEnabled(vf, true, true);
      const mac = nic.vfAdmin(vf);
      nic.mailbox.reply(vf, [(MSG.VF_RESET | MSG.ACK | MSG.CTS) >>> 0, mac.macLo, mac.macHi & 0xffff]);
    } else if (type === MSG.SET_MAC_ADDR) {
      const ok = nic.vfTrusted(vf);
      if (ok) nic.setVfMac(vf, Uint8Array.of(words[1]! & 0xff, (words[1]! >>> 8) & 0xff, (words[1]! >>> 16) & 0xff, words[1]! >>> 24, words[2]! & 0xff, (words[2]! >>> 8) & 0xff));
      nic.mailbox.reply(vf, [(type | (ok ? MSG.ACK : MSG.NACK) | MSG.CTS) >>> 0]);
    } else {
      nic.mailbox.reply(vf, [(type | MSG.NACK | MSG.CTS) >>> 0]);
    }
  };
  return { log };
}

export { PF_REG, VF_REG };
