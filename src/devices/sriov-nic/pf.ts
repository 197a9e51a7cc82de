// The SR-IOV NIC's physical function (docs/nics.md "The SR-IOV NIC"): an
// 82576-like PCI function whose configuration space carries the SR-IOV
// capability (64 VFs). Setting VF Enable puts NumVFs VirtualFunctions on the
// bus at their routing IDs (PciBus.add), clearing it or resetting the PF takes
// them off. The PF holds everything the PF driver sets for each VF (MAC, port
// VLAN, anti-spoofing, trust, filters, VFRE/VFTE), each VF's mailbox, the
// per-VF counters and the embedded switch joining the VFs, the PF's own port
// and the uplink. The NIC is the wire's FrameSender and FrameReceiver.
//
// The PF driver (the monitor's software) reaches all of it through the PF's
// BAR0 (pf-bar.ts) or the TypeScript methods below, which act on the same
// state; it learns of mailbox messages, VF resets and spoofed frames from
// ICR.VMMB / ICR.MDD on its interrupt, or from onEvent and mailbox.onMessage.

import type { BusDevice } from '../../machine/device.js';
import { formatMac, parseMac } from '../../net/mac.js';
import type { FrameObserver, FrameReceiver, FrameSender } from '../../net/types.js';
import { pciBusContext, type PciSlot } from '../pci/bus.js';
import { ConfigSpace } from '../pci/config-space.js';
import type { PciFunction, PciFunctionContext } from '../pci/function.js';
import { addSriovCapability, SRIOV, type SriovCapability } from '../pci/sriov.js';
import { VfBitmap } from './bitmap.js';
import { Mailbox, PfMailbox, type MailboxState } from './mailbox.js';
import { pfBarRead, pfBarWrite } from './pf-bar.js';
import {
  DEFAULT_PF_MAC, FIRST_VF_OFFSET, MAX_VLAN_ID, NIC_CLASS, PF_BAR_SIZE, PF_DEVICE_ID, PF_INT, PF_RAR_ENTRIES, RAH_AV,
  SRIOV_NIC_VENDOR_ID, TOTAL_VFS, VALID, VF_BAR_SIZE, VF_CTL, VF_DEVICE_ID, VF_MSIX_BAR, VF_MSIX_BAR_SIZE, VF_STRIDE,
} from './registers.js';
import { zeroVfCounters, type SriovNicEvent, type SriovNicListener, type VfCounters, type VfResetCause } from './types.js';
import { Veb, zeroVebCounters, type VebCounters } from './veb.js';
import { clearVfFilters, copyAdmin, isResetAdmin, macBytesOf, resetAdmin, setMac, type VfAdmin } from './vf-admin.js';
import { VirtualFunction, type VfParent } from './vf.js';

/** Where the PF puts its VFs: the PciBus that built it, unless given. */
export interface VfHost {
  add(slot: PciSlot): PciFunction;
  remove(device: number, func?: number): void;
}

export interface SriovNicOptions {
  /** Unique on the board; VF i is `${name}-vf${i}`. Default 'sriov-nic'. */
  name?: string;
  /** The PF's MAC (RAL0/RAH0). */
  mac?: string | Uint8Array;
  observer?: FrameObserver;
  /** Where VFs go and the PF's routing ID; default: the PciBus that built the PF, and its slot. */
  vfHost?: VfHost;
  routingId?: number;
}

export interface PfRegs {
  ctrl: number;
  ctrlExt: number;
  icr: number;
  ims: number;
}

export interface SriovNicState {
  regs: PfRegs;
  rar: number[];
  vfre: number[];
  vfte: number[];
  vflre: number[];
  wvbr: number[];
  requests: number[];
  acks: number[];
  spoofEvents: number;
  /** Per VF, only the VFs whose settings, counters or mailbox are not at reset (snapshots are kept by the thousand). */
  vfs: { vf: number; admin: VfAdmin; counters: VfCounters; mailbox: MailboxState }[];
  veb: VebCounters;
  level: boolean;
  numVfs: number;
}

