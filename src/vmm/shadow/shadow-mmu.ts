// Shadow page tables: the tables the real MMU walks while a guest runs. Each
// maps guest-virtual straight to host-physical for one guest address space and
// is built on demand, one entry per real page fault, from the guest's own
// tables (or, with the guest's paging off, from the identity over guest RAM).
//
// A shadow entry plays the part of the guest's TLB entry: it is dropped when
// the guest invalidates (tlbi, tlbia, a PTBR write) or takes a page fault on
// that page, and not when the guest merely edits its tables, so a guest that
// forgets tlbi keeps seeing the old mapping exactly as on hardware. Shadows of
// address spaces that are not current are cached (keyed by the guest's
// directory frame) and kept coherent: every guest page-table page they were
// built from is write-protected ("traced") in every shadow, the guest's stores
// to it fault, are emulated, and drop what they affect. For the current shadow
// those drops are deferred to the guest's next invalidation, which on hardware
// is when the TLB would let go of the stale entry.
//
// Frames for shadow directories and tables come from the monitor's memory;
// leaf entries only ever map frames of guest RAM.

import { CR, PTE } from '../../isa/index.js';
import { ACCESS, type AccessKind } from '../../machine/events.js';
import type { Machine } from '../../machine/machine.js';
import { pageFaultCause } from '../../machine/mmu.js';
import type { MonitorCounters } from '../counters.js';
import type { MonitorListener, ShadowDropReason } from '../events.js';
import type { GuestMemory, Width } from '../guest-memory.js';
import type { FramePool } from '../monitor-memory.js';
import type { VCpu } from '../vcpu.js';
import { markAccessed, walkGuest } from './guest-walk.js';

/**
 * Bits of a shadow leaf the MMU ignores (it reads only P, W, U, A, D and the
 * frame), used by the monitor to remember the guest entry the leaf came from:
 * its effective W and its D bit. Together with the leaf's own W and U they
 * are what the guest's TLB entry would hold.
 */
export const SHADOW_SW = { GUEST_W: 1 << 9, GUEST_D: 1 << 10 } as const;

/** Key of the shadow used while the guest's paging is off. */
export const PAGING_OFF = -1;

const LEAVES = 1024;
const RMAP_SHIFT = 2 ** 20;
/** Directory entries of a shadow point at its tables; the leaves decide permissions. */
const SHADOW_PDE = PTE.P | PTE.W | PTE.U | PTE.A;

interface ShadowTable {
  /** Host-physical address of the table page. */
  hpa: number;
  /** Guest frames (gfn) of the guest tables its leaves were built from. */
  origins: number[];
}

interface Shadow {
  id: number;
  /** Guest frame of the guest's page directory, or PAGING_OFF. */
  key: number;
  /** Host-physical address of the shadow directory: what the real PTBR holds while current. */
  dirHpa: number;
  /** Shadow tables by directory index (4 MiB region). */
  tables: Map<number, ShadowTable>;
  /** Pages / regions whose guest entries changed while this shadow was current: stale until the next invalidation. */
  pendingLeaves: Set<number>;
  pendingRegions: Set<number>;
  lastUsed: number;
}

/** Which shadows depend on a guest frame: as their directory (shadow ids) or as a table (id * 1024 + region). */
interface Users {
  dirs: Set<number>;
  tables: Set<number>;
}

export interface ShadowState {
  shadows: Shadow[];
  current: number;
  nextId: number;
  tick: number;
  users: [number, Users][];
  rmap: [number, number[]][];
  codeFrames: number[];
}

/**
 * Told of every store the monitor performs into a guest frame that holds
 * translated code (binary translation); returns whether the frame still holds
 * translations (and so stays write-protected).
 */
export type CodeWriteHandler = (gpa: number, width: Width) => boolean;

