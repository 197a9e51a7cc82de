// The MMU's slow path: TLB lookup with permission checks, the two-level page
// walk with A/D updates, and page-fault causes. An engine's fast path handles
// TLB hits that need nothing else (see tlb.ts); everything else comes here.
//
// translate() never raises a trap itself: on failure it returns 0 and leaves
// the CAUSE in `fault`, so the engine can first bring its counters up to date
// and then raise the exception through the machine's one trap path.

import { CAUSE, CR, EXC, PTE, STATUS } from '../isa/index.js';
import type { Counters } from './counters.js';
import type { Cpu } from './cpu.js';
import { ACCESS, ACCESS_NAMES, type AccessKind, type StepRecord } from './events.js';
import type { PhysicalMemory } from './memory.js';
import type { Tlb } from './tlb.js';
import { VMX_EPT_VIOLATION, type VmxCounters, type VmxControls } from './vmx.js';

/** What non-root operation translates through (set by the machine at VM entry, cleared at exit). */
export interface NestedPaging {
  controls: VmxControls;
  counters: VmxCounters;
}

/** The CAUSE of a page fault, as the MMU composes it (a monitor's software walk reports the same). */
export function pageFaultCause(access: AccessKind, user: boolean, present: boolean): number {
  return EXC.PAGE_FAULT
    | (access === ACCESS.WRITE ? CAUSE.WRITE : 0)
    | (access === ACCESS.FETCH ? CAUSE.FETCH : 0)
    | (user ? CAUSE.USER : 0)
    | (present ? CAUSE.PRESENT : 0);
}

export interface Translation {
  paddr: number;
  pde: number;
  pte: number;
  /** Effective permission bits (W, U of both levels; D of the table entry). */
  perm: number;
}

/** Where the MMU reports walks when a step record is being built. */
export interface RecordSink {
  record: StepRecord | undefined;
}

export class Mmu {
  /** CAUSE of the last failed translate(), 0 after a successful one. */
  fault = 0;
  /** Set in non-root operation: walks go through EPT (or the monitor's shadow root). */
  nested: NestedPaging | undefined;
  /** After an EPT violation (fault = VMX_EPT_VIOLATION): the guest-physical address and access. */
  eptGpa = 0;
  eptAccess: AccessKind = ACCESS.READ;

  constructor(
    private readonly cpu: Cpu,
    private readonly mem: PhysicalMemory,
    private readonly tlb: Tlb,
    private readonly counters: Counters,
    private readonly sink: RecordSink,
  ) {}

  /**
   * Translate virtual address `va` for an access with paging on. Returns the
   * physical address (int32 bit pattern) or, with `fault` set, 0.
   */
  translate(va: number, access: AccessKind, user: boolean): number {
    this.fault = 0;
    const vpn = va >>> 12;
    const tlb = this.tlb;
    const s = vpn & tlb.mask;
    if (tlb.tag[s] === vpn) {
      this.counters.tlbHits++;
      const perm = tlb.perm[s]!;
      if (user && (perm & PTE.U) === 0) return this.pageFault(va, access, user, true);
      if (access === ACCESS.WRITE) {
        if ((perm & PTE.W) === 0) return this.pageFault(va, access, user, true);
        // A store through an entry whose D bit is clear re-walks to set D in memory (as x86 does).
        if ((perm & PTE.D) === 0) return this.walk(va, access, user);
      }
      return tlb.frame[s]! | (va & 0xfff);
    }
    this.counters.tlbMisses++;
    return this.walk(va, access, user);
  }

  private readEntry(paddr: number): number {
    // A table outside RAM reads as all-zero entries: not present.
    return paddr + 4 <= this.mem.size ? this.mem.i32[paddr >>> 2]! : 0;
  }

  private walk(va: number, access: AccessKind, user: boolean): number {
    const n = this.nested;
    if (n) {
      if (n.controls.eptRoot !== 0) return this.walkEpt(va, access, user, n);
      return this.walkFrom(n.controls.shadowRoot, va, access, user);
    }
    return this.walkFrom(this.cpu.cr[CR.ptbr]!, va, access, user);
  }

  private walkFrom(root: number, va: number, access: AccessKind, user: boolean): number {
    this.counters.tlbWalks++;
    const rec = this.sink.record;
    const pdeAddr = ((root & PTE.FRAME_MASK) >>> 0) + (va >>> 22) * 4;
    const pde = this.readEntry(pdeAddr);
    if ((pde & PTE.P) === 0) {
      const r = this.pageFault(va, access, user, false);
      rec?.events.push({ kind: 'walk', vaddr: va >>> 0, access: ACCESS_NAMES[access], pde, fault: this.fault });
      return r;
    }
    const pteAddr = ((pde & PTE.FRAME_MASK) >>> 0) + ((va >>> 12) & 0x3ff) * 4;
    const pte = this.readEntry(pteAddr);
    const perm = pde & pte & (PTE.W | PTE.U);
    const write = access === ACCESS.WRITE;
    if ((pte & PTE.P) === 0 || (user && (perm & PTE.U) === 0) || (write && (perm & PTE.W) === 0)) {
      const r = this.pageFault(va, access, user, (pte & PTE.P) !== 0);
      rec?.events.push({ kind: 'walk', vaddr: va >>> 0, access: ACCESS_NAMES[access], pde, pte, fault: this.fault });
      return r;
    }
    // Accessed on both levels, dirty on the table entry for stores; written back through
    // write32 so the journal sees them.
    if ((pde & PTE.A) === 0) this.mem.write32(pdeAddr, pde | PTE.A);
    const newPte = pte | PTE.A | (write ? PTE.D : 0);
    if (newPte !== pte) this.mem.write32(pteAddr, newPte);
    const frame = pte & PTE.FRAME_MASK;
    this.tlb.fill(va >>> 12, frame, perm | (newPte & PTE.D));
    const paddr = frame | (va & 0xfff);
    rec?.events.push({ kind: 'walk', vaddr: va >>> 0, access: ACCESS_NAMES[access], pde, pte, paddr: paddr >>> 0 });
    return paddr;
  }

