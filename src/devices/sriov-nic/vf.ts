// A virtual function of the SR-IOV NIC: the PCI function a VM drives directly.
// Its BAR0 (igbvf's layout, docs/nics.md "The SR-IOV NIC") holds one legacy
// TX and one RX ring (the e1000's descriptors and ring checks, rings.ts), the
// interrupt cause and mask registers and the VF's side of its mailbox: the
// data path, which a monitor maps into a VM. Its three MSI-X vectors (RX, TX,
// other) have their table and PBA alone in BAR3, a page the monitor traps. Every DMA goes through the VF's own
// context, which the bus routes by the VF's requester ID (an IOMMU domain);
// a DMA it refuses drops that descriptor and counts a fault (the VF goes on),
// while a malformed ring stops this VF only (STATUS.DERR, EICR.DERR) until
// its reset. Frames go to and come from the embedded switch, never the wire.

import type { AccessSize, BusDevice } from '../../machine/device.js';
import type { DropReason } from '../../net/types.js';
import { DESCRIPTOR_SIZE, MAX_FRAME, TX_CMD } from '../e1000/registers.js';
import { descriptorAddress, descriptorCount, parseRx, parseTx, ringError, rxDone, txDone, type RingRegs } from '../e1000/rings.js';
import type { PciFunction, PciFunctionContext } from '../pci/function.js';
import { Msix, type MsixState } from '../pci/msix.js';
import type { SriovCapability } from '../pci/sriov.js';
import type { Mailbox } from './mailbox.js';
import { MAILBOX_WORDS, QUEUE_ENABLE, STATUS_DERR, STATUS_LU, VF_CTRL_RST, VF_INT, VF_MSIX, VF_MSIX_BAR, VF_REG, VF_VECTOR, VF_VECTORS } from './registers.js';
import type { SriovNicEvent, VfCounters, VfResetCause } from './types.js';
import { VfConfigSpace } from './vf-config.js';

/** What a VF asks of its PF. */
export interface VfParent {
  readonly name: string;
  mailbox(vf: number): Mailbox;
  counters(vf: number): VfCounters;
  /** A frame the VF sent, into the embedded switch. */
  transmit(vf: number, frame: Uint8Array): void;
  /** The VF was reset: the PF's side of it (VFLRE, VFRE/VFTE off, filters, mailbox, event). */
  vfWasReset(vf: number, cause: VfResetCause): void;
  event(e: SriovNicEvent): void;
}

/** The registers the VF's driver programs. */
interface VfRegs {
  ctrl: number;
  eicr: number;
  eims: number;
  rdbal: number;
  rdbah: number;
  rdlen: number;
  rdh: number;
  rdt: number;
  rxdctl: number;
  tdbal: number;
  tdbah: number;
  tdlen: number;
  tdh: number;
  tdt: number;
  txdctl: number;
  /** The VF's own statistics (igbvf's VFGPRC...): cleared by its reset, unlike the PF's per-VF counters. */
  gprc: number;
  gptc: number;
  gorc: number;
  gotc: number;
}

export interface VfState {
  regs: VfRegs;
  error: string | undefined;
  levels: boolean[];
  msix: MsixState;
}

/** RX descriptor errors byte: the frame could not be written (a refused DMA). */
const RX_ERR_RXE = 0x80;

function resetRegs(): VfRegs {
  return {
    ctrl: 0, eicr: 0, eims: 0, rdbal: 0, rdbah: 0, rdlen: 0, rdh: 0, rdt: 0, rxdctl: 0,
    tdbal: 0, tdbah: 0, tdlen: 0, tdh: 0, tdt: 0, txdctl: 0, gprc: 0, gptc: 0, gorc: 0, gotc: 0,
  };
}

/** Which vector each EICR bit drives. */
function vectorOf(bit: number): number {
  return bit === VF_INT.RX ? VF_VECTOR.RX : bit === VF_INT.TX ? VF_VECTOR.TX : VF_VECTOR.OTHER;
}

export class VirtualFunction implements PciFunction {
  readonly name: string;
  readonly config: VfConfigSpace;
  readonly msix: Msix;
  private regs: VfRegs = resetRegs();
  private errorText: string | undefined;
  private readonly levels = [false, false, false];
  /** Bumped by every reset: a transmit loop stops if the VF was reset under it (a synchronous PF driver may do that). */
  private epoch = 0;
  private readonly bar0: BusDevice = {
    read: (offset, size) => this.readRegister(offset, size) >>> 0,
    write: (offset, size, value) => this.writeRegister(offset, size, value),
  };