function macOf(mac: string | Uint8Array): Uint8Array {
  if (typeof mac === 'string') return parseMac(mac);
  if (mac.length !== 6) throw new Error(`sriov-nic: a MAC is 6 bytes, not ${mac.length}`);
  return Uint8Array.from(mac);
}

/** VF BAR0 the data path, VF BAR3 the MSI-X table and PBA. */
function vfBarSizes(): number[] {
  const sizes = [VF_BAR_SIZE, 0, 0, 0, 0, 0];
  sizes[VF_MSIX_BAR] = VF_MSIX_BAR_SIZE;
  return sizes;
}

function checkVf(vf: number): void {
  if (!Number.isInteger(vf) || vf < 0 || vf >= TOTAL_VFS) throw new RangeError(`sriov-nic: no VF ${vf} (0..${TOTAL_VFS - 1})`);
}

export class SriovNic implements PciFunction, FrameSender, FrameReceiver {
  readonly name: string;
  readonly config: ConfigSpace;
  readonly sriov: SriovCapability;
  readonly mac: Uint8Array;
  readonly mailbox: PfMailbox;
  readonly veb: Veb;
  /** The PF's own port on the embedded switch: connect() takes the frames for the PF, receive() sends one from the PF. */
  readonly pfPort: FrameSender & FrameReceiver;
  /** The PF driver's listener (the events of types.ts). */
  onEvent: SriovNicListener | undefined;

  // The state the PF's BAR shows (pf-bar.ts reads and writes it).
  regs: PfRegs = { ctrl: 0, ctrlExt: 0, icr: 0, ims: 0 };
  readonly rar = new Uint32Array(2 * PF_RAR_ENTRIES);
  readonly vfre = new VfBitmap();
  readonly vfte = new VfBitmap();
  readonly vflre = new VfBitmap();
  readonly wvbr = new VfBitmap();
  spoofEvents = 0;
  readonly admin: VfAdmin[] = Array.from({ length: TOTAL_VFS }, resetAdmin);
  readonly counters: VfCounters[] = Array.from({ length: TOTAL_VFS }, zeroVfCounters);
  readonly boxes: Mailbox[];

  private vfs: VirtualFunction[] = [];
  private level = false;
  /** NumVFs as last written while VF Enable was clear (writes while set are undone). */
  private numVfs = 0;
  private readonly host: VfHost | undefined;
  private readonly routingId: number | undefined;
  private readonly bar0: BusDevice = {
    read: (offset, size) => (size === 4 && (offset & 3) === 0 ? pfBarRead(this, offset) >>> 0 : 0),
    write: (offset, size, value) => { if (size === 4 && (offset & 3) === 0) pfBarWrite(this, offset, value >>> 0); },
  };

  constructor(private readonly ctx: PciFunctionContext, options: SriovNicOptions = {}) {
    this.name = options.name ?? 'sriov-nic';
    (this.vfParent as { name: string }).name = this.name;
    this.mac = macOf(options.mac ?? DEFAULT_PF_MAC);
    const bus = pciBusContext(ctx);
    this.host = options.vfHost ?? bus?.bus;
    this.routingId = options.routingId ?? bus?.routingId;
    this.config = new ConfigSpace({ vendorId: SRIOV_NIC_VENDOR_ID, deviceId: PF_DEVICE_ID, classCode: NIC_CLASS, bars: [PF_BAR_SIZE] });
    this.sriov = addSriovCapability(this.config, { totalVfs: TOTAL_VFS, firstVfOffset: FIRST_VF_OFFSET, vfStride: VF_STRIDE, vfDeviceId: VF_DEVICE_ID, vfBars: vfBarSizes() });
    const cap = this.sriov.offset;
    this.config.watch(cap + SRIOV.NUM_VFS, 2, () => {
      if (this.sriov.vfEnabled) this.config.set16(cap + SRIOV.NUM_VFS, this.numVfs);
      else this.numVfs = this.sriov.numVfs;
    });
    this.config.watch(cap + SRIOV.CONTROL, 2, () => this.syncVfs());
    this.boxes = Array.from({ length: TOTAL_VFS }, (_, vf) => new Mailbox(vf, {
      toPf: (v, what) => this.mailboxSignal(v, what),
      toVf: (v) => this.vfs[v]?.mailboxCause(),
      counters: (v) => this.counters[v]!,
    }));
    this.mailbox = new PfMailbox((vf) => (vf >= 0 && vf < this.vfs.length ? this.boxes[vf] : undefined));
    this.veb = new Veb(this.name, {
      vfCount: () => this.vfs.length,
      admin: (vf) => this.admin[vf]!,
      txEnabled: (vf) => this.vfte.has(vf),
      rxEnabled: (vf) => this.vfre.has(vf),
      deliverToVf: (vf, frame) => {
        const f = this.vfs[vf];
        return f ? f.receive(frame) : 'disabled';
      },
      pfAccepts: (frame) => this.pfAccepts(frame),
      spoof: (vf, what, frame, vlan) => this.spoofed(vf, what, frame, vlan),
      counters: (vf) => this.counters[vf]!,
    });
    this.veb.observer = options.observer;
    this.pfPort = { connect: (peer) => { this.veb.pf = peer; }, receive: (frame) => this.veb.fromPf(frame) };
    this.resetRegisters();
  }

