// The monitor's IOMMU driver: the software side of docs/iommu.md. It builds
// the remapping structures in host memory out of frames the monitor hands it
// (a root table, a context table per bus, one second-level directory and its
// tables per domain), programs the registers as a VT-d driver does (RTADDR,
// GCMD.SRTP then TE, IOTLB invalidations) and services the fault records.
// A monitor makes one domain per VM mapping guest-physical to host-physical
// over the VM's RAM, and attaches the VM's functions (routing IDs) to it.
//
// Changing a mapping that may be cached (remap, unmap) needs invalidate():
// as on VT-d the IOTLB keeps the old translation until told.

import type { FaultRecord } from './faults.js';
import {
  CCMD_ICC, CONTEXT_DID_SHIFT, FAULT_REASONS, CONTEXT_ENTRY_SIZE, CONTEXT_TT_SHIFT, ENTRY_P, FECTL, FRAME_MASK, FRCD, FSTS, GCMD,
  GRANULARITY, IOTLB, REG, ROOT_ENTRY_SIZE, SL, TT, isDomainId, isRoutingId, requesterName, splitRoutingId,
} from './format.js';
import type { Iommu } from './iommu.js';

/** Where the driver's table frames come from: zeroed 4 KiB frames of host memory (the monitor's FramePool fits). */
export interface FrameAllocator {
  alloc(): number | undefined;
  release?(frame: number): void;
}

/** `length` bytes at I/O virtual address `iova` (guest-physical, for a VM's domain) onto host-physical `hpa`; all page-aligned. */
export interface DomainMapping {
  iova: number;
  hpa: number;
  length: number;
  /** Default true. */
  read?: boolean;
  /** Default true. */
  write?: boolean;
}

export interface DomainInfo {
  id: number;
  /** Host-physical address of its second-level directory. */
  root: number;
  /** Routing IDs attached to it. */
  requesters: number[];
}

export interface IommuDriverState {
  rootTable: number;
  domains: [id: number, root: number][];
  attached: [routingId: number, domain: number | null][];
}

const PAGE = 0x1000;

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

export class IommuDriver {
  private rootTable = 0;
  private readonly domainRoots = new Map<number, number>();
  /** Routing ID -> domain, or null for pass-through. */
  private readonly attached = new Map<number, number | null>();

  constructor(readonly iommu: Iommu, private readonly frames: FrameAllocator) {}

  // --- tables in memory ---------------------------------------------------------------

  private read32(addr: number): number {
    const b = this.iommu.memory.read(addr, 4);
    if (!b) throw new Error(`iommu driver: table word at ${hex(addr)} is outside memory`);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  private write32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    if (!this.iommu.memory.write(addr, b)) throw new Error(`iommu driver: table word at ${hex(addr)} is outside memory`);
  }

  private frame(what: string): number {
    const f = this.frames.alloc();
    if (f === undefined) throw new Error(`iommu driver: no free frame for ${what}`);
    if (f % PAGE !== 0) throw new Error(`iommu driver: the allocator gave ${hex(f)}, not a page-aligned frame`);
    return f;
  }

  // --- turning it on ------------------------------------------------------------------

  /** Allocate the root table, point the IOMMU at it and turn translation on (idempotent). */
  enable(): void {
    if (this.rootTable === 0) this.rootTable = this.frame('the root table');
    const io = this.iommu;
    io.writeRegister(REG.RTADDR, this.rootTable);
    io.writeRegister(REG.GCMD, GCMD.SRTP | (io.translating ? GCMD.TE : 0));
    io.writeRegister(REG.CCMD, CCMD_ICC);
    this.invalidate();
    io.writeRegister(REG.GCMD, GCMD.TE);
  }

  /** Turn translation off: DMA passes untranslated again. */
  disable(): void {
    this.iommu.writeRegister(REG.GCMD, 0);
  }

  /** Raise interrupt line `line` on a fault (FEDATA, then unmask FECTL.IM). */
  enableFaultEvents(line: number): void {
    this.iommu.writeRegister(REG.FEDATA, line);
    this.iommu.writeRegister(REG.FECTL, 0);
  }

  // --- domains -------------------------------------------------------------------------

  /** A new domain with these mappings. Throws if it exists, on a bad mapping, or when frames run out. */
  buildDomain(id: number, mappings: readonly DomainMapping[] = []): DomainInfo {
    if (!isDomainId(id)) throw new RangeError(`iommu driver: domain ID ${id} is not 0..65535`);
    if (this.domainRoots.has(id)) throw new Error(`iommu driver: domain ${id} exists`);
    for (const m of mappings) checkMapping(m);
    this.domainRoots.set(id, this.frame(`domain ${id}'s directory`));
    for (const m of mappings) this.map(id, m);
    return this.domain(id)!;
  }