/** What resolve() found for a real page fault. */
export type Resolution =
  /** A shadow entry was installed (or upgraded): retry the instruction. */
  | { kind: 'filled' }
  /** The guest's own tables (or its TLB analogue) refuse the access: reflect a page fault with this cause. */
  | { kind: 'fault'; cause: number }
  /** An allowed store into a traced page-table page: the monitor must emulate it (guestStore). */
  | { kind: 'traced'; gpa: number }
  /** The guest maps the page to guest-physical space outside RAM (device registers, or nothing). */
  | { kind: 'mmio'; gpa: number };

export class ShadowMmu {
  private shadows = new Map<number, Shadow>();
  private byKey = new Map<number, number>();
  private current!: Shadow;
  private nextId = 1;
  private tick = 0;
  private users = new Map<number, Users>();
  /** Guest frame -> shadow leaves (id * 2^20 + vpn) that may map it writable. May hold stale keys; checked on use. */
  private rmap = new Map<number, Set<number>>();
  /** Guest frames holding translated code: write-protected like page tables so that writes reach the translator. */
  private codeFrames = new Set<number>();
  /** Set by the binary translator. */
  onCodeWrite: CodeWriteHandler | undefined;

  constructor(
    private readonly machine: Machine,
    private readonly guest: GuestMemory,
    private readonly frames: FramePool,
    private readonly vcpu: VCpu,
    private readonly counters: MonitorCounters,
    /** How many shadow address spaces to keep (the current one included); 1 rebuilds on every switch. */
    readonly cacheSize: number,
    private readonly listener: () => MonitorListener | undefined,
  ) {
    if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new RangeError(`shadow cache size ${cacheSize} must be a whole number >= 1`);
  }

  /** Forget every shadow and start with an empty one for the guest's current address space. */
  reset(): void {
    this.shadows.clear();
    this.byKey.clear();
    this.users.clear();
    this.rmap.clear();
    this.codeFrames.clear();
    this.nextId = 1;
    this.tick = 0;
    this.current = this.create(this.keyOfGuest());
    this.machine.cpu.cr[CR.ptbr] = this.current.dirHpa;
  }

  /** Host-physical address of the current shadow directory (the real PTBR). */
  get root(): number {
    return this.current.dirHpa;
  }

  /** Number of shadow address spaces held. */
  get size(): number {
    return this.shadows.size;
  }

  /** Whether the monitor write-protects guest frame `gfn` (a page-table page, or a frame of translated code). */
  isTraced(gfn: number): boolean {
    return this.users.has(gfn) || this.codeFrames.has(gfn);
  }

  /** Write-protect guest frame `gfn` because the translator holds code from it (idempotent). */
  protectCode(gfn: number): void {
    if (this.codeFrames.has(gfn)) return;
    const wasTraced = this.isTraced(gfn);
    this.codeFrames.add(gfn);
    this.counters.codePagesProtected++;
    if (!wasTraced) this.writeProtect(gfn);
  }

  /** The translator no longer holds code from `gfn` (its whole cache was flushed, say); stores upgrade lazily. */
  unprotectCode(gfn: number): void {
    this.codeFrames.delete(gfn);
  }

  private keyOfGuest(): number {
    return this.vcpu.pg ? (this.vcpu.ptbr & PTE.FRAME_MASK) >>> 12 : PAGING_OFF;
  }

  // --- address-space switches and guest invalidations ------------------------

  /**
   * The guest wrote PTBR or toggled paging. On hardware that flushes the TLB:
   * the shadow being left loses its stale entries, the next one comes from
   * the cache or is built empty, and the real TLB is flushed with the PTBR write.
   */
  switchAddressSpace(): void {
    const old = this.current;
    this.flushPending(old, 'flush');
    const key = this.keyOfGuest();
    const id = this.byKey.get(key);
    const next = id === undefined ? this.create(key) : this.shadows.get(id)!;
    this.current = next;
    next.lastUsed = ++this.tick;
    this.machine.writeCr(CR.ptbr, next.dirHpa);
    this.counters.shadowSwitches++;
    this.listener()?.({ kind: 'shadow-switch', key, created: id === undefined });
    while (this.shadows.size > this.cacheSize) this.destroy(this.leastRecentlyUsed()!, 'evict');
  }

