// trap: classical trap-and-emulate (Popek & Goldberg 1974). The guest runs
// directly on the CPU, its kernel deprivileged to ring 1 and its processes at
// ring 3. Whatever the guest may not do for real faults to the monitor:
// privileged instructions and port I/O (protection faults) are emulated
// against the virtual CPU and devices; page faults go to shadow paging; the
// exceptions the guest must see are reflected into it; the real timer's
// interrupts drive the virtual timer. The sensitive-but-unprivileged
// instructions (rdflags, wrflags, rdtvec, rdptbr) do not fault, so they run
// on the real CPU and see or change real state: that is where this mode is
// not equivalent to the bare machine (docs/virtualization.md).

import { CAUSE, EXC } from '../../isa/index.js';
import type { TrapDecision, TrapInfo } from '../../machine/trap.js';
import { emulatePrivileged } from '../emulate.js';
import { handlePageFault } from '../page-faults.js';
import { DirectMode } from './direct.js';

export class TrapMode extends DirectMode {
  readonly name = 'trap';

  handleTrap(t: TrapInfo): TrapDecision {
    const m = this.monitor;
    if ((t.cause & CAUSE.INTERRUPT) !== 0) {
      m.realInterrupt(t.cause & CAUSE.CODE_MASK, t.pc);
      return 'handled';
    }
    switch (t.cause & CAUSE.CODE_MASK) {
      case EXC.PROTECTION:
        // Only virtual ring 0 may run privileged instructions; a guest process that tries gets the fault.
        if (m.vcpu.ring === 0) emulatePrivileged(m, m.decodeAt(t.pc, t.word), t.pc);
        else m.reflect(t.cause, t.epc, undefined, t.pc);
        break;
      case EXC.PAGE_FAULT:
        handlePageFault(m, t.faultaddr!, t.cause, t.pc, t.word);
        break;
      default:
        // undefined instructions (hcall included: it has no meaning in this mode), misaligned
        // accesses, divide by zero, breakpoints and system calls reach the guest as they are.
        m.reflect(t.cause, t.epc, t.faultaddr, t.pc);
    }
    return 'handled';
  }
}
