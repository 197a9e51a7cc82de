// The emulated NIC (e1000-like), exactly as docs/nics.md "The emulated NIC"
// describes it: a PCI function whose BAR0 holds the registers, legacy TX and
// RX descriptor rings in guest memory reached only through ctx.dma, and one
// interrupt vector whose level is (ICR & IMS) != 0. It is a FrameSender (a
// write to TDT sends the descriptors head..tail-1 to the connected receiver)
// and a FrameReceiver (receive() writes into the RX ring or counts a drop).
// A malformed ring or descriptor stops the device (STATUS.DERR, ICR.DERR)
// until CTRL.RST: never a host exception, never a write outside the DMA window.

import type { AccessSize, BusDevice } from '../../machine/device.js';
import { describeFrame } from '../../net/frame.js';
import { observing } from '../../net/observe.js';
import { isBroadcast, isMulticast, parseMac } from '../../net/mac.js';
import type { DropReason, FrameEvent, FrameObserver, FrameReceiver, FrameSender } from '../../net/types.js';
import { readInto } from '../dma-into.js';
import { ConfigSpace } from '../pci/config-space.js';
import type { PciFunction, PciFunctionContext } from '../pci/function.js';
import {
  CTRL_RST, DESCRIPTOR_SIZE, E1000_BAR_SIZE, E1000_CLASS, E1000_DEFAULT_MAC, E1000_DEVICE_ID, E1000_VENDOR_ID, INT,
  MAX_FRAME, RAH_AV, RCTL, REG, STATUS_DERR, STATUS_LU, TCTL_EN, TX_CMD,
} from './registers.js';
import { descriptorAddress, descriptorCount, parseRx, parseTx, ringError, rxDone, txDone, type RingRegs } from './rings.js';

export interface E1000Counters {
  regReads: number;
  regWrites: number;
  txFrames: number;
  rxFrames: number;
  txBytes: number;
  rxBytes: number;
  /** Bytes moved by DMA: descriptors and buffers, read and written. */
  dmaBytes: number;
  /** Rising edges of the interrupt vector. */
  interruptsRaised: number;
  /** Frames the device was handed but could not take (no buffer, receiver off, device stopped, malformed). */
  rxDropped: number;
  /** Frames not for this NIC (another unicast MAC, broadcast without BAM, multicast without MPE): not drops. */
  rxFiltered: number;
  deviceErrors: number;
}

export interface E1000Options {
  /** Unique on the board (device state is saved under it); also FrameEvent.where. Default 'e1000'. */
  name?: string;
  /** The MAC the platform gives the NIC (RAL0/RAH0's reset value): "aa:bb:cc:dd:ee:ff" or 6 bytes. */
  mac?: string | Uint8Array;
  observer?: FrameObserver;
}

/** The registers the driver programs (everything else is derived). */
interface Regs {
  ctrl: number;
  icr: number;
  ims: number;
  rctl: number;
  tctl: number;
  rdbal: number;
  rdbah: number;
  rdlen: number;
  rdh: number;
  rdt: number;
  tdbal: number;
  tdbah: number;
  tdlen: number;
  tdh: number;
  tdt: number;
  gprc: number;
  gptc: number;
  ral: number;
  rah: number;
}

interface E1000State {
  regs: Regs;
  stopped: boolean;
  error: string | undefined;
  level: boolean;
  counters: E1000Counters;
}

function zeroCounters(): E1000Counters {
  return { regReads: 0, regWrites: 0, txFrames: 0, rxFrames: 0, txBytes: 0, rxBytes: 0, dmaBytes: 0, interruptsRaised: 0, rxDropped: 0, rxFiltered: 0, deviceErrors: 0 };
}

/** Six bytes of a MAC given as text or bytes; a one-line error otherwise. */
function macBytes(mac: string | Uint8Array): Uint8Array {
  if (typeof mac === 'string') return parseMac(mac);
  if (mac.length !== 6) throw new Error(`e1000: a MAC is 6 bytes, not ${mac.length}`);
  return Uint8Array.from(mac);
}

function frameEvent(kind: FrameEvent['kind'], where: string, frame: Uint8Array, reason?: DropReason): FrameEvent {
  return { kind, where, ...describeFrame(frame), ...(reason ? { reason } : {}) };
}