  /** The uplink: frames the NIC sends to the wire go to `peer`. */
  connect(peer: FrameReceiver): void {
    this.veb.uplink = peer;
  }

  /** A frame from the wire. */
  receive(frame: Uint8Array): void {
    this.veb.fromUplink(frame);
  }

  set observer(o: FrameObserver | undefined) {
    this.veb.observer = o;
  }

  bar(n: number): BusDevice | undefined {
    return n === 0 ? this.bar0 : undefined;
  }

  // --- the VFs ----------------------------------------------------------------

  /** How many VFs exist now. */
  get vfCount(): number {
    return this.vfs.length;
  }

  /** VF `index`, while it exists. */
  vf(index: number): VirtualFunction | undefined {
    return this.vfs[index];
  }

  /** VF `index`'s routing ID (bus << 8 | device << 3 | function), or undefined if the PF is not on a bus. */
  vfRoutingId(index: number): number | undefined {
    return this.routingId === undefined ? undefined : this.sriov.vfRoutingId(this.routingId, index);
  }

  /** Make the VFs on the bus match VF Enable and NumVFs (0 -> n or n -> 0: NumVFs is fixed while enabled). */
  private syncVfs(): void {
    const want = this.sriov.enabledVfs;
    if (want === this.vfs.length) return;
    this.removeVfs();
    if (want > 0 && this.host && this.routingId !== undefined) {
      for (let i = 0; i < want; i++) {
        const rid = this.sriov.vfRoutingId(this.routingId, i);
        if (rid > 0xff) break; // bus 0 only: VFs past it do not appear
        const made = this.placeVf(rid, i);
        if (!made) break;
        this.vfs.push(made);
      }
    }
    this.emit({ kind: 'vfs', count: this.vfs.length });
  }

  private placeVf(rid: number, index: number): VirtualFunction | undefined {
    let made: VirtualFunction | undefined;
    try {
      this.host!.add({ device: rid >>> 3, function: rid & 7, make: (ctx) => (made = new VirtualFunction(ctx, this.vfParent, this.sriov, index)) });
    } catch {
      return undefined; // the slot is taken: this VF and the ones after it do not appear
    }
    return made;
  }

  private removeVfs(): void {
    if (this.vfs.length === 0) return;
    for (let i = 0; i < this.vfs.length; i++) {
      const rid = this.sriov.vfRoutingId(this.routingId!, i);
      this.host!.remove(rid >>> 3, rid & 7);
      this.boxes[i]!.clear();
    }
    this.vfs = [];
    this.mailbox.requests.clear();
    this.mailbox.acks.clear();
  }

  private readonly vfParent: VfParent = {
    name: '', // set in the constructor
    mailbox: (vf: number) => this.boxes[vf]!,
    counters: (vf: number) => this.counters[vf]!,
    transmit: (vf: number, frame: Uint8Array) => this.veb.fromVf(vf, frame),
    vfWasReset: (vf: number, cause: VfResetCause) => this.vfWasReset(vf, cause),
    event: (e: SriovNicEvent) => this.emit(e),
  };

