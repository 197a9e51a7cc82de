// A VT-d-like IOMMU (docs/iommu.md): a board device with a page of registers,
// and the DMA path of every requester behind it. The PCI bus asks it for each
// function's Dma by routing ID (PciBus.iommu = iommu.dmaFor); every access is
// cut at page boundaries and each page goes requester -> root entry (by bus)
// -> context entry (by device/function: domain ID, translation type, second-
// level root) -> the domain's two-level table, through the IOTLB. A failed
// translation refuses the whole access and logs a fault (requester, address,
// reason, read/write); it never throws. With translation off (GSTS.TES clear,
// as at reset) DMA passes untranslated, as on VT-d hardware: a board with an
// IOMMU that nobody programs behaves as one without.
//
// The tables live in host memory and are read through the board's own DMA
// (all of RAM on a machine), so software builds them with ordinary stores
// (driver.ts does it for the monitor) and reverse stepping undoes them.

import type { BoardDevice, BusDevice, BusMapping, DeviceContext, DeviceFactory } from '../../machine/device.js';
import type { Dma } from '../../machine/dma.js';
import { IRQ } from '../../isa/index.js';
import { FaultLog, type FaultLogState, type FaultRecord } from './faults.js';
import {
  CCMD_ICC, CONTEXT_DID_SHIFT, CONTEXT_ENTRY_SIZE, CONTEXT_TT_SHIFT, DEFAULT_FAULT_RECORDS, ENTRY_P, FAULT, FAULT_REASONS,
  FRAME_MASK, GCMD, GRANULARITY, GSTS, IOMMU_BASE, IOMMU_MMIO_SIZE, IOTLB, MAX_FAULT_RECORDS, ND_16_BITS, REG, ROOT_ENTRY_SIZE,
  SL, TT, VERSION, splitRoutingId, type Access, type FaultReason,
} from './format.js';
import { Iotlb, type IotlbState } from './iotlb.js';

export interface IommuOptions {
  /** Name on the board (device state is saved under it); default 'iommu'. */
  name?: string;
  /** Physical address of the register page; default IOMMU_BASE (0xFED90000). */
  base?: number;
  /** Fault-recording registers, 1..16; default 8. */
  faultRecords?: number;
  /** IOTLB entries; default 64. */
  iotlbEntries?: number;
}

export interface IommuCounters {
  /** Pages translated through a domain's tables (IOTLB hits + successful walks). */
  translations: number;
  /** Untranslated: accesses with translation off, pages under a pass-through context. */
  passthrough: number;
  iotlbHits: number;
  iotlbMisses: number;
  /** Faults raised (recorded or lost), and by reason. */
  faults: number;
  faultsByReason: Record<FaultReason, number>;
  /** Faults by requester (routing ID), for per-VM reports. */
  faultsByRequester: Record<number, number>;
  /** Faults not recorded: the ring was full or had overflowed. */
  faultsLost: number;
  /** IOTLB invalidations (register or API), and the entries they dropped. */
  invalidations: number;
  iotlbDropped: number;
}

export type IommuEvent =
  | { kind: 'translate'; requester: number; domain: number; addr: number; hpa: number; access: Access; iotlb: 'hit' | 'miss' }
  | { kind: 'fault'; requester: number; domain?: number; addr: number; access: Access; reason: FaultReason; code: number; recorded: boolean }
  | { kind: 'invalidate'; scope: 'global' | 'domain' | 'page'; domain?: number; addr?: number; dropped: number };

export type IommuObserver = (e: IommuEvent) => void;

/** What probe() finds for one address, without side effects. */
export type IommuProbe =
  | { kind: 'passthrough'; hpa: number; domain?: number }
  | { kind: 'translated'; hpa: number; domain: number; read: boolean; write: boolean }
  | { kind: 'fault'; reason: FaultReason; code: number; domain?: number };

export interface IommuState {
  rtaddr: number;
  root: number;
  rootSet: boolean;
  enabled: boolean;
  iva: number;
  granularity: number;
  driven: number | null;
  faults: FaultLogState;
  iotlb: IotlbState;
  counters: IommuCounters;
}

export function createIommuCounters(): IommuCounters {
  const faultsByReason = Object.fromEntries(Object.values(FAULT_REASONS).map((r) => [r, 0])) as Record<FaultReason, number>;
  return { translations: 0, passthrough: 0, iotlbHits: 0, iotlbMisses: 0, faults: 0, faultsByReason, faultsByRequester: {}, faultsLost: 0, invalidations: 0, iotlbDropped: 0 };
}