export class E1000 implements PciFunction, FrameSender, FrameReceiver {
  readonly name: string;
  /** What reaches() reads a ring's first and last bytes into. */
  private readonly probe = new Uint8Array(1);
  readonly config: ConfigSpace;
  readonly mac: Uint8Array;
  counters: E1000Counters = zeroCounters();
  observer: FrameObserver | undefined;
  private peer: FrameReceiver | undefined;
  private regs!: Regs;
  private stopped = false;
  private errorText: string | undefined;
  private level = false;
  private readonly bar0: BusDevice = {
    read: (offset, size) => this.readRegister(offset, size),
    write: (offset, size, value) => this.writeRegister(offset, size, value),
  };

  constructor(private readonly ctx: PciFunctionContext, options: E1000Options = {}) {
    this.name = options.name ?? 'e1000';
    this.mac = macBytes(options.mac ?? E1000_DEFAULT_MAC);
    this.observer = options.observer;
    this.config = new ConfigSpace({ vendorId: E1000_VENDOR_ID, deviceId: E1000_DEVICE_ID, classCode: E1000_CLASS, bars: [E1000_BAR_SIZE] });
    this.resetRegisters();
  }

  connect(peer: FrameReceiver): void {
    this.peer = peer;
  }

  /** Why the device stopped (STATUS.DERR), if it did. */
  get error(): string | undefined {
    return this.errorText;
  }

  bar(n: number): BusDevice | undefined {
    return n === 0 ? this.bar0 : undefined;
  }

  // --- registers --------------------------------------------------------------

  private readRegister(offset: number, size: AccessSize): number {
    this.counters.regReads++;
    if (size !== 4 || (offset & 3) !== 0) return 0;
    const r = this.regs;
    switch (offset) {
      case REG.CTRL: return r.ctrl;
      case REG.STATUS: return (STATUS_LU | (this.stopped ? STATUS_DERR : 0)) >>> 0;
      case REG.ICR: {
        const v = r.icr;
        r.icr = 0;
        this.updateInterrupt();
        return v;
      }
      case REG.IMS: return r.ims;
      case REG.RCTL: return r.rctl;
      case REG.TCTL: return r.tctl;
      case REG.RDBAL: return r.rdbal;
      case REG.RDBAH: return r.rdbah;
      case REG.RDLEN: return r.rdlen;
      case REG.RDH: return r.rdh;
      case REG.RDT: return r.rdt;
      case REG.TDBAL: return r.tdbal;
      case REG.TDBAH: return r.tdbah;
      case REG.TDLEN: return r.tdlen;
      case REG.TDH: return r.tdh;
      case REG.TDT: return r.tdt;
      case REG.GPRC: { const v = r.gprc; r.gprc = 0; return v; }
      case REG.GPTC: { const v = r.gptc; r.gptc = 0; return v; }
      case REG.RAL0: return r.ral;
      case REG.RAH0: return r.rah;
      default: return 0;
    }
  }

  private writeRegister(offset: number, size: AccessSize, value: number): void {
    this.counters.regWrites++;
    if (size !== 4 || (offset & 3) !== 0) return;
    const r = this.regs;
    const v = value >>> 0;
    switch (offset) {
      case REG.CTRL:
        if (v & CTRL_RST) this.softReset();
        else r.ctrl = v;
        return;
      case REG.ICR: r.icr &= ~v; break; // write 1 to clear, as on the 8254x
      case REG.ICS: r.icr |= v; break;
      case REG.IMS: r.ims |= v; break;
      case REG.IMC: r.ims &= ~v; break;
      case REG.RCTL: r.rctl = v; return;
      case REG.TCTL: r.tctl = v; this.transmit(); return;
      case REG.RDBAL: r.rdbal = v & ~0xf; return;
      case REG.RDBAH: r.rdbah = v; return;
      case REG.RDLEN: r.rdlen = v; return;
      case REG.RDH: r.rdh = v; return;
      case REG.RDT: r.rdt = v; return;
      case REG.TDBAL: r.tdbal = v & ~0xf; return;
      case REG.TDBAH: r.tdbah = v; return;
      case REG.TDLEN: r.tdlen = v; return;
      case REG.TDH: r.tdh = v; return;
      case REG.TDT: r.tdt = v; this.transmit(); return;
      case REG.RAL0: r.ral = v; return;
      case REG.RAH0: r.rah = v & (RAH_AV | 0xffff); return;
      default: return;
    }
    this.updateInterrupt();
  }

  // --- transmit ---------------------------------------------------------------

  private txRing(): RingRegs {
    const r = this.regs;
    return { base: r.tdbal, baseHigh: r.tdbah, length: r.tdlen, head: r.tdh, tail: r.tdt };
  }