  /** Map (or remap) pages into a domain. A remap of a cached page is seen after invalidate(). */
  map(id: number, m: DomainMapping): void {
    const root = this.rootOf(id);
    checkMapping(m);
    const perm = (m.read === false ? 0 : SL.R) | (m.write === false ? 0 : SL.W);
    for (let off = 0; off < m.length; off += PAGE) {
      const iova = (m.iova + off) >>> 0;
      const dirAt = root + (iova >>> 22) * 4;
      let dir = this.read32(dirAt);
      if ((dir & (SL.R | SL.W)) === 0) {
        dir = (this.frame(`a table of domain ${id}`) | SL.R | SL.W) >>> 0;
        this.write32(dirAt, dir);
      }
      this.write32(((dir & FRAME_MASK) >>> 0) + ((iova >>> 12) & 0x3ff) * 4, ((m.hpa + off) | perm) >>> 0);
    }
  }

  /** Unmap pages of a domain (tables stay). Cached translations stay until invalidate(). */
  unmap(id: number, iova: number, length: number): void {
    const root = this.rootOf(id);
    checkMapping({ iova, hpa: 0, length });
    for (let off = 0; off < length; off += PAGE) {
      const a = (iova + off) >>> 0;
      const dir = this.read32(root + (a >>> 22) * 4);
      if ((dir & (SL.R | SL.W)) !== 0) this.write32(((dir & FRAME_MASK) >>> 0) + ((a >>> 12) & 0x3ff) * 4, 0);
    }
  }

  /** Detach its requesters, free its frames and drop its IOTLB entries. */
  destroyDomain(id: number): void {
    const root = this.rootOf(id);
    for (const [rid, d] of [...this.attached]) if (d === id) this.detach(rid);
    for (let i = 0; i < 1024; i++) {
      const dir = this.read32(root + i * 4);
      if ((dir & (SL.R | SL.W)) !== 0) this.frames.release?.((dir & FRAME_MASK) >>> 0);
    }
    this.frames.release?.(root);
    this.domainRoots.delete(id);
    this.invalidate(id);
  }

  domain(id: number): DomainInfo | undefined {
    const root = this.domainRoots.get(id);
    if (root === undefined) return undefined;
    const requesters = [...this.attached].filter(([, d]) => d === id).map(([r]) => r).sort((a, b) => a - b);
    return { id, root, requesters };
  }

  domains(): DomainInfo[] {
    return [...this.domainRoots.keys()].sort((a, b) => a - b).map((id) => this.domain(id)!);
  }

  private rootOf(id: number): number {
    const root = this.domainRoots.get(id);
    if (root === undefined) throw new Error(`iommu driver: no domain ${id}`);
    return root;
  }

  // --- requesters ------------------------------------------------------------------------

  /** Route requester `routingId`'s DMA through domain `id` (seen at its next access: contexts are not cached). */
  attach(routingId: number, id: number): void {
    const root = this.rootOf(id);
    this.writeContext(routingId, (root | (TT.TRANSLATE << CONTEXT_TT_SHIFT) | ENTRY_P) >>> 0, id << CONTEXT_DID_SHIFT);
    this.attached.set(routingId, id);
  }

  /** Let requester `routingId` reach host memory untranslated (the host's own devices). */
  attachPassthrough(routingId: number): void {
    this.writeContext(routingId, (TT.PASSTHROUGH << CONTEXT_TT_SHIFT) | ENTRY_P, 0);
    this.attached.set(routingId, null);
  }

  /** Clear its context entry: its DMA faults (context not present) from then on. */
  detach(routingId: number): void {
    if (!this.attached.has(routingId)) return;
    const at = this.contextEntry(routingId, false);
    if (at !== undefined) {
      this.write32(at, 0);
      this.write32(at + 4, 0);
    }
    this.attached.delete(routingId);
  }

  private writeContext(routingId: number, lo: number, hi: number): void {
    if (!isRoutingId(routingId)) throw new RangeError(`iommu driver: routing ID ${routingId} is not 0..0xffff`);
    if (this.rootTable === 0) throw new Error('iommu driver: enable() first (no root table)');
    const at = this.contextEntry(routingId, true)!;
    // Domain ID first, then the present bit: the entry is never seen half-written.
    this.write32(at, 0);
    this.write32(at + 4, hi);
    this.write32(at, lo);
  }

