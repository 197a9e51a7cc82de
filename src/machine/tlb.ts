// The TLB: direct-mapped, TLB_SETS entries indexed by the low bits of the
// virtual page number. Besides the entries themselves it keeps two derived
// "fast" tag arrays, so an engine's hot path is one compare:
//   read[set]          = vpn if a supervisor (ring 0-2) load/fetch may use the entry, else -1
//   read[SETS + set]   = vpn if a ring-3 load/fetch may use it
//   write[set], write[SETS + set]: the same for stores, and only once the entry's D bit is set
// Anything the fast arrays refuse goes to the MMU's slow path, which decides
// between a permission fault (from the cached entry) and a walk.

import { PTE } from '../isa/index.js';

export const TLB_SETS = 256;

export interface TlbEntry {
  set: number;
  vpn: number;
  /** Physical address of the frame. */
  frame: number;
  /** Effective W and U (AND of both levels) and the table entry's D, as PTE bits. */
  perm: number;
}

export interface TlbState {
  readonly tag: Int32Array;
  readonly frame: Int32Array;
  readonly perm: Int32Array;
}

export class Tlb {
  readonly sets = TLB_SETS;
  readonly mask = TLB_SETS - 1;
  readonly tag = new Int32Array(TLB_SETS).fill(-1);
  readonly frame = new Int32Array(TLB_SETS);
  readonly perm = new Int32Array(TLB_SETS);
  readonly read = new Int32Array(2 * TLB_SETS).fill(-1);
  readonly write = new Int32Array(2 * TLB_SETS).fill(-1);
  /** Bumped on every change, so snapshots can share an unchanged copy. */
  private version = 0;
  private saved: { version: number; state: TlbState } | undefined;

  fill(vpn: number, frame: number, perm: number): void {
    const s = vpn & this.mask;
    this.tag[s] = vpn;
    this.frame[s] = frame;
    this.perm[s] = perm;
    this.derive(s);
    this.version++;
  }

  /** Drop the entry for virtual page `vpn`, if cached. */
  invalidatePage(vpn: number): void {
    const s = vpn & this.mask;
    if (this.tag[s] !== vpn) return;
    this.tag[s] = -1;
    this.derive(s);
    this.version++;
  }

  flush(): void {
    this.tag.fill(-1);
    this.read.fill(-1);
    this.write.fill(-1);
    this.version++;
  }

  /** Power-on state: flushed, and the dead entries' fields zeroed too, so two resets capture identically. */
  reset(): void {
    this.flush();
    this.frame.fill(0);
    this.perm.fill(0);
  }

  /** The set holding `vpn`, or -1. */
  lookup(vpn: number): number {
    const s = vpn & this.mask;
    return this.tag[s] === vpn ? s : -1;
  }

  entries(): TlbEntry[] {
    const out: TlbEntry[] = [];
    for (let s = 0; s < this.sets; s++) {
      if (this.tag[s] !== -1) out.push({ set: s, vpn: this.tag[s]!, frame: this.frame[s]! >>> 0, perm: this.perm[s]! });
    }
    return out;
  }

  save(): TlbState {
    if (this.saved?.version !== this.version) {
      this.saved = { version: this.version, state: { tag: this.tag.slice(), frame: this.frame.slice(), perm: this.perm.slice() } };
    }
    return this.saved.state;
  }

  restore(s: TlbState): void {
    this.tag.set(s.tag);
    this.frame.set(s.frame);
    this.perm.set(s.perm);
    for (let i = 0; i < this.sets; i++) this.derive(i);
    this.version++;
    this.saved = { version: this.version, state: s };
  }

  private derive(s: number): void {
    const vpn = this.tag[s]!;
    const perm = this.perm[s]!;
    const valid = vpn !== -1;
    const user = valid && (perm & PTE.U) !== 0;
    const writable = valid && (perm & PTE.W) !== 0 && (perm & PTE.D) !== 0;
    this.read[s] = valid ? vpn : -1;
    this.read[this.sets + s] = user ? vpn : -1;
    this.write[s] = writable ? vpn : -1;
    this.write[this.sets + s] = writable && user ? vpn : -1;
  }
}