  private vfWasReset(vf: number, cause: VfResetCause): void {
    this.vfre.set(vf, false);
    this.vfte.set(vf, false);
    clearVfFilters(this.admin[vf]!);
    this.mailbox.requests.set(vf, false);
    this.mailbox.acks.set(vf, false);
    this.boxes[vf]!.resetByVf();
    this.counters[vf]!.resets++;
    this.vflre.set(vf);
    this.cause(PF_INT.VMMB);
    this.emit({ kind: 'vf-reset', vf, cause });
  }

  private mailboxSignal(vf: number, what: 'req' | 'ack'): void {
    (what === 'req' ? this.mailbox.requests : this.mailbox.acks).set(vf);
    this.cause(PF_INT.VMMB);
    this.emit({ kind: what === 'req' ? 'mailbox-request' : 'mailbox-ack', vf });
    if (what === 'req' && this.mailbox.onMessage) {
      const words = this.mailbox.receive(vf);
      if (words) this.mailbox.onMessage(vf, words);
    }
  }

  private spoofed(vf: number, what: 'mac' | 'vlan', frame: Uint8Array, vlan: number | undefined): void {
    this.wvbr.set(vf);
    this.spoofEvents++;
    this.cause(PF_INT.MDD);
    const src = formatMac(frame, 6);
    this.emit({ kind: 'spoof', vf, what, src, ...(vlan === undefined ? {} : { vlan }) });
  }

  private pfAccepts(frame: Uint8Array): boolean {
    for (let n = 0; n < PF_RAR_ENTRIES; n++) {
      const lo = this.rar[2 * n]!;
      const hi = this.rar[2 * n + 1]!;
      if ((hi & RAH_AV) === 0) continue;
      if (frame[0] === (lo & 0xff) && frame[1] === ((lo >>> 8) & 0xff) && frame[2] === ((lo >>> 16) & 0xff) && frame[3] === (lo >>> 24)
        && frame[4] === (hi & 0xff) && frame[5] === ((hi >>> 8) & 0xff)) return true;
    }
    return false;
  }

  private emit(e: SriovNicEvent): void {
    this.onEvent?.(e);
  }

  // --- interrupts -------------------------------------------------------------

  cause(bits: number): void {
    this.regs.icr |= bits;
    this.updateInterrupt();
  }

  updateInterrupt(): void {
    const level = (this.regs.icr & this.regs.ims) !== 0;
    if (level === this.level) return;
    this.level = level;
    this.ctx.irq(0, level);
  }

  // --- the PF driver's settings for each VF (the same state as the VF blocks of BAR0) ---

  setVfMac(vf: number, mac: string | Uint8Array | undefined): void {
    checkVf(vf);
    setMac(this.admin[vf]!, mac === undefined ? undefined : macOf(mac));
  }

  vfMac(vf: number): string | undefined {
    checkVf(vf);
    const b = macBytesOf(this.admin[vf]!);
    return b && formatMac(b);
  }

  /** The VF's port VLAN (1..4094), or 0 for none. */
  setVfPortVlan(vf: number, vid: number): void {
    checkVf(vf);
    if (!Number.isInteger(vid) || vid < 0 || vid > MAX_VLAN_ID) throw new RangeError(`sriov-nic: VLAN ${vid} out of range 0..${MAX_VLAN_ID}`);
    this.admin[vf]!.portVlan = vid;
  }

  setVfSpoofCheck(vf: number, on: boolean): void {
    this.setCtl(vf, VF_CTL.MAC_ANTISPOOF | VF_CTL.VLAN_ANTISPOOF, on);
  }

  setVfTrust(vf: number, on: boolean): void {
    this.setCtl(vf, VF_CTL.TRUST, on);
  }

  vfTrusted(vf: number): boolean {
    checkVf(vf);
    return (this.admin[vf]!.ctl & VF_CTL.TRUST) !== 0;
  }

