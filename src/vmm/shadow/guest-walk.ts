// The guest's own two-level page walk, done by the monitor in software over
// guest-physical memory: the same rules as the machine's MMU (src/machine/mmu.ts),
// so that the faults the monitor reflects carry exactly the cause the guest's
// tables imply, and the accessed/dirty bits appear in the guest's tables when
// the hardware would have set them.

import { PTE } from '../../isa/index.js';
import { ACCESS, type AccessKind } from '../../machine/events.js';
import { pageFaultCause } from '../../machine/mmu.js';
import type { GuestMemory } from '../guest-memory.js';

export interface GuestTranslation {
  /** Guest-physical address. */
  gpa: number;
  /** Guest-physical addresses and values of the directory and table entries read. */
  pdeAddr: number;
  pde: number;
  pteAddr: number;
  pte: number;
  /** Effective W and U (both levels). */
  perm: number;
}

export type GuestWalk = { ok: true; t: GuestTranslation } | { ok: false; cause: number };

/** Walk the guest's tables rooted at guest PTBR `ptbr` for an access to `va`. Reads only. */
export function walkGuest(gm: GuestMemory, ptbr: number, va: number, access: AccessKind, user: boolean): GuestWalk {
  const w = newWalkScratch();
  if (!walkGuestInto(gm, ptbr, va, access, user, w)) return { ok: false, cause: w.cause };
  return { ok: true, t: { gpa: w.gpa, pdeAddr: w.pdeAddr, pde: w.pde, pteAddr: w.pteAddr, pte: w.pte, perm: w.perm } };
}

/** A GuestTranslation to walk into again and again (walkGuestInto), or the cause when the walk failed. */
export interface GuestWalkScratch extends GuestTranslation {
  cause: number;
}

export function newWalkScratch(): GuestWalkScratch {
  return { gpa: 0, pdeAddr: 0, pde: 0, pteAddr: 0, pte: 0, perm: 0, cause: 0 };
}

/**
 * walkGuest without allocating, for the monitor's hot paths: true with the
 * translation in `out`, or false with the page fault's CAUSE in `out.cause`.
 */
export function walkGuestInto(gm: GuestMemory, ptbr: number, va: number, access: AccessKind, user: boolean, out: GuestWalkScratch): boolean {
  const pdeAddr = ((ptbr & PTE.FRAME_MASK) >>> 0) + (va >>> 22) * 4;
  const pde = gm.readEntry(pdeAddr);
  if ((pde & PTE.P) === 0) {
    out.cause = pageFaultCause(access, user, false);
    return false;
  }
  const pteAddr = ((pde & PTE.FRAME_MASK) >>> 0) + ((va >>> 12) & 0x3ff) * 4;
  const pte = gm.readEntry(pteAddr);
  const perm = pde & pte & (PTE.W | PTE.U);
  if ((pte & PTE.P) === 0 || (user && (perm & PTE.U) === 0) || (access === ACCESS.WRITE && (perm & PTE.W) === 0)) {
    out.cause = pageFaultCause(access, user, (pte & PTE.P) !== 0);
    return false;
  }
  out.gpa = ((pte & PTE.FRAME_MASK) | (va & 0xfff)) >>> 0;
  out.pdeAddr = pdeAddr;
  out.pde = pde;
  out.pteAddr = pteAddr;
  out.pte = pte;
  out.perm = perm;
  return true;
}

/**
 * Set A on both levels and, for a store, D on the table entry, as a successful
 * hardware walk does. Returns the table entry as it now is.
 */
export function markAccessed(gm: GuestMemory, t: GuestTranslation, write: boolean): number {
  if ((t.pde & PTE.A) === 0) gm.write(t.pdeAddr, 4, t.pde | PTE.A);
  const pte = t.pte | PTE.A | (write ? PTE.D : 0);
  if (pte !== t.pte) gm.write(t.pteAddr, 4, pte);
  return pte;
}

/** Read-only translation for tools (debugger): undefined where the guest maps nothing. */
export function probeGuest(gm: GuestMemory, pg: boolean, ptbr: number, va: number): number | undefined {
  if (!pg) return va >>> 0;
  const w = walkGuest(gm, ptbr, va, ACCESS.READ, false);
  return w.ok ? w.t.gpa : undefined;
}
