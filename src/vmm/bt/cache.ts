// The translation cache: where translated units live (a region of monitor
// memory the CPU fetches through the machine's fetch window), how a guest pc
// finds its unit, how units are chained, invalidated and flushed.
//
// Keyed by guest-virtual pc, guest-physical frame and the guest's paging
// mode, so the same virtual address in another address space, or with paging
// off, never reuses a translation of other code. Exits are chained (patched
// into direct jumps) only between units of the same guest page, as QEMU's
// goto_tb does: a unit is entered only through a lookup that validated its
// page's mapping, and its same-page successors share that mapping; every
// other transfer goes through the lookup. Invalidating a unit undoes the
// chains into it; when the cache is full it is flushed whole.
//
// The words are written with PhysicalMemory.write32, so the debugger's
// journal sees them and reverse stepping restores the cache with the rest.

import type { PhysicalMemory } from '../../machine/memory.js';
import { chainBranchWord, chainJumpWord, retargetBranch } from './emit.js';
import type { TranslationUnit } from './unit.js';
import type { UnitIndex } from './unit-index.js';

/** Virtual base of the fetch window: the top 4 MiB, where the monitor lives (see MONITOR_TVEC). */
export const TC_VBASE = 0xffc0_0000 | 0;

export interface CachedUnit {
  /** Index in the cache's unit table (stable until a flush). */
  readonly id: number;
  readonly pc: number;
  /** Guest-physical frame of the unit's code. */
  readonly gfn: number;
  readonly paging: boolean;
  readonly unit: TranslationUnit;
  /** TC virtual address of the unit's first word (what the CPU fetches). */
  readonly addr: number;
  valid: boolean;
  /** TC addresses of exit sites (in any unit) patched to jump here. */
  incoming: number[];
  /** This unit's patched exit sites: word index -> target unit id. */
  outgoing: [number, number][];
  /** Lookup tables over `unit` for the callout path (unit-index.ts), built on first use; not part of snapshots. */
  index?: UnitIndex;
}

export interface CacheState {
  units: CachedUnit[];
  next: number;
  generation: number;
}

/** Lookup key: guest pc, frame and paging mode in one safe integer (pc/4 < 2^30, gfn < 2^20). */
function keyOf(pc: number, gfn: number, paging: boolean): number {
  return (pc >>> 2) * 2 ** 21 + gfn * 2 + (paging ? 1 : 0);
}

export class TranslationCache {
  private units: CachedUnit[] = [];
  private byKey = new Map<number, number>();
  private byFrame = new Map<number, Set<number>>();
  /** Unit id owning each TC word, -1 where none (the reserved words, free space). */
  private owner: Int32Array;
  /** Next free word. */
  private next: number;
  /** Bumped by every flush: a CachedUnit from before a flush is dead even if `valid` was never cleared. */
  generation = 0;

  /**
   * @param reserved words at the start of the cache kept for the monitor's own stubs
   */
  constructor(
    private readonly mem: PhysicalMemory,
    private readonly hostBase: number,
    private readonly vbase: number,
    readonly words: number,
    private readonly reserved: number,
  ) {
    this.owner = new Int32Array(words).fill(-1);
    this.next = reserved;
  }

  /** TC virtual address of reserved word `i`. */
  reservedAddr(i: number): number {
    return (this.vbase + 4 * i) | 0;
  }

  /** Write one word of the cache (reserved stubs included). */
  writeWord(addr: number, word: number): void {
    this.mem.write32(this.hostBase + ((addr - this.vbase) >>> 0), word);
  }

  contains(addr: number): boolean {
    return ((addr - this.vbase) >>> 0) < this.words * 4;
  }

  find(pc: number, gfn: number, paging: boolean): CachedUnit | undefined {
    const id = this.byKey.get(keyOf(pc, gfn, paging));
    return id === undefined ? undefined : this.units[id];
  }

  /** The unit whose words include TC address `addr`. */
  unitAt(addr: number): CachedUnit | undefined {
    if (!this.contains(addr)) return undefined;
    const id = this.owner[((addr - this.vbase) >>> 0) >>> 2]!;
    return id < 0 ? undefined : this.units[id];
  }

  /** Units held (valid ones), in translation order. */
  all(): CachedUnit[] {
    return this.units.filter((u) => u.valid);
  }

  /** Whether any valid unit holds code from guest frame `gfn`. */
  holdsFrame(gfn: number): boolean {
    return (this.byFrame.get(gfn)?.size ?? 0) > 0;
  }

  /** Room for `n` more words without a flush. */
  fits(n: number): boolean {
    return this.next + n <= this.words;
  }