  constructor(private readonly ctx: PciFunctionContext, private readonly parent: VfParent, sriov: SriovCapability, readonly index: number) {
    this.name = `${parent.name}-vf${index}`;
    this.config = new VfConfigSpace(sriov, index, () => this.functionReset('flr'));
    this.msix = new Msix(this.config, { vectors: VF_VECTORS, bar: VF_MSIX_BAR, tableOffset: VF_MSIX.TABLE, pbaOffset: VF_MSIX.PBA }, ctx);
  }

  /** Why the VF stopped (STATUS.DERR), if it did. */
  get error(): string | undefined {
    return this.errorText;
  }

  bar(n: number): BusDevice | undefined {
    return n === 0 ? this.bar0 : n === VF_MSIX_BAR ? this.msix : undefined;
  }

  private get counters(): VfCounters {
    return this.parent.counters(this.index);
  }

  private get mailbox(): Mailbox {
    return this.parent.mailbox(this.index);
  }

  // --- registers --------------------------------------------------------------

  private readRegister(offset: number, size: AccessSize): number {
    this.counters.regReads++;
    if (size !== 4 || (offset & 3) !== 0) return 0;
    if (offset >= VF_REG.VMBMEM && offset < VF_REG.VMBMEM + 4 * MAILBOX_WORDS) return this.mailbox.mem[(offset - VF_REG.VMBMEM) >>> 2]!;
    const r = this.regs;
    switch (offset) {
      case VF_REG.CTRL: return r.ctrl;
      case VF_REG.STATUS: return (STATUS_LU | (this.errorText !== undefined ? STATUS_DERR : 0)) >>> 0;
      case VF_REG.V2PMAILBOX: return this.mailbox.vfRead();
      case VF_REG.GPRC: return r.gprc;
      case VF_REG.GPTC: return r.gptc;
      case VF_REG.GORC: return r.gorc;
      case VF_REG.GOTC: return r.gotc;
      case VF_REG.EIMS: return r.eims;
      case VF_REG.EICR: {
        const v = r.eicr;
        r.eicr = 0;
        this.updateVectors();
        return v;
      }
      case VF_REG.RDBAL: return r.rdbal;
      case VF_REG.RDBAH: return r.rdbah;
      case VF_REG.RDLEN: return r.rdlen;
      case VF_REG.RDH: return r.rdh;
      case VF_REG.RDT: return r.rdt;
      case VF_REG.RXDCTL: return r.rxdctl;
      case VF_REG.TDBAL: return r.tdbal;
      case VF_REG.TDBAH: return r.tdbah;
      case VF_REG.TDLEN: return r.tdlen;
      case VF_REG.TDH: return r.tdh;
      case VF_REG.TDT: return r.tdt;
      case VF_REG.TXDCTL: return r.txdctl;
      default: return 0;
    }
  }

  private writeRegister(offset: number, size: AccessSize, value: number): void {
    this.counters.regWrites++;
    if (size !== 4 || (offset & 3) !== 0) return;
    const v = value >>> 0;
    if (offset >= VF_REG.VMBMEM && offset < VF_REG.VMBMEM + 4 * MAILBOX_WORDS) return this.mailbox.vfWriteMem((offset - VF_REG.VMBMEM) >>> 2, v);
    const r = this.regs;
    switch (offset) {
      case VF_REG.CTRL:
        if (v & VF_CTRL_RST) this.functionReset('ctrl-rst');
        else r.ctrl = v;
        return;
      case VF_REG.V2PMAILBOX: this.mailbox.vfWrite(v); return;
      case VF_REG.EICS: r.eicr |= v; break;
      case VF_REG.EIMS: r.eims |= v; break;
      case VF_REG.EIMC: r.eims &= ~v; break;
      case VF_REG.EICR: r.eicr &= ~v; break;
      case VF_REG.RDBAL: r.rdbal = v & ~0xf; return;
      case VF_REG.RDBAH: r.rdbah = v; return;
      case VF_REG.RDLEN: r.rdlen = v; return;
      case VF_REG.RDH: r.rdh = v; return;
      case VF_REG.RDT: r.rdt = v; return;
      case VF_REG.RXDCTL: r.rxdctl = v & QUEUE_ENABLE; return;
      case VF_REG.TDBAL: r.tdbal = v & ~0xf; return;
      case VF_REG.TDBAH: r.tdbah = v; return;
      case VF_REG.TDLEN: r.tdlen = v; return;
      case VF_REG.TDH: r.tdh = v; return;
      case VF_REG.TDT: r.tdt = v; this.transmit(); return;
      case VF_REG.TXDCTL: r.txdctl = v & QUEUE_ENABLE; this.transmit(); return;
      default: return;
    }
    this.updateVectors();
  }