  setVfMulticastPromiscuous(vf: number, on: boolean): void {
    this.setCtl(vf, VF_CTL.MPE, on);
  }

  /** VFRE and VFTE for one VF. */
  setVfQueuesEnabled(vf: number, rx: boolean, tx: boolean): void {
    checkVf(vf);
    this.vfre.set(vf, rx);
    this.vfte.set(vf, tx);
  }

  /** Add VLAN `vid` to the VF's filter; false when its 4 entries are taken. */
  addVfVlan(vf: number, vid: number): boolean {
    checkVf(vf);
    if (!Number.isInteger(vid) || vid < 1 || vid > MAX_VLAN_ID) throw new RangeError(`sriov-nic: VLAN ${vid} out of range 1..${MAX_VLAN_ID}`);
    const v = this.admin[vf]!.vlans;
    if (v.some((e) => (e & VALID) !== 0 && (e & 0xfff) === vid)) return true;
    const free = v.findIndex((e) => (e & VALID) === 0);
    if (free < 0) return false;
    v[free] = (VALID | vid) >>> 0;
    return true;
  }

  removeVfVlan(vf: number, vid: number): void {
    checkVf(vf);
    const v = this.admin[vf]!.vlans;
    for (let i = 0; i < v.length; i++) if ((v[i]! & VALID) !== 0 && (v[i]! & 0xfff) === vid) v[i] = 0;
  }

  /** The VF's multicast table from 12-bit hashes (as SET_MULTICAST carries them): bit hash >> 5 of 128. */
  setVfMulticast(vf: number, hashes: readonly number[]): void {
    checkVf(vf);
    const mta = this.admin[vf]!.mta;
    mta.fill(0);
    for (const h of hashes) {
      const bit = (h & 0xfff) >>> 5;
      mta[bit >>> 5] = (mta[bit >>> 5]! | (1 << (bit & 31))) >>> 0;
    }
  }

  /** A copy of the VF's settings. */
  vfAdmin(vf: number): VfAdmin {
    checkVf(vf);
    return copyAdmin(this.admin[vf]!);
  }

  /** A copy of the VF's counters (they survive its resets). */
  vfCounters(vf: number): VfCounters {
    checkVf(vf);
    return { ...this.counters[vf]! };
  }

  /**
   * A function-level reset of VF `vf` started from the host side (as VFIO
   * resets a VF before handing it to another VM): the same as the VF's own FLR.
   * False if the VF does not exist.
   */
  resetVf(vf: number): boolean {
    const f = this.vfs[vf];
    if (!f) return false;
    f.functionReset('flr');
    return true;
  }

  /** Forget what VF `vf` asked for (VLAN entries, multicast table, multicast promiscuous), as igb's PF driver does on VF_RESET. */
  clearVfFilters(vf: number): void {
    checkVf(vf);
    clearVfFilters(this.admin[vf]!);
  }

  /** WVBR: the VFs that sent spoofed frames since the last call (read and cleared). */
  takeSpoofEvents(): number[] {
    const vfs = this.wvbr.list();
    this.wvbr.clear();
    return vfs;
  }

  /** VFLRE: the VFs reset since the last call (read and cleared). */
  takeResetEvents(): number[] {
    const vfs = this.vflre.list();
    this.vflre.clear();
    return vfs;
  }

  private setCtl(vf: number, bits: number, on: boolean): void {
    checkVf(vf);
    const a = this.admin[vf]!;
    a.ctl = on ? a.ctl | bits : a.ctl & ~bits;
  }

  // --- resets and state -------------------------------------------------------

  private resetRegisters(): void {
    this.regs = { ctrl: 0, ctrlExt: 0, icr: 0, ims: 0 };
    this.rar.fill(0);
    const m = this.mac;
    this.rar[0] = (m[0]! | (m[1]! << 8) | (m[2]! << 16) | (m[3]! << 24)) >>> 0;
    this.rar[1] = (m[4]! | (m[5]! << 8) | RAH_AV) >>> 0;
    for (const b of [this.vfre, this.vfte, this.vflre, this.wvbr, this.mailbox.requests, this.mailbox.acks]) b.clear();
    for (let vf = 0; vf < TOTAL_VFS; vf++) this.admin[vf] = resetAdmin();
  }