function copyCounters(c: IommuCounters): IommuCounters {
  return { ...c, faultsByReason: { ...c.faultsByReason }, faultsByRequester: { ...c.faultsByRequester } };
}

type Context =
  | { kind: 'translate'; domain: number; root: number }
  | { kind: 'passthrough'; domain: number }
  | { kind: 'fault'; code: number; domain?: number };

const PAGE = 0x1000;

export class Iommu implements BoardDevice {
  readonly name: string;
  readonly base: number;
  readonly mappings: readonly BusMapping[];
  /** The memory the tables are read from (and translated DMA goes to): the board's DMA, all of RAM on a machine. */
  readonly memory: Dma;
  counters = createIommuCounters();
  observer: IommuObserver | undefined;
  private readonly log: FaultLog;
  private readonly iotlb: Iotlb;
  /** RTADDR_REG as written; `root` is what SRTP latched. */
  private rtaddr = 0;
  private root = 0;
  private rootSet = false;
  private enabled = false;
  private iva = 0;
  /** IOTLB_REG.IAIG of the last invalidation. */
  private granularity = 0;
  /** The line the fault event drives high now. */
  private driven: number | undefined;
  private readonly requesters = new Map<number, Dma>();

  constructor(private readonly ctx: DeviceContext, options: IommuOptions = {}) {
    const records = options.faultRecords ?? DEFAULT_FAULT_RECORDS;
    if (!Number.isInteger(records) || records < 1 || records > MAX_FAULT_RECORDS) throw new RangeError(`iommu: ${records} fault records (1..${MAX_FAULT_RECORDS})`);
    this.name = options.name ?? 'iommu';
    this.base = options.base ?? IOMMU_BASE;
    if (!Number.isInteger(this.base) || this.base % PAGE !== 0 || this.base < 0 || this.base + IOMMU_MMIO_SIZE > 2 ** 32) {
      throw new RangeError(`iommu: register base 0x${(this.base >>> 0).toString(16)} must be a page-aligned 32-bit address`);
    }
    this.memory = ctx.dma;
    this.log = new FaultLog(records);
    this.iotlb = new Iotlb(options.iotlbEntries);
    const regs: BusDevice = {
      read: (o, size) => (size === 4 && (o & 3) === 0 ? this.readRegister(o) : 0),
      write: (o, size, v) => { if (size === 4 && (o & 3) === 0) this.writeRegister(o, v); },
    };
    this.mappings = [{ space: 'mmio', base: this.base, length: IOMMU_MMIO_SIZE, device: regs }];
  }

  // --- the DMA path -------------------------------------------------------------

  /**
   * The Dma of the requester at `routingId` (bus << 8 | device << 3 | function):
   * what PciBus.iommu asks for (`bus.iommu = iommu.dmaFor`). One object per requester.
   */
  readonly dmaFor = (routingId: number): Dma => {
    let d = this.requesters.get(routingId);
    if (!d) {
      d = { read: (a, n) => this.dmaRead(routingId, a, n), write: (a, b) => this.dmaWrite(routingId, a, b) };
      this.requesters.set(routingId, d);
    }
    return d;
  };

  /** Whether DMA is being translated (GSTS.TES). */
  get translating(): boolean {
    return this.enabled;
  }

  /**
   * Host-physical address for one access by `routingId` at `addr`, or
   * undefined after logging a fault. The access must not cross a page.
   */
  translate(routingId: number, addr: number, access: Access): number | undefined {
    addr >>>= 0;
    if (!this.enabled) {
      this.counters.passthrough++;
      return addr;
    }
    const ctx = this.context(routingId);
    if (ctx.kind === 'fault') return this.fault(routingId, addr, access, ctx.code, ctx.domain);
    if (ctx.kind === 'passthrough') {
      this.counters.passthrough++;
      return addr;
    }
    const need = access === 'write' ? SL.W : SL.R;
    const page = addr >>> 12;
    const cached = this.iotlb.lookup(ctx.domain, page);
    if (cached && (cached.perm & need) !== 0) {
      this.counters.iotlbHits++;
      this.counters.translations++;
      const hpa = (cached.frame | (addr & 0xfff)) >>> 0;
      this.observer?.({ kind: 'translate', requester: routingId, domain: ctx.domain, addr, hpa, access, iotlb: 'hit' });
      return hpa;
    }
    // A miss, or a cached entry without the permission: walk (the tables may have granted it since).
    this.counters.iotlbMisses++;
    const w = this.walk(ctx.root, addr);
    if (typeof w === 'number') return this.fault(routingId, addr, access, w, ctx.domain);
    if ((w.perm & need) === 0) return this.fault(routingId, addr, access, access === 'write' ? FAULT.NO_WRITE : FAULT.NO_READ, ctx.domain);
    this.iotlb.fill(ctx.domain, page, w);
    this.counters.translations++;
    const hpa = (w.frame | (addr & 0xfff)) >>> 0;
    this.observer?.({ kind: 'translate', requester: routingId, domain: ctx.domain, addr, hpa, access, iotlb: 'miss' });
    return hpa;
  }