  /** Guest tlbi: drop the page's entry (or, if its directory entry changed, the whole region). */
  invalidatePage(va: number): void {
    const sh = this.current;
    const vpn = va >>> 12, region = va >>> 22;
    if (sh.pendingRegions.has(region)) this.dropRegion(sh, region, 'tlbi');
    else this.dropLeaf(sh, vpn, 'tlbi');
    sh.pendingLeaves.delete(vpn);
  }

  /**
   * Guest tlbia. Every entry whose guest entry changed since it was built is in
   * the pending sets (all guest page-table pages are traced), so dropping those
   * gives what a full flush would: the next access to any other page walks
   * to the same translation and finds its A (and D) bits already set.
   */
  flushAll(): void {
    this.flushPending(this.current, 'flush');
    this.machine.tlbFlush();
  }

  /** A page fault is being reflected for `va`: as on x86, the faulting page's TLB entry goes. */
  dropForFault(va: number): void {
    this.dropLeaf(this.current, va >>> 12, 'page-fault');
    this.current.pendingLeaves.delete(va >>> 12);
  }

  // --- page faults -----------------------------------------------------------

  /** Decide what a real page fault at `va` means (see Resolution). */
  resolve(va: number, access: AccessKind, user: boolean): Resolution {
    va >>>= 0;
    const sh = this.current;
    const vpn = va >>> 12;
    const table = sh.tables.get(va >>> 22);
    const slot = table ? table.hpa + (vpn & (LEAVES - 1)) * 4 : -1;
    const leaf = table ? this.machine.mem.i32[slot >>> 2]! : 0;
    if ((leaf & PTE.P) !== 0) {
      // The guest's TLB analogue holds this page: decide from it, as the TLB would.
      if (user && (leaf & PTE.U) === 0) return { kind: 'fault', cause: pageFaultCause(access, user, true) };
      if (access !== ACCESS.WRITE || (leaf & PTE.W) !== 0) {
        throw new Error(`monitor: real page fault at 0x${va.toString(16)} although the shadow entry 0x${(leaf >>> 0).toString(16)} allows the access`);
      }
      if ((leaf & SHADOW_SW.GUEST_W) === 0) return { kind: 'fault', cause: pageFaultCause(access, user, true) };
      if ((leaf & SHADOW_SW.GUEST_D) !== 0) {
        // The cached entry is writable and dirty: hardware would store without a walk.
        const gpa = (this.guest.guestOf(leaf & PTE.FRAME_MASK) | (va & 0xfff)) >>> 0;
        if (this.isTraced(gpa >>> 12)) return { kind: 'traced', gpa };
        this.machine.mem.write32(slot, leaf | PTE.W); // the page is no longer traced
        this.rmapAdd(gpa >>> 12, sh.id, vpn);
        this.counters.shadowFaults++;
        return { kind: 'filled' };
      }
      // Writable but clean: hardware walks again to set D, and sees the tables as they are now.
    }
    return this.fill(sh, va, access, user);
  }

  private fill(sh: Shadow, va: number, access: AccessKind, user: boolean): Resolution {
    const write = access === ACCESS.WRITE;
    let gpa: number, perm: number, dirty: boolean, origin = -1;
    if (!this.vcpu.pg) {
      gpa = va;
      perm = PTE.W | PTE.U;
      dirty = true;
    } else {
      const w = walkGuest(this.guest, this.vcpu.ptbr, va, access, user);
      if (!w.ok) return { kind: 'fault', cause: w.cause };
      const pte = markAccessed(this.guest, w.t, write);
      gpa = w.t.gpa;
      perm = w.t.perm;
      dirty = (pte & PTE.D) !== 0;
      origin = (w.t.pde & PTE.FRAME_MASK) >>> 12;
    }
    if (!this.guest.contains(gpa)) {
      const hpa = this.guest.assignedHost(gpa);
      if (hpa === undefined) return { kind: 'mmio', gpa };
      this.installDevice(sh, va, hpa, perm, origin);
      return { kind: 'filled' };
    }
    const region = va >>> 22;
    const table = this.ensureTable(sh, region);
    if (origin >= 0 && !table.origins.includes(origin)) {
      table.origins.push(origin);
      this.addUser(origin, false, sh.id * LEAVES + region);
    }
    this.install(sh, table, va, gpa, perm, dirty);
    this.counters.shadowFaults++;
    if (write && this.isTraced(gpa >>> 12)) return { kind: 'traced', gpa };
    return { kind: 'filled' };
  }