  /** A queue notification by other means than TDT (the pv `net_notify` hypercall): queue 1 transmits, queue 0 has nothing to do. */
  notify(queue: number): boolean {
    if (queue === 1) this.transmit();
    return queue === 0 || queue === 1;
  }

  // --- transmit ---------------------------------------------------------------

  /**
   * Send descriptors head..tail-1 into the embedded switch. A descriptor or
   * buffer the DMA refuses drops its frame: the frame's descriptors are
   * consumed (DD written back where the DMA allows), a fault counted.
   */
  private transmit(): void {
    const r = this.regs;
    if (this.errorText !== undefined || (r.txdctl & QUEUE_ENABLE) === 0) return;
    const ring: RingRegs = { base: r.tdbal, baseHigh: r.tdbah, length: r.tdlen, head: r.tdh, tail: r.tdt };
    const bad = ringError(ring, () => true);
    if (bad) return this.deviceError(`TX: ${bad}`);
    const count = descriptorCount(ring);
    const epoch = this.epoch;
    let done = false;
    while (r.tdh !== r.tdt) {
      const parts: Uint8Array[] = [];
      const descs: { at: number; bytes: Uint8Array }[] = [];
      let total = 0;
      let i = r.tdh;
      let eop = false;
      let fault = false;
      while (!eop) {
        if (i === r.tdt) return this.deviceError(`TX: a frame without EOP before the tail (descriptor ${i})`);
        const at = descriptorAddress(ring, i);
        i = (i + 1) % count;
        const bytes = this.dmaRead(at, DESCRIPTOR_SIZE);
        if (!bytes) {
          fault = true;
          break;
        }
        const d = parseTx(bytes);
        descs.push({ at, bytes });
        total += d.length;
        if (total > MAX_FRAME) return this.deviceError(`TX: a frame longer than ${MAX_FRAME} bytes (descriptor ${(i + count - 1) % count})`);
        const buf = d.length === 0 ? new Uint8Array(0) : d.addrHigh === 0 ? this.dmaRead(d.addr, d.length) : undefined;
        if (!buf) {
          if (d.addrHigh !== 0) this.fault(d.addr, false);
          fault = true;
          break;
        }
        parts.push(buf);
        eop = (d.cmd & TX_CMD.EOP) !== 0;
      }
      for (const d of descs) this.dmaWrite(d.at, txDone(d.bytes));
      r.tdh = i;
      done = true;
      if (fault) {
        this.counters.txDropped++;
        continue;
      }
      const frame = concat(parts, total);
      r.gptc = (r.gptc + 1) >>> 0;
      r.gotc = (r.gotc + frame.length) >>> 0;
      this.parent.transmit(this.index, frame);
      if (this.epoch !== epoch || this.errorText !== undefined || (r.txdctl & QUEUE_ENABLE) === 0) return;
    }
    if (done) this.cause(VF_INT.TX);
  }

  // --- receive ----------------------------------------------------------------