  /**
   * Non-root operation with EPT: the guest's own walk (if its paging is on)
   * over guest-physical addresses, each translated through the second-level
   * tables, then the final guest-physical address through them too: the
   * two-dimensional walk. A guest fault is a page fault of the guest; a
   * missing or read-only second-level entry is an EPT violation.
   */
  private walkEpt(va: number, access: AccessKind, user: boolean, n: NestedPaging): number {
    this.counters.tlbWalks++;
    const write = access === ACCESS.WRITE;
    let gpa: number, perm: number, dirty: number;
    if ((this.cpu.cr[CR.status]! & STATUS.PG) !== 0) {
      const pdeAt = this.ept(((this.cpu.cr[CR.ptbr]! & PTE.FRAME_MASK) >>> 0) + (va >>> 22) * 4, ACCESS.READ, va, n);
      if (pdeAt < 0) return 0;
      const pde = this.readEntry(pdeAt);
      if ((pde & PTE.P) === 0) return this.pageFault(va, access, user, false);
      const pteAt = this.ept(((pde & PTE.FRAME_MASK) >>> 0) + ((va >>> 12) & 0x3ff) * 4, ACCESS.READ, va, n);
      if (pteAt < 0) return 0;
      const pte = this.readEntry(pteAt);
      perm = pde & pte & (PTE.W | PTE.U);
      if ((pte & PTE.P) === 0 || (user && (perm & PTE.U) === 0) || (write && (perm & PTE.W) === 0)) {
        return this.pageFault(va, access, user, (pte & PTE.P) !== 0);
      }
      if ((pde & PTE.A) === 0) this.mem.write32(pdeAt, pde | PTE.A);
      const newPte = pte | PTE.A | (write ? PTE.D : 0);
      if (newPte !== pte) this.mem.write32(pteAt, newPte);
      gpa = ((pte & PTE.FRAME_MASK) | (va & 0xfff)) >>> 0;
      dirty = newPte & PTE.D;
    } else {
      gpa = va >>> 0;
      perm = PTE.W | PTE.U;
      dirty = PTE.D;
    }
    const hpa = this.ept(gpa, access, va, n);
    if (hpa < 0) return 0;
    this.tlb.fill(va >>> 12, hpa & PTE.FRAME_MASK, perm | dirty);
    return hpa;
  }

  /** Guest-physical to host-physical through the second-level tables; -1 (fault set) on a violation. */
  private ept(gpa: number, access: AccessKind, va: number, n: NestedPaging): number {
    const c = n.counters;
    c.eptWalks++;
    c.eptEntryReads++;
    const dir = this.readEntry(((n.controls.eptRoot & PTE.FRAME_MASK) >>> 0) + (gpa >>> 22) * 4);
    let entry = 0;
    if ((dir & PTE.P) !== 0) {
      c.eptEntryReads++;
      entry = this.readEntry(((dir & PTE.FRAME_MASK) >>> 0) + ((gpa >>> 12) & 0x3ff) * 4);
    }
    if ((entry & PTE.P) === 0 || (access === ACCESS.WRITE && (entry & PTE.W) === 0)) {
      this.fault = VMX_EPT_VIOLATION;
      this.eptGpa = gpa >>> 0;
      this.eptAccess = access;
      this.tlb.invalidatePage(va >>> 12);
      return -1;
    }
    return ((entry & PTE.FRAME_MASK) | (gpa & 0xfff)) >>> 0;
  }

  private pageFault(va: number, access: AccessKind, user: boolean, present: boolean): number {
    this.fault = pageFaultCause(access, user, present);
    // As on x86, a page fault drops any TLB entry for the page, so a handler
    // that fixes the tables and retries sees the new entry without tlbi.
    this.tlb.invalidatePage(va >>> 12);
    return 0;
  }

  /**
   * Translate through the page tables in memory without touching the TLB,
   * A/D bits or counters (debugger and tools). Ignores permissions; undefined
   * when a level is not present. With paging off, the identity.
   */
  probe(va: number): Translation | undefined {
    va >>>= 0;
    if ((this.cpu.cr[CR.status]! & STATUS.PG) === 0) return { paddr: va, pde: 0, pte: 0, perm: PTE.W | PTE.U | PTE.D };
    const pde = this.readEntry(((this.cpu.cr[CR.ptbr]! & PTE.FRAME_MASK) >>> 0) + (va >>> 22) * 4);
    if ((pde & PTE.P) === 0) return undefined;
    const pte = this.readEntry(((pde & PTE.FRAME_MASK) >>> 0) + ((va >>> 12) & 0x3ff) * 4);
    if ((pte & PTE.P) === 0) return undefined;
    return { paddr: ((pte & PTE.FRAME_MASK) | (va & 0xfff)) >>> 0, pde, pte, perm: (pde & pte & (PTE.W | PTE.U)) | (pte & PTE.D) };
  }
}