  /**
   * CTRL.RST: the PF's registers and every VF setting back to reset; the VFs
   * stay enabled but their queues and interrupts are cleared and their
   * mailboxes show RSTI until the PF driver sets CTRL_EXT.PFRSTD. Counters are kept.
   */
  softReset(): void {
    this.resetRegisters();
    for (const vf of this.vfs) vf.reset();
    for (let i = 0; i < this.vfs.length; i++) this.boxes[i]!.pfResetting(true);
    this.updateInterrupt();
  }

  /** CTRL_EXT.PFRSTD: the PF driver is ready; each VF's RSTI becomes RSTD. */
  pfResetDone(): void {
    for (let i = 0; i < this.vfs.length; i++) this.boxes[i]!.pfResetting(false);
  }

  /** Power-on (the bus reset the configuration space first: VF Enable is off, so the VFs go). */
  reset(): void {
    this.numVfs = 0;
    this.syncVfs();
    this.resetRegisters();
    for (const b of this.boxes) b.clear();
    for (let vf = 0; vf < TOTAL_VFS; vf++) this.counters[vf] = zeroVfCounters();
    this.spoofEvents = 0;
    this.veb.counters = zeroVebCounters();
    this.updateInterrupt();
  }

  save(): SriovNicState {
    return {
      regs: { ...this.regs },
      rar: Array.from(this.rar),
      vfre: this.vfre.save(),
      vfte: this.vfte.save(),
      vflre: this.vflre.save(),
      wvbr: this.wvbr.save(),
      requests: this.mailbox.requests.save(),
      acks: this.mailbox.acks.save(),
      spoofEvents: this.spoofEvents,
      vfs: this.admin.flatMap((a, vf) => {
        const counters = this.counters[vf]!;
        const box = this.boxes[vf]!;
        if (isResetAdmin(a) && Object.values(counters).every((n) => n === 0) && box.isClear()) return [];
        return [{ vf, admin: copyAdmin(a), counters: { ...counters }, mailbox: box.save() }];
      }),
      veb: { ...this.veb.counters, uplink: { ...this.veb.counters.uplink }, pf: { ...this.veb.counters.pf } },
      level: this.level,
      numVfs: this.numVfs,
    };
  }

  /** The PF's state; the VFs its restored configuration enables are put on the bus (the bus restores them next). */
  restore(state: unknown): void {
    const s = state as SriovNicState;
    this.regs = { ...s.regs };
    this.rar.set(s.rar);
    this.vfre.restore(s.vfre);
    this.vfte.restore(s.vfte);
    this.vflre.restore(s.vflre);
    this.wvbr.restore(s.wvbr);
    this.spoofEvents = s.spoofEvents;
    for (let vf = 0; vf < TOTAL_VFS; vf++) {
      this.admin[vf] = resetAdmin();
      this.counters[vf] = zeroVfCounters();
    }
    for (const v of s.vfs) {
      this.admin[v.vf] = copyAdmin(v.admin);
      this.counters[v.vf] = { ...v.counters };
    }
    this.veb.counters = { ...s.veb, uplink: { ...s.veb.uplink }, pf: { ...s.veb.pf } };
    this.level = s.level;
    this.numVfs = s.numVfs;
    this.syncVfs();
    this.mailbox.requests.restore(s.requests);
    this.mailbox.acks.restore(s.acks);
    for (const b of this.boxes) b.clear();
    for (const v of s.vfs) this.boxes[v.vf]!.restore(v.mailbox);
  }
}

/** A PCI function factory: `pciBoardDevice([{ device: 8, make: sriovNicFunction({ mac }) }])` (the VFs take devices 9..16). */
export function sriovNicFunction(options: SriovNicOptions = {}): (ctx: PciFunctionContext) => SriovNic {
  return (ctx) => new SriovNic(ctx, options);
}
