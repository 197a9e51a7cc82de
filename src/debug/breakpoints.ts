// Breakpoints and watchpoints: one numbered table, as in gdb, so `delete N`,
// `disable N` and `info breakpoints` treat both kinds alike.

import type { MemAccess } from '../machine/index.js';
import type { Expr } from './expr.js';

export interface Condition {
  text: string;
  expr: Expr;
}

export type WatchAccess = 'r' | 'w' | 'rw';

interface PointBase {
  id: number;
  enabled: boolean;
  /** Times it stopped the guest (a false condition does not count). */
  hits: number;
  cond?: Condition;
  /** On a host: the VM it belongs to (its guest view; another VM at the same address does not stop). */
  vm?: string;
}

export interface Breakpoint extends PointBase {
  kind: 'breakpoint';
  /** Virtual pc (unsigned). */
  addr: number;
}

export interface Watchpoint extends PointBase {
  kind: 'watchpoint';
  /** Word-aligned address (unsigned): virtual unless `physical`. */
  addr: number;
  access: WatchAccess;
  physical: boolean;
}

export type Point = Breakpoint | Watchpoint;

/**
 * Enabled watchpoints by the word they watch, so that a step's accesses find
 * theirs at once however many there are (a run checks every step's accesses).
 */
export class WatchIndex {
  private readonly virtual = new Map<number, Watchpoint[]>();
  private readonly physical = new Map<number, Watchpoint[]>();
  readonly size: number;

  constructor(watches: readonly Watchpoint[]) {
    for (const wp of watches) {
      const map = wp.physical ? this.physical : this.virtual;
      const list = map.get(wp.addr);
      if (list) list.push(wp);
      else map.set(wp.addr, [wp]);
    }
    this.size = watches.length;
  }

  /** Watchpoints on a word that `acc` may touch (its first or last byte's word); the caller checks the overlap. */
  candidates(acc: MemAccess): Watchpoint[] {
    const out: Watchpoint[] = [];
    collect(this.virtual, acc.vaddr, acc.size, out);
    collect(this.physical, acc.paddr, acc.size, out);
    return out;
  }
}

function collect(map: ReadonlyMap<number, Watchpoint[]>, addr: number, size: number, out: Watchpoint[]): void {
  if (map.size === 0) return;
  const first = (addr & ~3) >>> 0;
  const last = ((addr + size - 1) & ~3) >>> 0;
  for (const wp of map.get(first) ?? []) out.push(wp);
  if (last !== first) for (const wp of map.get(last) ?? []) out.push(wp);
}

export const ACCESS_WORDS: Record<WatchAccess, string> = { r: 'read', w: 'write', rw: 'read/write' };

export class PointTable {
  private nextId = 1;
  /** By number: numbers only grow, so insertion order is number order. */
  private readonly points = new Map<number, Point>();
  /** Breakpoints by address (enabled or not), rebuilt after a change: a run asks at every stop. */
  private byAddress: Map<number, Breakpoint[]> | undefined;

  addBreakpoint(addr: number, cond?: Condition, vm?: string): Breakpoint {
    const bp: Breakpoint = {
      kind: 'breakpoint', id: this.nextId++, addr: addr >>> 0, enabled: true, hits: 0, ...(cond ? { cond } : {}), ...(vm === undefined ? {} : { vm }),
    };
    this.points.set(bp.id, bp);
    this.byAddress = undefined;
    return bp;
  }

  addWatchpoint(addr: number, access: WatchAccess, physical: boolean, cond?: Condition, vm?: string): Watchpoint {
    const wp: Watchpoint = {
      kind: 'watchpoint', id: this.nextId++, addr: (addr & ~3) >>> 0, access, physical, enabled: true, hits: 0,
      ...(cond ? { cond } : {}), ...(vm === undefined ? {} : { vm }),
    };
    this.points.set(wp.id, wp);
    return wp;
  }

  get(id: number): Point | undefined {
    return this.points.get(id);
  }

  delete(id: number): boolean {
    this.byAddress = undefined;
    return this.points.delete(id);
  }

  clear(): number {
    const n = this.points.size;
    this.points.clear();
    this.byAddress = undefined;
    return n;
  }

  get size(): number {
    return this.points.size;
  }

  /** Every point, by number. */
  list(): Point[] {
    return [...this.points.values()];
  }

  /** Enabled breakpoints at virtual pc `pc` (of VM `vm` on a host), by number. */
  breakpointsAt(pc: number, vm?: string): Breakpoint[] {
    if (!this.byAddress) {
      this.byAddress = new Map();
      for (const p of this.points.values()) {
        if (p.kind !== 'breakpoint') continue;
        const list = this.byAddress.get(p.addr);
        if (list) list.push(p);
        else this.byAddress.set(p.addr, [p]);
      }
    }
    return (this.byAddress.get(pc >>> 0) ?? []).filter((bp) => bp.enabled && bp.vm === vm);
  }

  /** Addresses of enabled breakpoints (of VM `vm` on a host). */
  breakAddresses(vm?: string): number[] {
    return this.list().filter((p) => p.kind === 'breakpoint' && p.enabled && p.vm === vm).map((p) => p.addr);
  }

  activeWatchpoints(vm?: string): Watchpoint[] {
    return this.list().filter((p): p is Watchpoint => p.kind === 'watchpoint' && p.enabled && p.vm === vm);
  }
}