  /** Send descriptors head..tail-1: each frame is the buffers up to one with EOP; DD written back into each. */
  private transmit(): void {
    const r = this.regs;
    if (this.stopped || (r.tctl & TCTL_EN) === 0) return;
    const ring = this.txRing();
    const bad = ringError(ring, (a, l) => this.reaches(a, l));
    if (bad) return this.deviceError(`TX: ${bad}`);
    const count = descriptorCount(ring);
    let sent = false;
    while (r.tdh !== r.tdt) {
      // Gather one frame without consuming anything, so a bad frame leaves the ring as it was.
      const parts: Uint8Array[] = [];
      const descs: { at: number; bytes: Uint8Array }[] = [];
      let total = 0;
      let i = r.tdh;
      let eop = false;
      while (!eop) {
        if (i === r.tdt) return this.deviceError(`TX: a frame without EOP before the tail (descriptor ${i})`);
        const at = descriptorAddress(ring, i);
        const bytes = this.dmaRead(at, DESCRIPTOR_SIZE);
        if (!bytes) return this.deviceError(`TX: descriptor ${i} at 0x${at.toString(16)} cannot be read`);
        const d = parseTx(bytes);
        total += d.length;
        if (total > MAX_FRAME) return this.deviceError(`TX: a frame longer than ${MAX_FRAME} bytes (descriptor ${i})`);
        const buf = d.length === 0 ? new Uint8Array(0) : d.addrHigh === 0 ? this.dmaRead(d.addr, d.length) : undefined;
        if (!buf) return this.deviceError(`TX: the buffer of descriptor ${i} (0x${d.addrHigh.toString(16)}:${d.addr.toString(16)}+${d.length}) cannot be read`);
        parts.push(buf);
        descs.push({ at, bytes });
        eop = (d.cmd & TX_CMD.EOP) !== 0;
        i = (i + 1) % count;
      }
      for (const d of descs) {
        if (!this.dmaWrite(d.at, txDone(d.bytes))) return this.deviceError(`TX: descriptor at 0x${d.at.toString(16)} cannot be written back`);
      }
      r.tdh = i;
      const frame = concat(parts, total);
      this.counters.txFrames++;
      this.counters.txBytes += frame.length;
      r.gptc = (r.gptc + 1) >>> 0;
      sent = true;
      if (observing(this.observer)) this.observer(frameEvent('tx', this.name, frame));
      this.peer?.receive(frame);
      if (this.stopped || (r.tctl & TCTL_EN) === 0) break; // the peer's answer may have reset or stopped us
    }
    if (sent) this.cause(INT.TXDW);
  }

  // --- receive ----------------------------------------------------------------

  receive(frame: Uint8Array): void {
    const r = this.regs;
    if (this.stopped) return this.drop(frame, 'device-error');
    if ((r.rctl & RCTL.EN) === 0) return this.drop(frame, 'disabled');
    if (frame.length < 14) return this.drop(frame, 'too-short');
    if (frame.length > MAX_FRAME) return this.drop(frame, 'too-long');
    if (!this.accepts(frame)) {
      this.counters.rxFiltered++;
      return;
    }
    const ring: RingRegs = { base: r.rdbal, baseHigh: r.rdbah, length: r.rdlen, head: r.rdh, tail: r.rdt };
    const bad = ringError(ring, (a, l) => this.reaches(a, l));
    if (bad) {
      this.deviceError(`RX: ${bad}`);
      return this.drop(frame, 'device-error');
    }
    if (r.rdh === r.rdt) {
      this.cause(INT.RXO);
      return this.drop(frame, 'no-buffer');
    }
    const at = descriptorAddress(ring, r.rdh);
    const bytes = this.dmaRead(at, DESCRIPTOR_SIZE);
    const d = bytes && parseRx(bytes);
    let why: string | undefined;
    if (!bytes || !d) why = `descriptor ${r.rdh} at 0x${at.toString(16)} cannot be read`;
    else if (d.addrHigh !== 0 || !this.dmaWrite(d.addr, frame)) why = `the buffer of descriptor ${r.rdh} (0x${d.addrHigh.toString(16)}:${d.addr.toString(16)}+${frame.length}) cannot be written`;
    else if (!this.dmaWrite(at, rxDone(bytes, frame.length))) why = `descriptor ${r.rdh} cannot be written back`;
    if (why) {
      this.deviceError(`RX: ${why}`);
      return this.drop(frame, 'device-error');
    }
    r.rdh = (r.rdh + 1) % descriptorCount(ring);
    this.counters.rxFrames++;
    this.counters.rxBytes += frame.length;
    r.gprc = (r.gprc + 1) >>> 0;
    if (observing(this.observer)) this.observer(frameEvent('rx', this.name, frame));
    this.cause(INT.RXT0);
  }

