// Breakpoints and watchpoints: one numbered table, as in gdb, so `delete N`,
// `disable N` and `info breakpoints` treat both kinds alike.

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

export const ACCESS_WORDS: Record<WatchAccess, string> = { r: 'read', w: 'write', rw: 'read/write' };

export class PointTable {
  private nextId = 1;
  private readonly points = new Map<number, Point>();

  addBreakpoint(addr: number, cond?: Condition): Breakpoint {
    const bp: Breakpoint = { kind: 'breakpoint', id: this.nextId++, addr: addr >>> 0, enabled: true, hits: 0, ...(cond ? { cond } : {}) };
    this.points.set(bp.id, bp);
    return bp;
  }

  addWatchpoint(addr: number, access: WatchAccess, physical: boolean, cond?: Condition): Watchpoint {
    const wp: Watchpoint = {
      kind: 'watchpoint', id: this.nextId++, addr: (addr & ~3) >>> 0, access, physical, enabled: true, hits: 0, ...(cond ? { cond } : {}),
    };
    this.points.set(wp.id, wp);
    return wp;
  }

  get(id: number): Point | undefined {
    return this.points.get(id);
  }

  delete(id: number): boolean {
    return this.points.delete(id);
  }

  clear(): number {
    const n = this.points.size;
    this.points.clear();
    return n;
  }

  get size(): number {
    return this.points.size;
  }

  /** Every point, by number. */
  list(): Point[] {
    return [...this.points.values()].sort((a, b) => a.id - b.id);
  }

  /** Enabled breakpoints at virtual pc `pc`, by number. */
  breakpointsAt(pc: number): Breakpoint[] {
    return this.list().filter((p): p is Breakpoint => p.kind === 'breakpoint' && p.enabled && p.addr === pc >>> 0);
  }

  /** Addresses of enabled breakpoints. */
  breakAddresses(): number[] {
    return this.list().filter((p) => p.kind === 'breakpoint' && p.enabled).map((p) => p.addr);
  }

  activeWatchpoints(): Watchpoint[] {
    return this.list().filter((p): p is Watchpoint => p.kind === 'watchpoint' && p.enabled);
  }
}