  /** Address of the context entry of `routingId`; with `create`, allocate its bus's context table. */
  private contextEntry(routingId: number, create: boolean): number | undefined {
    const { bus, devfn } = splitRoutingId(routingId);
    const rootAt = this.rootTable + bus * ROOT_ENTRY_SIZE;
    let rootEntry = this.read32(rootAt);
    if ((rootEntry & ENTRY_P) === 0) {
      if (!create) return undefined;
      rootEntry = (this.frame(`bus ${bus}'s context table`) | ENTRY_P) >>> 0;
      this.write32(rootAt, rootEntry);
    }
    return ((rootEntry & FRAME_MASK) >>> 0) + devfn * CONTEXT_ENTRY_SIZE;
  }

  // --- invalidation and faults ----------------------------------------------------------

  /** IOTLB invalidation through IOTLB_REG: global, or domain-selective. */
  invalidate(id?: number): void {
    const g = id === undefined ? GRANULARITY.GLOBAL : GRANULARITY.DOMAIN;
    this.iommu.writeRegister(REG.IOTLB, (IOTLB.IVT | (g << IOTLB.IIRG_SHIFT) | ((id ?? 0) & IOTLB.DID_MASK)) >>> 0);
  }

  /** Page-selective invalidation (IVA_REG, then IOTLB_REG). */
  invalidatePage(id: number, iova: number): void {
    this.iommu.writeRegister(REG.IVA, iova);
    this.iommu.writeRegister(REG.IOTLB, (IOTLB.IVT | (GRANULARITY.PAGE << IOTLB.IIRG_SHIFT) | (id & IOTLB.DID_MASK)) >>> 0);
  }

  /**
   * A fault handler: read every full fault record (FSTS.FRI on, wrapping), free
   * each (F is write-1-to-clear) and clear an overflow. Oldest first.
   */
  serviceFaults(): FaultRecord[] {
    const io = this.iommu;
    const n = ((io.readRegister(REG.CAP) >>> 8) & 0xff) + 1;
    const fri = (io.readRegister(REG.FSTS) >>> FSTS.FRI_SHIFT) & 0xff;
    const out: FaultRecord[] = [];
    for (let k = 0; k < n; k++) {
      const at = REG.FRCD + 16 * ((fri + k) % n);
      const d3 = io.readRegister(at + 12);
      if ((d3 & FRCD.F) === 0) continue;
      const code = d3 & FRCD.FR_MASK;
      out.push({
        requester: io.readRegister(at + 8) & 0xffff,
        addr: io.readRegister(at) >>> 0,
        code,
        reason: FAULT_REASONS[code] ?? 'context-invalid', // codes this model never raises cannot appear
        access: (d3 & FRCD.T) !== 0 ? 'read' : 'write',
      });
      io.writeRegister(at + 12, FRCD.F);
    }
    io.writeRegister(REG.FSTS, FSTS.PFO);
    return out;
  }

  /** Whether the fault event is pending (FECTL.IP). */
  faultPending(): boolean {
    return (this.iommu.readRegister(REG.FECTL) & FECTL.IP) !== 0;
  }

  describe(routingId: number): string {
    const d = this.attached.get(routingId);
    return `${requesterName(routingId)}: ${d === undefined ? 'not attached' : d === null ? 'pass-through' : `domain ${d}`}`;
  }

  // --- snapshots --------------------------------------------------------------------------

  save(): IommuDriverState {
    return { rootTable: this.rootTable, domains: [...this.domainRoots], attached: [...this.attached] };
  }

  restore(s: IommuDriverState): void {
    this.rootTable = s.rootTable;
    this.domainRoots.clear();
    for (const [id, root] of s.domains) this.domainRoots.set(id, root);
    this.attached.clear();
    for (const [rid, d] of s.attached) this.attached.set(rid, d);
  }
}

function checkMapping(m: DomainMapping): void {
  const ok = (v: number) => Number.isInteger(v) && v >= 0 && v % PAGE === 0;
  if (!ok(m.iova) || !ok(m.hpa) || !ok(m.length) || m.length === 0) {
    throw new RangeError(`iommu driver: mapping ${hex(m.iova)}+${hex(m.length)} -> ${hex(m.hpa)} must be page-aligned and non-empty`);
  }
  if (m.iova + m.length > 2 ** 32 || m.hpa + m.length > 2 ** 32) {
    throw new RangeError(`iommu driver: mapping ${hex(m.iova)}+${hex(m.length)} -> ${hex(m.hpa)} runs past 4 GiB`);
  }
}
