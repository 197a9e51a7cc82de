// A function's 4 KiB configuration space (docs/nics.md "PCI configuration
// space"): the type-0 header, a capability list from 0x34 in 0x40..0xFF, and
// extended capabilities linked from 0x100. Every byte has a write mask, so
// read-only IDs, BAR sizing (all ones reads back ~(size - 1)) and writable
// capability fields all follow from one rule: a configuration write changes
// only the bits its mask allows. The function itself sets any byte with the
// raw setters (set8/16/32), e.g. a status bit or a capability's read-only field.

import type { AccessSize } from '../../machine/device.js';
import type { PciConfig } from './function.js';

export const CONFIG_SPACE_SIZE = 4096;

/** Header offsets (type 0). */
export const PCI = {
  VENDOR_ID: 0x00,
  DEVICE_ID: 0x02,
  COMMAND: 0x04,
  STATUS: 0x06,
  REVISION: 0x08,
  CLASS: 0x09, // 3 bytes: prog-if, subclass, class
  HEADER_TYPE: 0x0e,
  BAR0: 0x10,
  SUBSYSTEM_VENDOR_ID: 0x2c,
  SUBSYSTEM_ID: 0x2e,
  CAPABILITIES: 0x34,
  INTERRUPT_LINE: 0x3c,
  INTERRUPT_PIN: 0x3d,
} as const;

export const COMMAND = { MEMORY: 1 << 1, BUS_MASTER: 1 << 2, INTX_DISABLE: 1 << 10 } as const;
export const STATUS = { INTERRUPT: 1 << 3, CAP_LIST: 1 << 4 } as const;
export const HEADER_MULTI_FUNCTION = 0x80;
export const BAR_COUNT = 6;

/** Capability IDs. */
export const CAP = { VENDOR: 0x09, MSIX: 0x11 } as const;
/** Extended capability IDs. */
export const EXT_CAP = { SRIOV: 0x0010 } as const;

const CAP_START = 0x40;
const CAP_END = 0x100;
const EXT_START = 0x100;

export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  /** 24 bits: class << 16 | subclass << 8 | prog-if (0x020000: Ethernet). */
  classCode: number;
  revision?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** Header type bit 7: the device has more functions than function 0. */
  multiFunction?: boolean;
  /** Interrupt pin (default 1, INTA; 0: no INTx). */
  interruptPin?: number;
  /** Sizes in bytes of BAR0.. (powers of two, at least 16; 0: no such BAR). */
  bars?: readonly number[];
}

/** Called after a configuration write that touched [offset, offset + length) of a watched range. */
export type ConfigWriteHook = (offset: number, size: AccessSize) => void;

interface Watch {
  offset: number;
  length: number;
  hook: ConfigWriteHook;
}

/** How the bus resolves a vector of this function to a line without reading the MSI-X table through the BAR (set by msix.ts's Msix). */
export interface MsixRouter {
  readonly enabled: boolean;
  /** The line the vector drives now, or undefined (masked, or not a valid message). */
  route(vector: number): number | undefined;
}

export interface ConfigSpaceState {
  /** All 4096 bytes (a copy: snapshots are kept by the thousand, so not a number[]). */
  bytes: Uint8Array;
}

export class ConfigSpace implements PciConfig {
  /** The current contents (read by the guest through read(), by the function directly). */
  readonly bytes = new Uint8Array(CONFIG_SPACE_SIZE);
  /** Per byte: the bits a configuration write may change. */
  private readonly wmask = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly sizes: number[] = [0, 0, 0, 0, 0, 0];
  private readonly watches: Watch[] = [];
  /**
   * The function's MSI-X table, when an Msix was built on this space: the bus
   * asks it directly, so that resolving a vector never shows up as a BAR access
   * in the function's register counters.
   */
  msixRouter: MsixRouter | undefined;
  private lastCap = 0;
  private nextCap = CAP_START;
  private lastExt = 0;
  private nextExt = EXT_START;

  constructor(id: PciIdentity) {
    this.set16(PCI.VENDOR_ID, id.vendorId);
    this.set16(PCI.DEVICE_ID, id.deviceId);
    this.set8(PCI.REVISION, id.revision ?? 0);
    this.set8(PCI.CLASS, id.classCode & 0xff);
    this.set16(PCI.CLASS + 1, (id.classCode >>> 8) & 0xffff);
    this.set8(PCI.HEADER_TYPE, id.multiFunction ? HEADER_MULTI_FUNCTION : 0);
    this.set16(PCI.SUBSYSTEM_VENDOR_ID, id.subsystemVendorId ?? 0);
    this.set16(PCI.SUBSYSTEM_ID, id.subsystemId ?? 0);
    this.set8(PCI.INTERRUPT_PIN, id.interruptPin ?? 1);
    this.setWritable(PCI.COMMAND, 2, COMMAND.MEMORY | COMMAND.BUS_MASTER | COMMAND.INTX_DISABLE);
    this.setWritable(PCI.INTERRUPT_LINE, 1, 0xff);
    (id.bars ?? []).forEach((size, n) => { if (size) this.defineBar(n, size); });
  }

