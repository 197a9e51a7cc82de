// pv: paravirtualization, Xen style (Barham et al., SOSP 2003). The guest
// kernel is built to run under a monitor (tinyos with -D PV): it contains no
// privileged or sensitive instruction, and asks the monitor for what it may not
// do itself with `hcall N` (docs/hypercalls.md). It runs directly on the CPU at
// ring 1, its processes at ring 3, as under trap-and-emulate; but nothing it
// does has to be caught: every hcall is an undefined-instruction trap that this
// mode turns into a hypercall.
//
// Virtual interrupts go through the shared page: the guest masks and unmasks
// them with plain stores, the monitor publishes the pending lines there and
// upcalls the guest's event callback when they are unmasked; exceptions go to
// the guest's trap table the same way, the trap state written into the page
// (the kernel cannot read control registers any more).
//
// Page tables: shadow paging driven by explicit updates. The guest's tables
// are in guest-physical terms and the real MMU walks the monitor's shadows, as
// under trap; the guest changes its tables only through mmu_update (batched:
// one hypercall builds an address space), so no write-protection fault is
// taken, and the monitor refuses any entry that would map what is not guest RAM.
//
// Time: one hypercall retires one guest instruction, so the guest's clock is
// the machine's, as under trap.

import { CAUSE, CR, EXC, REG, STATUS } from '../../isa/index.js';
import { decodeCached } from '../../machine/decode-cache.js';
import type { TrapInfo } from '../../machine/trap.js';
import type { Monitor } from '../monitor.js';
import { HypercallDispatcher } from '../pv/dispatch.js';
import { SharedPage, type SharedPageState } from '../pv/shared-page.js';
import { DirectMode } from './direct.js';

export class PvMode extends DirectMode {
  readonly unmasksWithoutEntry = true;
  readonly name = 'pv';
  readonly shared: SharedPage;

  private readonly calls: HypercallDispatcher;

  constructor(monitor: Monitor) {
    super(monitor);
    const shared = this.shared = new SharedPage(monitor);
    this.calls = new HypercallDispatcher(monitor, shared, {
      hvm: false,
      unmask: () => {
        monitor.vcpu.ie = true;
        shared.write('mask', 0);
      },
      wait: (pc) => monitor.idleGuest(pc),
    });
  }

  reset(): void {
    this.shared.reset();
  }

  save(): SharedPageState {
    return this.shared.save();
  }

  restore(state: unknown): void {
    this.shared.restore(state as SharedPageState);
  }

  /**
   * Hypercalls are the kernel's: from a process an hcall is the undefined
   * instruction it is on bare metal. A privileged instruction faults at every
   * virtual ring: a paravirtualized kernel has none, and the monitor emulates
   * nothing for it; it, and every other exception, reaches the guest.
   */
  protected handleException(t: TrapInfo): boolean {
    if ((t.cause & CAUSE.CODE_MASK) !== EXC.UNDEFINED || this.monitor.vcpu.ring !== 0) return false;
    const d = t.word === undefined ? undefined : decodeCached(t.word);
    if (d?.def.sem.kind !== 'system' || d.def.sem.op !== 'hcall') return false;
    this.hypercall(d.imm & 0xffff, t.pc);
    return true;
  }

  private hypercall(nr: number, pc: number): void {
    const next = this.calls.call(nr, pc);
    if (next === undefined) return;
    this.setGuestPc(next);
    this.shared.publishPending();
    this.monitor.injectIfPending(next);
  }

  // --- delivery through the shared page -------------------------------------------

  /** For tools: the guest's interrupt flag is its event mask in the shared page once registered (vIE only follows it at trap entry). */
  guestCr(n: number): number {
    const m = this.monitor, value = m.vcpu.readCr(n, m.machine.cpu.cr[CR.status]!);
    if (n !== CR.status || this.shared.gpa === undefined) return value;
    return this.shared.eventsEnabled() ? value | STATUS.IE : value & ~STATUS.IE;
  }

  /** The monitor's injection: an upcall to the event callback, if the guest's mask allows it. */
  deliverInterrupt(line: number, pc: number): boolean {
    const m = this.monitor;
    if (this.shared.gpa === undefined) return false; // events cannot be delivered before the page is registered
    this.shared.publishPending();
    if (!this.shared.eventsEnabled() || this.shared.callback === 0) return false;
    m.inject(line, pc);
    return true;
  }

  /**
   * Trap entry for a paravirtualized guest: interrupts to the event callback,
   * exceptions to the trap table, events masked, and the state a kernel reads
   * from its control registers on bare metal written into the shared page.
   */
  deliverTrap(cause: number, epc: number, faultaddr: number | undefined, pc: number): void {
    const m = this.monitor, v = m.vcpu;
    const isInterrupt = (cause & CAUSE.INTERRUPT) !== 0;
    const vector = isInterrupt ? this.shared.callback : v.tvec;
    if (vector === 0) return m.stopUnhandled(cause, epc, faultaddr, pc, `no ${isInterrupt ? 'event callback' : 'trap table'} registered`);
    v.ie = this.shared.eventsEnabled();
    v.enterTrap(cause, epc, faultaddr);
    m.applyRing();
    const s = this.shared;
    s.write('mask', 1);
    s.write('status', v.status(m.machine.cpu.cr[CR.status]!));
    s.write('epc', v.epc);
    s.write('cause', v.cause);
    if (faultaddr !== undefined) s.write('faultaddr', v.faultaddr);
    s.write('sp', m.machine.cpu.regs[REG.sp]!);
    this.setGuestPc(vector);
  }
}