  /** Place a unit (the caller flushes first when it does not fit). */
  insert(pc: number, gfn: number, paging: boolean, unit: TranslationUnit): CachedUnit {
    const n = unit.words.length;
    if (!this.fits(n)) throw new Error(`bt: a ${n}-word unit does not fit the translation cache`);
    const start = this.next;
    const addr = (this.vbase + 4 * start) | 0;
    for (let i = 0; i < n; i++) this.mem.write32(this.hostBase + 4 * (start + i), unit.words[i]!);
    const cu: CachedUnit = { id: this.units.length, pc: pc >>> 0, gfn, paging, unit, addr, valid: true, incoming: [], outgoing: [] };
    this.units.push(cu);
    this.owner.fill(cu.id, start, start + n);
    this.next = start + n;
    const key = keyOf(pc, gfn, paging);
    const old = this.byKey.get(key);
    if (old !== undefined) this.invalidate(this.units[old]!);
    this.byKey.set(key, cu.id);
    let set = this.byFrame.get(gfn);
    if (!set) this.byFrame.set(gfn, set = new Set());
    set.add(cu.id);
    return cu;
  }

  /**
   * Patch exit `site` of `from` into a direct transfer to `to`: a jal if the
   * exit stands for a guest jal (`jump`), else an always-taken branch (the
   * machine counts jumps, emit.ts). For a taken exit pass the conditional
   * branch's word index as `branchSite`: when `to` is in its reach the branch
   * itself is retargeted, so a chained loop costs no instruction more than
   * natively. False, and nothing patched, when `to` is out of the reach of
   * the branch a non-jump exit needs.
   */
  chain(from: CachedUnit, site: number, to: CachedUnit, branchSite?: number, jump = false): boolean {
    if (branchSite !== undefined) {
      const at = (from.addr + 4 * branchSite) | 0;
      const word = retargetBranch(from.unit.words[branchSite]!, to.addr - at);
      if (word !== undefined) {
        this.writeWord(at, word);
        from.outgoing.push([branchSite, to.id]);
        to.incoming.push(at);
        return true;
      }
    }
    const at = (from.addr + 4 * site) | 0;
    const word = jump ? chainJumpWord(to.addr - at) : chainBranchWord(to.addr - at);
    if (word === undefined) return false;
    this.writeWord(at, word);
    from.outgoing.push([site, to.id]);
    to.incoming.push(at);
    return true;
  }

  /** Throw a unit away: nothing finds it or jumps into it any more. Returns the chains undone. */
  invalidate(cu: CachedUnit): number {
    if (!cu.valid) return 0;
    cu.valid = false;
    const key = keyOf(cu.pc, cu.gfn, cu.paging);
    if (this.byKey.get(key) === cu.id) this.byKey.delete(key);
    this.byFrame.get(cu.gfn)?.delete(cu.id);
    let undone = 0;
    // Chains into it: put the exits' callouts back.
    for (const at of cu.incoming) {
      const src = this.unitAt(at);
      if (!src?.valid) continue;
      const site = ((at - src.addr) >>> 0) >>> 2;
      this.writeWord(at, src.unit.words[site]!);
      src.outgoing = src.outgoing.filter(([s]) => s !== site);
      undone++;
    }
    cu.incoming = [];
    // Chains out of it: the targets forget the dead sites.
    for (const [site, target] of cu.outgoing) {
      const t = this.units[target];
      const at = (cu.addr + 4 * site) | 0;
      if (t) t.incoming = t.incoming.filter((a) => a !== at);
    }
    cu.outgoing = [];
    return undone;
  }

  /** Units whose guest code overlaps guest-physical [gpa, gpa + width). */
  overlapping(gpa: number, width: number): CachedUnit[] {
    const ids = this.byFrame.get(gpa >>> 12);
    if (!ids) return [];
    const out: CachedUnit[] = [];
    for (const id of ids) {
      const cu = this.units[id]!;
      const start = (cu.gfn << 12) | (cu.unit.startPc & 0xfff);
      const end = start + (cu.unit.endPc - cu.unit.startPc);
      if (gpa < end && gpa + width > start) out.push(cu);
    }
    return out;
  }

  /** Forget everything (the words stay until overwritten; nothing refers to them). Returns the frames that held code. */
  flush(): number[] {
    const frames = [...this.byFrame.keys()];
    for (const cu of this.units) cu.valid = false;
    this.units = [];
    this.byKey.clear();
    this.byFrame.clear();
    this.owner.fill(-1);
    this.next = this.reserved;
    this.generation++;
    return frames;
  }

  save(): CacheState {
    return {
      units: this.units.map(({ index: _index, ...u }) => ({ ...u, incoming: u.incoming.slice(), outgoing: u.outgoing.map(([a, b]) => [a, b]) })),
      next: this.next,
      generation: this.generation,
    };
  }

  restore(s: CacheState): void {
    this.flush();
    this.units = s.units.map((u) => ({ ...u, incoming: u.incoming.slice(), outgoing: u.outgoing.map(([a, b]) => [a, b] as [number, number]) }));
    for (const cu of this.units) {
      const start = ((cu.addr - this.vbase) >>> 0) >>> 2;
      this.owner.fill(cu.id, start, start + cu.unit.words.length);
      if (!cu.valid) continue;
      this.byKey.set(keyOf(cu.pc, cu.gfn, cu.paging), cu.id);
      let set = this.byFrame.get(cu.gfn);
      if (!set) this.byFrame.set(cu.gfn, set = new Set());
      set.add(cu.id);
    }
    this.next = s.next;
    this.generation = s.generation;
  }
}
