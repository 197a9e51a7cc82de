// What a real page fault means while a guest runs under shadow paging: a miss
// in the shadow the monitor fills and retries (invisible to the guest), a page
// fault of the guest's own that it must see, a store into one of its traced
// page tables, or an access to device memory. Shared by the modes.

import { CAUSE } from '../isa/index.js';
import { ACCESS } from '../machine/events.js';
import { emulateAccess, fetchOutsideRam } from './emulate.js';
import type { Monitor } from './monitor.js';
import type { Resolution } from './shadow/shadow-mmu.js';

/** The real page fault at `va` with CAUSE `cause`, raised by the guest instruction at `pc` (word: as fetched, if known). */
export function handlePageFault(m: Monitor, va: number, cause: number, pc: number, word: number | undefined): Resolution['kind'] {
  const access = (cause & CAUSE.WRITE) !== 0 ? ACCESS.WRITE : (cause & CAUSE.FETCH) !== 0 ? ACCESS.FETCH : ACCESS.READ;
  const user = (cause & CAUSE.USER) !== 0;
  const r = m.shadow.resolve(va, access, user);
  switch (r.kind) {
    case 'filled':
      break; // the guest retries the instruction and never knows
    case 'fault':
      m.shadow.dropForFault(va);
      m.reflect(r.cause, pc, va, pc);
      break;
    case 'traced':
      emulateAccess(m, m.decodeAt(pc, word), pc, va, r.gpa, false);
      break;
    case 'mmio':
      if (access === ACCESS.FETCH) fetchOutsideRam(m, pc);
      else emulateAccess(m, m.decodeAt(pc, word), pc, va, r.gpa, true);
      break;
  }
  return r.kind;
}