  /** Give the function BAR n: a 32-bit, non-prefetchable memory BAR of `size` bytes. */
  defineBar(n: number, size: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= BAR_COUNT) throw new RangeError(`PCI: no BAR ${n}`);
    if (!Number.isInteger(size) || size < 16 || size > 0x8000_0000 || (size & (size - 1)) !== 0) {
      throw new RangeError(`PCI: BAR size ${size} is not a power of two from 16 to 2 GiB`);
    }
    this.sizes[n] = size;
    this.setWritable(PCI.BAR0 + 4 * n, 4, ~(size - 1) & ~0xf);
  }

  // --- PciConfig --------------------------------------------------------------

  read(offset: number, size: AccessSize): number {
    if (!this.inRange(offset, size)) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
    return this.get(offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (!this.inRange(offset, size)) return;
    for (let i = 0; i < size; i++) {
      const m = this.wmask[offset + i]!;
      if (m === 0) continue;
      const b = (value >>> (8 * i)) & 0xff;
      this.bytes[offset + i] = (this.bytes[offset + i]! & ~m) | (b & m);
    }
    for (const w of this.watches) {
      if (offset < w.offset + w.length && w.offset < offset + size) w.hook(offset, size);
    }
  }

  barAddress(n: number): number | undefined {
    const size = this.barSize(n);
    if (size === 0 || !this.memoryEnabled) return undefined;
    const addr = this.get32(PCI.BAR0 + 4 * n) & ~(size - 1) & ~0xf;
    return addr === 0 ? undefined : addr >>> 0;
  }

  barSize(n: number): number {
    return this.sizes[n] ?? 0;
  }

  // --- the header fields, for the bus and the function ------------------------

  get vendorId(): number { return this.get16(PCI.VENDOR_ID); }
  get deviceId(): number { return this.get16(PCI.DEVICE_ID); }
  get command(): number { return this.get16(PCI.COMMAND); }
  get memoryEnabled(): boolean { return (this.command & COMMAND.MEMORY) !== 0; }
  get busMaster(): boolean { return (this.command & COMMAND.BUS_MASTER) !== 0; }
  get intxDisabled(): boolean { return (this.command & COMMAND.INTX_DISABLE) !== 0; }
  get interruptLine(): number { return this.get8(PCI.INTERRUPT_LINE); }
  get interruptPin(): number { return this.get8(PCI.INTERRUPT_PIN); }
  get multiFunction(): boolean { return (this.get8(PCI.HEADER_TYPE) & HEADER_MULTI_FUNCTION) !== 0; }

  /** Status bit 3: the bus sets it while the function's INTx is asserted. */
  setInterruptStatus(pending: boolean): void {
    const s = this.get16(PCI.STATUS);
    this.set16(PCI.STATUS, pending ? s | STATUS.INTERRUPT : s & ~STATUS.INTERRUPT);
  }

  /** The raw BAR register (what the guest wrote, masked), whatever the command register says. */
  barRegister(n: number): number {
    return this.get32(PCI.BAR0 + 4 * n);
  }

  // --- capabilities -----------------------------------------------------------

  /**
   * Append a capability of `length` bytes (ID and next pointer included) to the
   * list from 0x34; returns its offset. Its body is read-only until setWritable().
   */
  addCapability(id: number, length: number): number {
    const len = (length + 3) & ~3;
    if (length < 2 || this.nextCap + len > CAP_END) throw new RangeError(`PCI: no room for a ${length}-byte capability`);
    const off = this.nextCap;
    this.nextCap += len;
    this.set8(off, id);
    this.set8(off + 1, 0);
    if (this.lastCap === 0) this.set8(PCI.CAPABILITIES, off);
    else this.set8(this.lastCap + 1, off);
    this.lastCap = off;
    this.set16(PCI.STATUS, this.get16(PCI.STATUS) | STATUS.CAP_LIST);
    return off;
  }

  /**
   * Append an extended capability (header: ID bits 15..0, version 19..16, next
   * 31..20) of `length` bytes, header included; the first sits at 0x100. Returns its offset.
   */
  addExtendedCapability(id: number, version: number, length: number): number {
    const len = (length + 3) & ~3;
    if (length < 4 || this.nextExt + len > CONFIG_SPACE_SIZE) throw new RangeError(`PCI: no room for a ${length}-byte extended capability`);
    const off = this.nextExt;
    this.nextExt += len;
    this.set32(off, (id & 0xffff) | ((version & 0xf) << 16));
    if (this.lastExt !== 0) this.set32(this.lastExt, (this.get32(this.lastExt) & 0x000fffff) | (off << 20));
    this.lastExt = off;
    return off;
  }

  /**
   * A vendor-specific capability (ID 0x09): [0x09, next, cap_len, ...body], cap_len
   * = 3 + body.length (virtio 1.x's virtio_pci_cap: body = cfg_type, bar, 3 padding
   * bytes, offset (4), length (4), and for notify the multiplier (4)). Returns its offset.
   */
  addVendorCapability(body: ArrayLike<number>): number {
    const off = this.addCapability(CAP.VENDOR, 3 + body.length);
    this.set8(off + 2, 3 + body.length);
    for (let i = 0; i < body.length; i++) this.set8(off + 3 + i, body[i]!);
    return off;
  }

  /**
   * The MSI-X capability (12 bytes): message control (table size - 1 in bits
   * 10..0; function mask bit 14 and enable bit 15 writable), table offset | BIR,
   * PBA offset | BIR. Offsets must be 8-aligned. Returns its offset. (msix.ts
   * builds this and the table together: prefer `new Msix(...)`.)
   */
  addMsixCapability(vectors: number, tableBar: number, tableOffset: number, pbaBar: number, pbaOffset: number): number {
    if (!Number.isInteger(vectors) || vectors < 1 || vectors > 2048) throw new RangeError(`PCI: ${vectors} MSI-X vectors`);
    if ((tableOffset & 7) !== 0 || (pbaOffset & 7) !== 0) throw new RangeError('PCI: MSI-X table and PBA offsets must be 8-aligned');
    const off = this.addCapability(CAP.MSIX, 12);
    this.set16(off + 2, vectors - 1);
    this.set32(off + 4, (tableOffset | (tableBar & 7)) >>> 0);
    this.set32(off + 8, (pbaOffset | (pbaBar & 7)) >>> 0);
    this.setWritable(off + 3, 1, 0xc0);
    return off;
  }

  /** Offsets of every capability with `id` on the list from 0x34, in list order. */
  findCapabilities(id: number): number[] {
    const found: number[] = [];
    let p = this.get8(PCI.CAPABILITIES) & ~3;
    for (let guard = 0; p !== 0 && guard < 64; guard++) {
      if (this.get8(p) === id) found.push(p);
      p = this.get8(p + 1) & ~3;
    }
    return found;
  }

  findCapability(id: number): number | undefined {
    return this.findCapabilities(id)[0];
  }

  findExtendedCapability(id: number): number | undefined {
    let p = EXT_START;
    for (let guard = 0; p !== 0 && guard < 1024; guard++) {
      const h = this.get32(p);
      if (h === 0) return undefined;
      if ((h & 0xffff) === id) return p;
      p = (h >>> 20) & ~3;
    }
    return undefined;
  }

  /** Let configuration writes change the `mask` bits of the 1..4-byte little-endian field at `offset`. */
  setWritable(offset: number, length: 1 | 2 | 3 | 4, mask: number): void {
    for (let i = 0; i < length; i++) this.wmask[offset + i] = (mask >>> (8 * i)) & 0xff;
  }

  /** Let configuration writes change every bit of [offset, offset + length) (or none: `writable` false). */
  setWritableBytes(offset: number, length: number, writable = true): void {
    this.wmask.fill(writable ? 0xff : 0, offset, offset + length);
  }

  /** Call `hook` after every configuration write touching [offset, offset + length). */
  watch(offset: number, length: number, hook: ConfigWriteHook): void {
    this.watches.push({ offset, length, hook });
  }

  // --- raw access (the function's side: no masks, no hooks) --------------------

  get8(offset: number): number { return this.bytes[offset]!; }
  get16(offset: number): number { return this.bytes[offset]! | (this.bytes[offset + 1]! << 8); }
  get32(offset: number): number { return (this.get16(offset) | (this.get16(offset + 2) << 16)) >>> 0; }
  set8(offset: number, v: number): void { this.bytes[offset] = v & 0xff; }
  set16(offset: number, v: number): void { this.set8(offset, v); this.set8(offset + 1, v >>> 8); }
  set32(offset: number, v: number): void { this.set16(offset, v); this.set16(offset + 2, v >>> 16); }

  // --- state ------------------------------------------------------------------

  /** Power-on state: every writable bit 0 (BARs unassigned, decoding off, MSI-X off), INTx status clear. */
  reset(): void {
    for (let i = 0; i < CONFIG_SPACE_SIZE; i++) {
      const m = this.wmask[i]!;
      if (m !== 0) this.bytes[i] = this.bytes[i]! & ~m;
    }
    this.setInterruptStatus(false);
  }

  save(): ConfigSpaceState {
    return { bytes: this.bytes.slice() };
  }

  restore(state: unknown): void {
    const s = state as { bytes?: ArrayLike<number> } | undefined;
    if (!s?.bytes || s.bytes.length !== CONFIG_SPACE_SIZE) throw new Error('PCI: malformed configuration space state');
    this.bytes.set(s.bytes);
  }

  private get(offset: number, size: AccessSize): number {
    return size === 1 ? this.get8(offset) : size === 2 ? this.get16(offset) : this.get32(offset);
  }

  private inRange(offset: number, size: AccessSize): boolean {
    return Number.isInteger(offset) && offset >= 0 && offset + size <= CONFIG_SPACE_SIZE && offset % size === 0;
  }
}