  /** RCTL's filter: our unicast MAC (RAH0.AV), broadcast with BAM, multicast with MPE, any unicast with UPE. */
  private accepts(frame: Uint8Array): boolean {
    const rctl = this.regs.rctl;
    if (isBroadcast(frame)) return (rctl & (RCTL.BAM | RCTL.MPE)) !== 0;
    if (isMulticast(frame)) return (rctl & RCTL.MPE) !== 0;
    if (rctl & RCTL.UPE) return true;
    const { ral, rah } = this.regs;
    if ((rah & RAH_AV) === 0) return false;
    // Compared in place (no array per frame): RAL holds bytes 0-3 of the MAC, RAH bytes 4-5.
    return frame[0] === (ral & 0xff) && frame[1] === ((ral >>> 8) & 0xff) && frame[2] === ((ral >>> 16) & 0xff)
      && frame[3] === ral >>> 24 && frame[4] === (rah & 0xff) && frame[5] === ((rah >>> 8) & 0xff);
  }

  private drop(frame: Uint8Array, reason: DropReason): void {
    this.counters.rxDropped++;
    if (observing(this.observer)) this.observer(frameEvent('drop', this.name, frame, reason));
  }

  // --- DMA, errors, interrupts ---------------------------------------------------

  private reaches(addr: number, length: number): boolean {
    // Read the ring's first and last bytes (a window is contiguous), into a byte kept for it: no copy per frame.
    return readInto(this.ctx.dma, addr, this.probe) && readInto(this.ctx.dma, addr + length - 1, this.probe);
  }

  private dmaRead(addr: number, length: number): Uint8Array | undefined {
    const b = this.ctx.dma.read(addr, length);
    if (b) this.counters.dmaBytes += length;
    return b;
  }

  private dmaWrite(addr: number, bytes: Uint8Array): boolean {
    const ok = this.ctx.dma.write(addr, bytes);
    if (ok) this.counters.dmaBytes += bytes.length;
    return ok;
  }

  private deviceError(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.errorText = why;
    this.counters.deviceErrors++;
    this.cause(INT.DERR);
  }

  private cause(bits: number): void {
    this.regs.icr |= bits;
    this.updateInterrupt();
  }

  private updateInterrupt(): void {
    const level = (this.regs.icr & this.regs.ims) !== 0;
    if (level === this.level) return;
    this.level = level;
    if (level) this.counters.interruptsRaised++;
    this.ctx.irq(0, level);
  }

  // --- reset and state --------------------------------------------------------

  private resetRegisters(): void {
    const m = this.mac;
    this.regs = {
      ctrl: 0, icr: 0, ims: 0, rctl: 0, tctl: 0,
      rdbal: 0, rdbah: 0, rdlen: 0, rdh: 0, rdt: 0,
      tdbal: 0, tdbah: 0, tdlen: 0, tdh: 0, tdt: 0,
      gprc: 0, gptc: 0,
      ral: (m[0]! | (m[1]! << 8) | (m[2]! << 16) | (m[3]! << 24)) >>> 0,
      rah: (m[4]! | (m[5]! << 8) | RAH_AV) >>> 0,
    };
    this.stopped = false;
    this.errorText = undefined;
  }

  /** CTRL.RST: every register to its reset value, the device running again; counters are kept. */
  private softReset(): void {
    this.resetRegisters();
    this.updateInterrupt();
  }

  /** Power-on: as CTRL.RST, and the counters start over. */
  reset(): void {
    this.softReset();
    this.counters = zeroCounters();
  }

  save(): E1000State {
    return { regs: { ...this.regs }, stopped: this.stopped, error: this.errorText, level: this.level, counters: { ...this.counters } };
  }

  restore(state: unknown): void {
    const s = state as E1000State;
    this.regs = { ...s.regs };
    this.stopped = s.stopped;
    this.errorText = s.error;
    this.level = s.level;
    this.counters = { ...s.counters };
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A PCI function factory for a board: `pciBoardDevice([{ device: 3, make: e1000Function({ mac }) }])`. */
export function e1000Function(options: E1000Options = {}): (ctx: PciFunctionContext) => E1000 {
  return (ctx) => new E1000(ctx, options);
}