  /**
   * A leaf onto device memory assigned to the guest: its accesses go to the
   * device without a trap. No reverse map (device memory never holds a page
   * table), but the guest table it came from is traced as for any leaf.
   */
  private installDevice(sh: Shadow, va: number, hpa: number, perm: number, origin: number): void {
    const region = va >>> 22;
    const table = this.ensureTable(sh, region);
    if (origin >= 0 && !table.origins.includes(origin)) {
      table.origins.push(origin);
      this.addUser(origin, false, sh.id * LEAVES + region);
    }
    const vpn = va >>> 12;
    const leaf = (hpa & PTE.FRAME_MASK) | PTE.P | PTE.A | PTE.D | (perm & PTE.U) | (perm & PTE.W);
    this.machine.mem.write32(table.hpa + (vpn & (LEAVES - 1)) * 4, leaf);
    sh.pendingLeaves.delete(vpn);
    this.counters.shadowFaults++;
    this.counters.shadowFills++;
    this.listener()?.({ kind: 'shadow-fill', vaddr: va >>> 0, gpa: hpa >>> 0, write: (perm & PTE.W) !== 0, user: (perm & PTE.U) !== 0 });
  }

  private install(sh: Shadow, table: ShadowTable, va: number, gpa: number, perm: number, dirty: boolean): void {
    const vpn = va >>> 12;
    const gfn = gpa >>> 12;
    const writable = (perm & PTE.W) !== 0;
    const grantW = writable && dirty && !this.isTraced(gfn);
    const leaf = this.guest.host(gfn << 12) | PTE.P | PTE.A | PTE.D | (perm & PTE.U)
      | (grantW ? PTE.W : 0) | (writable ? SHADOW_SW.GUEST_W : 0) | (dirty ? SHADOW_SW.GUEST_D : 0);
    this.machine.mem.write32(table.hpa + (vpn & (LEAVES - 1)) * 4, leaf);
    if (grantW) this.rmapAdd(gfn, sh.id, vpn);
    sh.pendingLeaves.delete(vpn);
    this.counters.shadowFills++;
    this.listener()?.({ kind: 'shadow-fill', vaddr: va >>> 0, gpa: gpa >>> 0, write: grantW, user: (perm & PTE.U) !== 0 });
  }

  // --- traced guest page-table pages ---------------------------------------------

  /**
   * A store the monitor performs on the guest's behalf. When it lands in a
   * traced page and changes the word, the shadow entries built from that word
   * are dropped (other shadows) or marked stale (the current one).
   */
  guestStore(gpa: number, width: Width, value: number, pc: number): void {
    const word = gpa & ~3;
    const before = this.guest.read(word, 4);
    this.guest.write(gpa, width, value);
    const gfn = gpa >>> 12;
    if (this.codeFrames.has(gfn)) {
      this.counters.codeWrites++;
      if (!this.onCodeWrite?.(gpa, width)) this.codeFrames.delete(gfn);
    }
    const users = this.users.get(gpa >>> 12);
    if (!users) return;
    this.counters.tracedWrites++;
    const after = this.guest.read(word, 4);
    this.listener()?.({ kind: 'traced-write', pc: pc >>> 0, gpa: word >>> 0, value: after });
    if (before === after) return;
    const index = (gpa & 0xfff) >>> 2;
    for (const key of [...users.tables]) {
      const sh = this.shadows.get(Math.floor(key / LEAVES));
      if (!sh) continue;
      const vpn = (key % LEAVES) * LEAVES + index;
      if (sh === this.current) sh.pendingLeaves.add(vpn);
      else this.dropLeaf(sh, vpn, 'traced-write');
    }
    for (const id of [...users.dirs]) {
      const sh = this.shadows.get(id);
      if (!sh) continue;
      if (sh === this.current) sh.pendingRegions.add(index);
      else this.dropRegion(sh, index, 'traced-write');
    }
  }