  /** A frame from the embedded switch into the RX ring; the drop reason if it could not be taken. */
  receive(frame: Uint8Array): DropReason | undefined {
    const r = this.regs;
    if (this.errorText !== undefined) return 'device-error';
    if ((r.rxdctl & QUEUE_ENABLE) === 0) return 'disabled';
    if (frame.length > MAX_FRAME) return 'too-long';
    const ring: RingRegs = { base: r.rdbal, baseHigh: r.rdbah, length: r.rdlen, head: r.rdh, tail: r.rdt };
    const bad = ringError(ring, () => true);
    if (bad) {
      this.deviceError(`RX: ${bad}`);
      return 'device-error';
    }
    if (r.rdh === r.rdt) return 'no-buffer';
    const at = descriptorAddress(ring, r.rdh);
    const next = (r.rdh + 1) % descriptorCount(ring);
    const bytes = this.dmaRead(at, DESCRIPTOR_SIZE);
    if (!bytes) {
      r.rdh = next; // the descriptor is lost
      return 'dma-fault';
    }
    const d = parseRx(bytes);
    if (d.addrHigh !== 0 || !this.dmaWrite(d.addr, frame)) {
      if (d.addrHigh !== 0) this.fault(d.addr, true);
      const failed = rxDone(bytes, 0);
      failed[13] = RX_ERR_RXE;
      this.dmaWrite(at, failed);
      r.rdh = next;
      this.cause(VF_INT.RX);
      return 'dma-fault';
    }
    this.dmaWrite(at, rxDone(bytes, frame.length));
    r.rdh = next;
    r.gprc = (r.gprc + 1) >>> 0;
    r.gorc = (r.gorc + frame.length) >>> 0;
    this.cause(VF_INT.RX);
    return undefined;
  }

  // --- DMA, errors, interrupts ------------------------------------------------

  private dmaRead(addr: number, length: number): Uint8Array | undefined {
    const b = this.ctx.dma.read(addr, length);
    if (b) this.counters.dmaBytes += length;
    else this.fault(addr, false);
    return b;
  }

  private dmaWrite(addr: number, bytes: Uint8Array): boolean {
    const ok = this.ctx.dma.write(addr, bytes);
    if (ok) this.counters.dmaBytes += bytes.length;
    else this.fault(addr, true);
    return ok;
  }

  private fault(addr: number, write: boolean): void {
    this.counters.dmaFaults++;
    this.parent.event({ kind: 'dma-fault', vf: this.index, addr: addr >>> 0, write });
  }

  private deviceError(why: string): void {
    if (this.errorText !== undefined) return;
    this.errorText = why;
    this.counters.deviceErrors++;
    this.parent.event({ kind: 'device-error', vf: this.index, error: why });
    this.cause(VF_INT.DERR);
  }

  /** The mailbox's interrupt cause (the PF wrote, acknowledged, or said reset done). */
  mailboxCause(): void {
    this.cause(VF_INT.MAILBOX);
  }

  private cause(bits: number): void {
    this.regs.eicr |= bits;
    this.updateVectors();
  }

  private updateVectors(): void {
    const active = this.regs.eicr & this.regs.eims;
    const want = [false, false, false];
    for (const bit of [VF_INT.RX, VF_INT.TX, VF_INT.MAILBOX, VF_INT.DERR]) if (active & bit) want[vectorOf(bit)] = true;
    for (let v = 0; v < VF_VECTORS; v++) {
      if (want[v] === this.levels[v]) continue;
      this.levels[v] = want[v]!;
      if (want[v]) this.counters.interruptsRaised++;
      this.msix.raise(v, want[v]!);
    }
  }

  // --- resets and state -------------------------------------------------------

  /**
   * Function-level reset (PCIe FLR, or CTRL.RST): queues, pending interrupts,
   * statistics, the MSI-X table and (FLR only) the configuration space back to
   * reset; the PF clears the VF's filters and mailbox and is told.
   */
  functionReset(cause: VfResetCause): void {
    this.clearState();
    if (cause === 'flr') this.config.reset();
    this.parent.vfWasReset(this.index, cause);
  }

  private clearState(): void {
    this.epoch++;
    this.regs = resetRegs();
    this.errorText = undefined;
    this.msix.reset();
    this.updateVectors();
  }

  /** Power-on (a bus reset): as an FLR without telling the PF (it is being reset too). */
  reset(): void {
    this.clearState();
  }

  save(): VfState {
    return { regs: { ...this.regs }, error: this.errorText, levels: [...this.levels], msix: this.msix.save() };
  }

  restore(state: unknown): void {
    const s = state as VfState;
    this.regs = { ...s.regs };
    this.errorText = s.error;
    s.levels.forEach((l, i) => { this.levels[i] = l; });
    this.msix.restore(s.msix);
    this.epoch++;
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
