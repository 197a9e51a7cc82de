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
import type { TrapInfo } from '../../machine/trap.js';
import { emulatePrivileged } from '../emulate.js';
import { DirectMode } from './direct.js';

export class TrapMode extends DirectMode {
  readonly name = 'trap';

  /**
   * Privileged instructions of the guest kernel are emulated; a guest process
   * that tries one gets the fault. Undefined instructions (hcall included: it
   * has no meaning in this mode), misaligned accesses, divide by zero,
   * breakpoints and system calls reach the guest as they are.
   */
  protected handleException(t: TrapInfo): boolean {
    const m = this.monitor;
    if ((t.cause & CAUSE.CODE_MASK) !== EXC.PROTECTION || m.vcpu.ring !== 0) return false;
    emulatePrivileged(m, m.decodeAt(t.pc, t.word), t.pc);
    return true;
  }
}