  private addUser(gfn: number, asDirectory: boolean, key: number): void {
    let u = this.users.get(gfn);
    if (!u) {
      u = { dirs: new Set(), tables: new Set() };
      this.users.set(gfn, u);
      this.counters.tracedPages++;
      this.writeProtect(gfn);
    }
    (asDirectory ? u.dirs : u.tables).add(key);
  }

  private removeUser(gfn: number, asDirectory: boolean, key: number): void {
    const u = this.users.get(gfn);
    if (!u) return;
    (asDirectory ? u.dirs : u.tables).delete(key);
    // Untraced pages are not upgraded eagerly: the next store faults once and gets W (resolve()).
    if (u.dirs.size === 0 && u.tables.size === 0) this.users.delete(gfn);
  }

  /** Take write permission away from every shadow leaf that maps guest frame `gfn`. */
  private writeProtect(gfn: number): void {
    const keys = this.rmap.get(gfn);
    if (!keys) return;
    this.rmap.delete(gfn);
    const frame = this.guest.host(gfn << 12);
    const mem = this.machine.mem;
    for (const key of keys) {
      const sh = this.shadows.get(Math.floor(key / RMAP_SHIFT));
      const vpn = key % RMAP_SHIFT;
      const table = sh?.tables.get(vpn >>> 10);
      if (!sh || !table) continue;
      const slot = table.hpa + (vpn & (LEAVES - 1)) * 4;
      const leaf = mem.i32[slot >>> 2]!;
      if ((leaf & PTE.P) !== 0 && (leaf & PTE.W) !== 0 && (leaf & PTE.FRAME_MASK) === frame) {
        mem.write32(slot, leaf & ~PTE.W);
        if (sh === this.current) this.machine.tlbInvalidate(vpn << 12);
      }
    }
  }

  private rmapAdd(gfn: number, id: number, vpn: number): void {
    let s = this.rmap.get(gfn);
    if (!s) this.rmap.set(gfn, s = new Set());
    s.add(id * RMAP_SHIFT + vpn);
  }

  // --- building and dropping shadow structures ----------------------------

  private create(key: number): Shadow {
    const sh: Shadow = {
      id: this.nextId++, key, dirHpa: this.allocFrame(), tables: new Map(),
      pendingLeaves: new Set(), pendingRegions: new Set(), lastUsed: ++this.tick,
    };
    this.shadows.set(sh.id, sh);
    this.byKey.set(key, sh.id);
    this.counters.shadowsCreated++;
    if (key !== PAGING_OFF) this.addUser(key, true, sh.id);
    return sh;
  }

  private ensureTable(sh: Shadow, region: number): ShadowTable {
    let table = sh.tables.get(region);
    if (table) return table;
    const hpa = this.allocFrame(); // may drop sh's own tables when memory is short
    table = { hpa, origins: [] };
    sh.tables.set(region, table);
    this.machine.mem.write32(sh.dirHpa + region * 4, hpa | SHADOW_PDE);
    return table;
  }

  /** A zeroed monitor frame; when none is free, shadows are thrown away, least recently used first. */
  private allocFrame(): number {
    for (;;) {
      const f = this.frames.alloc();
      if (f !== undefined) return f;
      const victim = this.leastRecentlyUsed();
      if (victim) {
        this.destroy(victim, 'memory');
        continue;
      }
      const sh = this.current;
      if (!sh || sh.tables.size === 0) throw new Error('monitor memory is too small for one shadow address space');
      for (const region of [...sh.tables.keys()]) this.dropRegion(sh, region, 'memory');
    }
  }