  private dmaRead(routingId: number, addr: number, length: number): Uint8Array | undefined {
    const a = addr >>> 0;
    if (!this.checkRange(routingId, a, length, 'read')) return undefined;
    if (!this.enabled) {
      this.counters.passthrough++;
      return this.memory.read(a, length);
    }
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const at = a + done;
      const n = Math.min(length - done, PAGE - (at & 0xfff));
      const hpa = this.translate(routingId, at, 'read');
      if (hpa === undefined) return undefined;
      const bytes = this.memory.read(hpa, n);
      if (!bytes) return undefined;
      out.set(bytes, done);
      done += n;
    }
    return out;
  }

  /** All pages are translated before any byte is written: a refused access writes nothing. */
  private dmaWrite(routingId: number, addr: number, bytes: Uint8Array): boolean {
    const a = addr >>> 0;
    const length = bytes.length;
    if (!this.checkRange(routingId, a, length, 'write')) return false;
    if (!this.enabled) {
      this.counters.passthrough++;
      return this.memory.write(a, bytes);
    }
    const pieces: [hpa: number, from: number, n: number][] = [];
    for (let done = 0; done < length;) {
      const at = a + done;
      const n = Math.min(length - done, PAGE - (at & 0xfff));
      const hpa = this.translate(routingId, at, 'write');
      if (hpa === undefined) return false;
      pieces.push([hpa, done, n]);
      done += n;
    }
    // A domain mapping a page outside RAM would fail part-way: check before writing (it is the rare multi-page case).
    if (pieces.length > 1 && pieces.some(([h, , n]) => this.memory.read(h, n) === undefined)) return false;
    for (const [h, from, n] of pieces) if (!this.memory.write(h, bytes.subarray(from, from + n))) return false;
    return true;
  }

  /** A length that is not a count of bytes is refused; one running past 4 GiB too, a fault (address beyond) if translating. */
  private checkRange(routingId: number, a: number, length: number, access: Access): boolean {
    if (!Number.isInteger(length) || length < 0) return false;
    if (a + length > 2 ** 32) {
      if (this.enabled) this.fault(routingId, a, access, FAULT.ADDRESS_BEYOND, undefined);
      return false;
    }
    return true;
  }

  private readWord(addr: number): number | undefined {
    const b = this.memory.read(addr, 4);
    return b && (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24));
  }

  /** The requester's context: root entry by bus, context entry by device/function. */
  private context(routingId: number): Context {
    if (!this.rootSet) return { kind: 'fault', code: FAULT.ROOT_TABLE_ERROR };
    const { bus, devfn } = splitRoutingId(routingId);
    const rootEntry = this.readWord(this.root + bus * ROOT_ENTRY_SIZE);
    if (rootEntry === undefined) return { kind: 'fault', code: FAULT.ROOT_TABLE_ERROR };
    if ((rootEntry & ENTRY_P) === 0) return { kind: 'fault', code: FAULT.ROOT_NOT_PRESENT };
    const at = ((rootEntry & FRAME_MASK) >>> 0) + devfn * CONTEXT_ENTRY_SIZE;
    const lo = this.readWord(at);
    const hi = this.readWord(at + 4);
    if (lo === undefined || hi === undefined) return { kind: 'fault', code: FAULT.CONTEXT_TABLE_ERROR };
    if ((lo & ENTRY_P) === 0) return { kind: 'fault', code: FAULT.CONTEXT_NOT_PRESENT };
    const domain = (hi >>> CONTEXT_DID_SHIFT) & 0xffff;
    const tt = (lo >>> CONTEXT_TT_SHIFT) & 3;
    if (tt === TT.PASSTHROUGH) return { kind: 'passthrough', domain };
    if (tt !== TT.TRANSLATE) return { kind: 'fault', code: FAULT.CONTEXT_INVALID, domain };
    return { kind: 'translate', domain, root: (lo & FRAME_MASK) >>> 0 };
  }

  /** The two-level second-level walk: the frame and the permissions of both levels ANDed, or a fault code. */
  private walk(root: number, addr: number): { frame: number; perm: number } | number {
    const dir = this.readWord(root + (addr >>> 22) * 4);
    if (dir === undefined) return FAULT.TABLE_ERROR;
    if ((dir & (SL.R | SL.W)) === 0) return { frame: 0, perm: 0 };
    const entry = this.readWord(((dir & FRAME_MASK) >>> 0) + ((addr >>> 12) & 0x3ff) * 4);
    if (entry === undefined) return FAULT.TABLE_ERROR;
    return { frame: (entry & FRAME_MASK) >>> 0, perm: dir & entry & (SL.R | SL.W) };
  }

  private fault(requester: number, addr: number, access: Access, code: number, domain: number | undefined): undefined {
    const reason = FAULT_REASONS[code]!;
    const c = this.counters;
    c.faults++;
    c.faultsByReason[reason]++;
    c.faultsByRequester[requester] = (c.faultsByRequester[requester] ?? 0) + 1;
    const recorded = this.log.record({ requester, addr: addr >>> 0, code, reason, access });
    if (!recorded) c.faultsLost++;
    this.observer?.({ kind: 'fault', requester, ...(domain === undefined ? {} : { domain }), addr: addr >>> 0, access, reason, code, recorded });
    this.updateLine();
    return undefined;
  }

  /** What a `routingId` access at `addr` would do now: no IOTLB, counters, faults or events. */
  probe(routingId: number, addr: number): IommuProbe {
    addr >>>= 0;
    if (!this.enabled) return { kind: 'passthrough', hpa: addr };
    const ctx = this.context(routingId);
    if (ctx.kind === 'fault') return { kind: 'fault', code: ctx.code, reason: FAULT_REASONS[ctx.code]!, ...(ctx.domain === undefined ? {} : { domain: ctx.domain }) };
    if (ctx.kind === 'passthrough') return { kind: 'passthrough', hpa: addr, domain: ctx.domain };
    const w = this.walk(ctx.root, addr);
    if (typeof w === 'number') return { kind: 'fault', code: w, reason: FAULT_REASONS[w]!, domain: ctx.domain };
    if (w.perm === 0) return { kind: 'fault', code: FAULT.NO_READ, reason: 'no-read', domain: ctx.domain };
    return { kind: 'translated', hpa: (w.frame | (addr & 0xfff)) >>> 0, domain: ctx.domain, read: (w.perm & SL.R) !== 0, write: (w.perm & SL.W) !== 0 };
  }

  // --- the monitor's side door ----------------------------------------------------

  /** Drop IOTLB entries: all, one domain's, or one page of one domain. Returns how many went. */
  invalidate(domain?: number, addr?: number): number {
    const page = addr === undefined ? undefined : (addr >>> 12);
    const dropped = this.iotlb.invalidate(domain, domain === undefined ? undefined : page);
    this.counters.invalidations++;
    this.counters.iotlbDropped += dropped;
    const scope = domain === undefined ? 'global' : page === undefined ? 'domain' : 'page';
    this.observer?.({ kind: 'invalidate', scope, ...(domain === undefined ? {} : { domain }), ...(scope === 'page' ? { addr: (addr! & FRAME_MASK) >>> 0 } : {}), dropped });
    return dropped;
  }

  /** The fault records the registers hold, oldest first (reading does not free them). */
  faults(): FaultRecord[] {
    return this.log.list();
  }

  /** Free every fault record and clear the overflow, as a fault handler does through FRCD and FSTS. */
  clearFaults(): void {
    this.log.clear();
    this.updateLine();
  }

  get iotlbSize(): number {
    return this.iotlb.size;
  }

  // --- registers ----------------------------------------------------------------------

  /** A 32-bit register read at `offset` into the register page (unknown offsets read 0). */
  readRegister(offset: number): number {
    const log = this.log;
    if (offset >= REG.FRCD && offset < REG.FRCD + 16 * log.size) return log.readRecord((offset - REG.FRCD) >>> 4, (offset >>> 2) & 3);
    switch (offset) {
      case REG.VER: return VERSION;
      case REG.CAP: return ND_16_BITS | ((log.size - 1) << 8) | ((REG.FRCD >>> 4) << 16);
      case REG.ECAP: return (1 << 6) | ((REG.IVA >>> 4) << 8); // PT, IRO
      case REG.GSTS: return ((this.enabled ? GSTS.TES : 0) | (this.rootSet ? GSTS.RTPS : 0)) >>> 0;
      case REG.RTADDR: return this.rtaddr >>> 0;
      case REG.FSTS: return log.readStatus();
      case REG.FECTL: return log.readControl() >>> 0;
      case REG.FEDATA: return log.line;
      case REG.IVA: return this.iva >>> 0;
      case REG.IOTLB: return this.granularity << IOTLB.IAIG_SHIFT; // IVT reads 0: invalidations complete at once
      default: return 0; // GCMD is write-only; CCMD's ICC reads 0 (done)
    }
  }

  writeRegister(offset: number, value: number): void {
    const v = value >>> 0;
    const log = this.log;
    if (offset >= REG.FRCD && offset < REG.FRCD + 16 * log.size) {
      log.writeRecord((offset - REG.FRCD) >>> 4, (offset >>> 2) & 3, v);
      this.updateLine();
      return;
    }
    switch (offset) {
      case REG.GCMD:
        // As VT-d asks, software writes the whole command: TE as it wants it, SRTP as a one-shot.
        if (v & GCMD.SRTP) {
          this.root = this.rtaddr;
          this.rootSet = true;
        }
        this.enabled = (v & GCMD.TE) !== 0;
        break;
      case REG.RTADDR: this.rtaddr = (v & FRAME_MASK) >>> 0; break;
      case REG.CCMD: if (v & CCMD_ICC) { /* no context cache: nothing to drop */ } break;
      case REG.FSTS: log.writeStatus(v); this.updateLine(); break;
      case REG.FECTL: log.writeControl(v); this.updateLine(); break;
      case REG.FEDATA: log.line = v % IRQ.LINES; this.updateLine(); break;
      case REG.IVA: this.iva = (v & FRAME_MASK) >>> 0; break;
      case REG.IOTLB: this.iotlbCommand(v); break;
      default: break;
    }
  }

  private iotlbCommand(v: number): void {
    if ((v & IOTLB.IVT) === 0) return;
    const g = (v >>> IOTLB.IIRG_SHIFT) & 3;
    const did = v & IOTLB.DID_MASK;
    if (g === GRANULARITY.GLOBAL) this.invalidate();
    else if (g === GRANULARITY.DOMAIN) this.invalidate(did);
    else if (g === GRANULARITY.PAGE) this.invalidate(did, this.iva);
    this.granularity = g; // 0 (reserved) reports IAIG 0: nothing was invalidated
  }

  /** The fault event: line FEDATA high while a fault is pending and the event unmasked. */
  private updateLine(): void {
    const want = this.log.raised ? this.log.line : undefined;
    if (want === this.driven) return;
    if (this.driven !== undefined) this.ctx.setIrq(this.driven, false);
    if (want !== undefined) this.ctx.setIrq(want, true);
    this.driven = want;
  }

  // --- machine device -------------------------------------------------------------------

  reset(): void {
    this.rtaddr = 0;
    this.root = 0;
    this.rootSet = false;
    this.enabled = false;
    this.iva = 0;
    this.granularity = 0;
    this.log.reset();
    this.iotlb.invalidate();
    this.counters = createIommuCounters();
    if (this.driven !== undefined) this.ctx.setIrq(this.driven, false);
    this.driven = undefined;
  }

  save(): IommuState {
    return {
      rtaddr: this.rtaddr, root: this.root, rootSet: this.rootSet, enabled: this.enabled, iva: this.iva, granularity: this.granularity,
      driven: this.driven ?? null, faults: this.log.save(), iotlb: this.iotlb.save(),
      counters: copyCounters(this.counters),
    };
  }

  /** Restore a save(); the machine restores its lines itself, so only what this device drives is remembered. */
  restore(state: unknown): void {
    const s = state as IommuState;
    this.rtaddr = s.rtaddr;
    this.root = s.root;
    this.rootSet = s.rootSet;
    this.enabled = s.enabled;
    this.iva = s.iva;
    this.granularity = s.granularity;
    this.driven = s.driven ?? undefined;
    this.log.restore(s.faults);
    this.iotlb.restore(s.iotlb);
    this.counters = copyCounters(s.counters);
  }
}

/** A board device factory: the IOMMU, its registers at `options.base` (default 0xFED90000). */
export function iommuBoardDevice(options: IommuOptions = {}): DeviceFactory {
  return (ctx) => new Iommu(ctx, options);
}