  private leastRecentlyUsed(): Shadow | undefined {
    let lru: Shadow | undefined;
    for (const sh of this.shadows.values()) {
      if (sh !== this.current && (!lru || sh.lastUsed < lru.lastUsed)) lru = sh;
    }
    return lru;
  }

  private destroy(sh: Shadow, reason: ShadowDropReason): void {
    for (const region of [...sh.tables.keys()]) this.dropRegion(sh, region, reason);
    if (sh.key !== PAGING_OFF) this.removeUser(sh.key, true, sh.id);
    this.frames.release(sh.dirHpa);
    this.shadows.delete(sh.id);
    this.byKey.delete(sh.key);
    this.counters.shadowEvictions++;
  }

  private flushPending(sh: Shadow, reason: ShadowDropReason): void {
    // Usually both are empty (every address-space switch comes here): nothing to copy then.
    if (sh.pendingRegions.size !== 0) {
      for (const region of [...sh.pendingRegions]) this.dropRegion(sh, region, reason);
      sh.pendingRegions.clear();
    }
    if (sh.pendingLeaves.size !== 0) {
      for (const vpn of sh.pendingLeaves) this.dropLeaf(sh, vpn, reason);
      sh.pendingLeaves.clear();
    }
  }

  private dropLeaf(sh: Shadow, vpn: number, reason: ShadowDropReason): void {
    const table = sh.tables.get(vpn >>> 10);
    if (!table) return;
    const slot = table.hpa + (vpn & (LEAVES - 1)) * 4;
    if ((this.machine.mem.i32[slot >>> 2]! & PTE.P) === 0) return;
    this.machine.mem.write32(slot, 0);
    if (sh === this.current) this.machine.tlbInvalidate(vpn << 12);
    this.counters.shadowInvalidations++;
    this.listener()?.({ kind: 'shadow-invalidate', vaddr: (vpn << 12) >>> 0, region: false, reason });
  }

  private dropRegion(sh: Shadow, region: number, reason: ShadowDropReason): void {
    const table = sh.tables.get(region);
    sh.pendingRegions.delete(region);
    if (!table) return;
    const mem = this.machine.mem;
    for (let i = 0; i < LEAVES; i++) {
      if ((mem.i32[(table.hpa >>> 2) + i]! & PTE.P) === 0) continue;
      if (sh === this.current) this.machine.tlbInvalidate(((region * LEAVES + i) << 12));
      this.counters.shadowInvalidations++;
    }
    for (const vpn of sh.pendingLeaves) if (vpn >>> 10 === region) sh.pendingLeaves.delete(vpn);
    mem.write32(sh.dirHpa + region * 4, 0);
    this.frames.release(table.hpa);
    for (const gfn of table.origins) this.removeUser(gfn, false, sh.id * LEAVES + region);
    sh.tables.delete(region);
    this.counters.shadowRegionDrops++;
    this.listener()?.({ kind: 'shadow-invalidate', vaddr: (region << 22) >>> 0, region: true, reason });
  }

  // --- snapshots ---------------------------------------------------------------

  save(): ShadowState {
    return structuredClone({
      shadows: [...this.shadows.values()],
      current: this.current.id,
      nextId: this.nextId,
      tick: this.tick,
      users: [...this.users.entries()],
      rmap: [...this.rmap.entries()].map(([k, v]) => [k, [...v]] as [number, number[]]),
      codeFrames: [...this.codeFrames],
    });
  }

  restore(s: ShadowState): void {
    const copy = structuredClone(s);
    this.shadows = new Map(copy.shadows.map((sh) => [sh.id, sh]));
    this.byKey = new Map(copy.shadows.map((sh) => [sh.key, sh.id]));
    this.current = this.shadows.get(copy.current)!;
    this.nextId = copy.nextId;
    this.tick = copy.tick;
    this.users = new Map(copy.users);
    this.rmap = new Map(copy.rmap.map(([k, v]) => [k, new Set(v)]));
    this.codeFrames = new Set(copy.codeFrames);
  }
}
