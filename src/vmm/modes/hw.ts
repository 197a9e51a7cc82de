// hw: the unmodified guest under the VMX-like extension (src/machine/vmx.ts),
// modelled on Intel VT-x. The guest kernel runs at ring 0 in non-root
// operation with its own STATUS, trap vector and page-table base in the CPU:
// the sensitive-but-unprivileged instructions see the guest's own state, and
// its exceptions, system calls and rett go to and from its own vector without
// the monitor. What the execution controls select exits here: port I/O (the
// guest's devices are virtual), halt and wfi, hcall, external interrupts
// (the real timer is the monitor's), the interrupt window; and memory:
//
//   EPT (default): second-level tables map guest-physical RAM to host RAM;
//     the guest loads its page-table base and changes its tables without any
//     exit; an access outside guest RAM is an EPT violation the monitor
//     emulates (device memory).
//   --no-ept (first-generation VT-x): the MMU walks the monitor's shadow
//     tables; writes of PTBR and STATUS, tlbi/tlbia and page faults exit, and
//     the guest's stores into its page tables fault and are emulated, as under
//     trap-and-emulate. The VM-exit count on page-table updates is what the
//     binary translator's adaptive callouts avoided.
//
// Posted interrupts (default; --no-posted-interrupts turns them off): a real
// line the monitor posts to the guest (postLine, an assigned device's vector)
// reaches it through the VMCS's posted-interrupt descriptor, delivered by the
// CPU itself with no exit. Off, the same line is a real interrupt: an
// external-interrupt exit, and the monitor injects the virtual line.
//
// The virtual timer (--virtual-timer, default off): the guest's interval
// timer is the CPU's (VmxControls.virtualTimer): its ports leave the I/O
// bitmap, their accesses act on the VMCS's virtual-timer page (this monitor's
// own virtual timer) and its ticks are delivered by the CPU, with no exit.
// The real timer stays the host's (a slice's end still exits).
//
// PVHVM: a guest whose image declares the pv ABI gets hypercalls from its
// kernel (each a vmcall exit), through pv's dispatcher: the timer, events
// published in its shared page and delivered through its own vector.
//
// Every access to the VMCS (guest state, exit information, controls, entry
// injection) is a VMREAD or VMWRITE, counted for the cost model.

import { CAUSE, CR, CR_NAMES, EXC, IRQ, PTE, STATUS } from '../../isa/index.js';
import { decodeCached } from '../../machine/decode-cache.js';
import { ACCESS, type AccessKind } from '../../machine/events.js';
import type { TrapDecision, TrapInfo } from '../../machine/trap.js';
import { Vmcs, type ExitInfo, type VirtualTimerPage, type VmxCounters } from '../../machine/vmx.js';
import type { VirtualPlatform } from '../devices/platform.js';
import { PV_ABI_VERSION } from '../pv/abi.js';
import { HypercallDispatcher } from '../pv/dispatch.js';
import { SharedPage, type SharedPageState } from '../pv/shared-page.js';
import { countEmulation, emulateAccess } from '../emulate.js';
import { bumpExitCounter } from '../counters.js';
import { MONITOR_TVEC, type Monitor } from '../monitor.js';
import { handlePageFault } from '../page-faults.js';
import { walkGuest } from '../shadow/guest-walk.js';
import type { MonitorMode } from './mode.js';

export interface HwOptions {
  /** Second-level address translation (default true); false: shadow paging, as first-generation VT-x. */
  ept?: boolean;
  /** Tag the guest's TLB entries so they survive entries and exits (default true); false: flush at each. */
  vpid?: boolean;
  /**
   * Posted interrupts (default true): lines posted to the guest (postLine, post) reach it without an
   * exit; false: each is an external-interrupt exit (or an interrupt window) and a monitor injection.
   */
  posted?: boolean;
  /**
   * The virtual timer (default false): the guest's interval timer is the CPU's (VmxControls.virtualTimer),
   * its register accesses and its interrupts take no exit; false: its ports exit and each tick is the
   * monitor's real timer (an external-interrupt exit) and an injection.
   */
  virtualTimer?: boolean;
}

/**
 * The VMCS's virtual-timer page over the monitor's virtual timer: one timer,
 * which the CPU drives while the guest runs and the monitor when it handles an
 * exit (catching it up with the guest clock), so snapshots, waits and a host's
 * scheduling see the same state under either.
 */
function timerPage(p: VirtualPlatform): VirtualTimerPage {
  const t = p.timer, ports = t.mappings[0]!;
  return {
    base: ports.base, length: ports.length, line: t.line,
    clock: () => p.clock(),
    read: (offset) => t.read(offset, 4),
    write: (offset, value) => t.write(offset, 4, value),
    nextDeadline: () => t.nextDeadline(),
    tick: (now) => t.tick(now),
    raised: () => p.timerLineHigh(),
  };
}

interface HwState {
  vmcs: unknown;
  nonRoot: boolean;
  forwarded: number;
  shared?: SharedPageState;
}


export class HwMode implements MonitorMode {
  readonly name = 'hw';
  readonly vmcs: Vmcs;
  readonly ept: boolean;
  readonly vpid: boolean;
  readonly posted: boolean;
  readonly virtualTimer: boolean;
  /** With the virtual timer, its line is the CPU's to deliver: the monitor never injects it. */
  readonly cpuLines: number;
  /** PVHVM: the guest's shared page (events published there), and its hypercalls. */
  readonly shared: SharedPage;
  private readonly calls: HypercallDispatcher;
  /** Without posted interrupts: virtual lines posted to the guest, waiting for the monitor to inject them. */
  private forwarded = 0;
  /** Without posted interrupts: the real lines postLine claimed in this monitor. */
  private readonly claimed = new Set<number>();

  constructor(private readonly monitor: Monitor, options: HwOptions = {}) {
    this.ept = options.ept ?? true;
    this.vpid = options.vpid ?? true;
    this.posted = options.posted ?? true;
    this.virtualTimer = options.virtualTimer ?? false;
    const counters = monitor.counters as unknown as VmxCounters;
    this.vmcs = new Vmcs(counters);
    this.vmcs.timerPage = timerPage(monitor.platform);
    const shared = this.shared = new SharedPage(monitor);
    this.calls = new HypercallDispatcher(monitor, shared, {
      hvm: true,
      unmask: () => this.vmcs.write('status', this.vmcs.read('status') | STATUS.IE),
      wait: (pc) => this.waitForInterrupt(pc),
    });
    this.cpuLines = this.virtualTimer ? 1 << monitor.platform.timer.line : 0;
    monitor.machine.vmx = { vmcs: this.vmcs, counters, onExit: (e) => this.onExit(e) };
  }

  realRing(vring: number): number {
    return vring;
  }

  guestPc(): number {
    const m = this.monitor.machine;
    return m.nonRoot ? m.cpu.pc : this.vmcs.guestPc;
  }

  setGuestPc(pc: number): void {
    const m = this.monitor.machine;
    if (m.nonRoot) m.cpu.pc = pc | 0;
    else this.vmcs.write('pc', pc);
  }

  guestCr(n: number): number {
    const m = this.monitor.machine;
    return m.nonRoot ? m.cpu.cr[n]! : this.vmcs.guestCr[n]!;
  }

  handleTrap(t: TrapInfo): TrapDecision {
    // Nothing runs in root operation, so no trap can reach the monitor's hook.
    throw new Error(`hw: a trap (cause 0x${t.cause.toString(16)}) in root operation`);
  }

  // --- setup -----------------------------------------------------------------------

  /** The VMCS for a guest at reset (the monitor's reset already put the CPU there). */
  reset(): void {
    const m = this.monitor;
    const v = this.vmcs;
    const c = v.controls;
    v.guestCr.fill(0);
    v.hostCr.fill(0); // the monitor's ring 0, paging and interrupts off
    v.hostCr[CR.tvec] = MONITOR_TVEC;
    v.hostPc = MONITOR_TVEC;
    v.exit = undefined;
    v.injection = undefined;
    v.pid.pir = 0;
    v.pid.on = false;
    this.forwarded = 0;
    this.shared.reset();
    c.postedInterrupts = this.posted;
    c.ioBitmap.fill(0xff); // every port is a virtual device
    c.virtualTimer = this.virtualTimer;
    if (this.virtualTimer) {
      // ... but the timer's, which the CPU virtualizes.
      const t = v.timerPage!;
      for (let p = t.base; p < t.base + t.length; p++) c.ioBitmap[p >>> 3] &= ~(1 << (p & 7));
    }
    c.hltExit = true;
    c.wfiExit = true;
    c.interruptWindowExit = false;
    c.vpid = this.vpid ? 1 : 0;
    if (this.ept) {
      c.eptRoot = this.buildEpt();
      c.shadowRoot = 0;
      c.crWriteExit = 0;
      c.crReadExit = 0;
      c.invlpgExit = false;
      c.exceptionBitmap = 0;
    } else {
      c.eptRoot = 0;
      c.shadowRoot = m.shadow.root;
      c.crWriteExit = (1 << CR.status) | (1 << CR.ptbr);
      c.crReadExit = 0;
      c.invlpgExit = true;
      c.exceptionBitmap = 1 << EXC.PAGE_FAULT;
    }
  }

  /** First entry, at the guest's entry point. */
  start(): void {
    const m = this.monitor.machine;
    this.vmcs.guestPc = m.cpu.pc;
    this.vmcs.guestCr.fill(0);
    m.vmEnter();
  }

  /** Second-level tables: guest-physical RAM onto its host frames, writable; nothing else. */
  private buildEpt(): number {
    const m = this.monitor;
    const mem = m.machine.mem;
    const frame = (): number => {
      const f = m.frames.alloc();
      if (f === undefined) throw new Error('hw: monitor memory too small for the EPT tables');
      return f;
    };
    const dir = frame();
    const size = m.layout.guestSize;
    for (let region = 0; region * 0x400000 < size; region++) {
      const table = frame();
      mem.write32(dir + 4 * region, table | PTE.P | PTE.W);
      for (let i = 0; i < 1024; i++) {
        const gpa = region * 0x400000 + i * 0x1000;
        if (gpa >= size) break;
        mem.write32(table + 4 * i, m.guest.host(gpa) | PTE.P | PTE.W);
      }
    }
    // Device memory assigned to the guest (a VF's BAR) maps straight to the device: no EPT violation.
    for (const a of m.guest.assignments()) {
      for (let off = 0; off < a.length; off += 0x1000) {
        const gpa = a.gpa + off, slot = dir + 4 * (gpa >>> 22);
        let table = mem.read32(slot) & PTE.FRAME_MASK;
        if ((mem.read32(slot) & PTE.P) === 0) {
          table = frame();
          mem.write32(slot, table | PTE.P | PTE.W);
        }
        mem.write32(table + 4 * ((gpa >>> 12) & 1023), (a.hpa + off) | PTE.P | PTE.W);
      }
    }
    return dir;
  }

  save(): HwState {
    return { vmcs: this.vmcs.save(), nonRoot: this.monitor.machine.nonRoot, forwarded: this.forwarded, shared: this.shared.save() };
  }

  restore(state: unknown): void {
    const s = state as HwState;
    this.vmcs.restore(s.vmcs);
    this.forwarded = s.forwarded ?? 0;
    this.shared.restore(s.shared ?? { gpa: undefined, callback: 0 });
    const m = this.monitor.machine;
    m.nonRoot = s.nonRoot;
    m.mmu.nested = s.nonRoot ? { controls: this.vmcs.controls, counters: this.monitor.counters as unknown as VmxCounters } : undefined;
  }

  // --- exits -------------------------------------------------------------------------

  private onExit(e: ExitInfo): void {
    const m = this.monitor;
    const c = m.counters;
    const exit = this.vmcs.readExit();
    bumpExitCounter(c, exit.reason);
    m.listener?.({ kind: 'vmexit', reason: exit.reason, pc: exit.pc });
    // As on every entry to the monitor (Monitor.onTrap): the virtual timer catches up with the
    // guest clock before the exit is handled, so a deadline that passed while its line was high
    // is spent now; acknowledging the line afterwards must not raise it again for that deadline.
    m.platform.catchUp();
    switch (e.reason) {
      case 'external-interrupt': this.externalInterrupt(e); break;
      case 'interrupt-window': this.interruptWindow(); break;
      case 'io': this.io(e); break;
      case 'hlt': {
        const d = decodeCached(e.word!)!;
        countEmulation(m, d, e.pc);
        m.machine.halt(m.machine.cpu.regs[d.a]!, e.pc);
        m.machine.retire(); // halt retires, as on the bare machine
        return;
      }
      case 'wfi': this.wfi(e); break;
      case 'vmcall': this.vmcall(e); break;
      case 'cr-access': this.crAccess(e); break;
      case 'invlpg': this.invlpg(e); break;
      case 'exception': this.exception(e); break;
      case 'ept-violation': this.eptViolation(e); break;
    }
    if (m.machine.stopped) return;
    this.afterExit();
    m.machine.vmEnter();
  }

  /** As after any trap (Monitor.settleTime), and the interrupt window closed when nothing is left to inject. */
  private afterExit(): void {
    const m = this.monitor;
    m.settleTime();
    this.shared.publishPending(); // a PVHVM guest's event word (nothing before it registers its page)
    this.injectForwarded();
    if (this.vmcs.controls.interruptWindowExit && ((m.platform.pendingLines() & ~this.cpuLines) | this.forwarded) === 0) {
      // What the window was opened for is gone (the guest acknowledged the tick with IE off, as
      // natively): close it, or the guest would exit for nothing as soon as it sets IE again.
      this.vmcs.setControl('interruptWindowExit', false);
    }
  }

  private next(e: ExitInfo): void {
    this.monitor.machine.retire();
    this.vmcs.write('pc', (e.pc + 4) | 0);
  }

  private externalInterrupt(e: ExitInfo): void {
    // Counted as exitExternalInterrupt (as every exit, by reason): under hw nothing traps to the monitor.
    this.monitor.realInterruptAck(e.line!);
  }

  /**
   * hcall: a hypercall of a PVHVM guest (an image declaring the pv ABI, from
   * its kernel), through the same dispatcher as pv's, offered the calls an hw
   * guest has use for; for any other guest, or from its processes, the
   * undefined instruction it is on the bare machine.
   */
  private vmcall(e: ExitInfo): void {
    const m = this.monitor;
    if (m.guest.pvAbi !== PV_ABI_VERSION || (this.vmcs.read('status') & STATUS.CPL_MASK) !== 0) {
      return m.reflect(EXC.UNDEFINED, e.pc, undefined, e.pc);
    }
    const next = this.calls.call(decodeCached(e.word!)!.imm & 0xffff, e.pc);
    if (next !== undefined) this.vmcs.write('pc', next);
  }

  private interruptWindow(): void {
    this.vmcs.setControl('interruptWindowExit', false);
  }

  private io(e: ExitInfo): void {
    const m = this.monitor;
    const d = decodeCached(e.word!)!;
    const R = m.machine.cpu.regs;
    const port = (R[d.b]! + d.imm) & 0xffff;
    countEmulation(m, d, e.pc);
    if (d.def.sem.kind === 'system' && d.def.sem.op === 'in') {
      const v = m.platform.portRead(port);
      if (d.a !== 0) R[d.a] = v;
    } else {
      m.platform.portWrite(port, R[d.a]!);
    }
    this.next(e);
  }

  private wfi(e: ExitInfo): void {
    const m = this.monitor;
    countEmulation(m, decodeCached(e.word!)!, e.pc);
    this.next(e);
    this.waitForInterrupt(e.pc);
  }

  /** wfi, or a PVHVM guest's block (retired): idle until an interrupt is pending. */
  private waitForInterrupt(pc: number): void {
    // A posted interrupt waiting ends the wait at once, as a raised line does natively.
    if (this.pendingPosted() === 0) this.monitor.idleGuest(pc);
  }

  /** --no-ept: the guest wrote STATUS or PTBR; the shadow follows its address space. */
  private crAccess(e: ExitInfo): void {
    const m = this.monitor;
    const d = decodeCached(e.word!)!;
    countEmulation(m, d, e.pc);
    const value = m.machine.cpu.regs[d.a]!;
    if (d.b === CR.status) {
      const old = this.vmcs.read('status');
      const next = (old & ~STATUS.WRITABLE) | (value & STATUS.WRITABLE);
      this.vmcs.write('status', next);
      m.vcpu.pg = (next & STATUS.PG) !== 0;
      if (((old ^ next) & STATUS.PG) !== 0) this.switchShadow();
    } else {
      this.vmcs.write(CR_NAMES[d.b]!, value);
      if (d.b === CR.ptbr) {
        m.vcpu.ptbr = value | 0;
        this.switchShadow();
      }
    }
    this.next(e);
  }

  private switchShadow(): void {
    const m = this.monitor;
    m.shadow.switchAddressSpace();
    this.vmcs.setControl('shadowRoot', m.shadow.root);
  }

  /** --no-ept: tlbi/tlbia reach the shadow. */
  private invlpg(e: ExitInfo): void {
    const m = this.monitor;
    const d = decodeCached(e.word!)!;
    countEmulation(m, d, e.pc);
    if (d.def.sem.kind === 'system' && d.def.sem.op === 'tlbi') m.shadow.invalidatePage(m.machine.cpu.regs[d.a]!);
    else m.shadow.flushAll();
    this.next(e);
  }

  /** --no-ept: a page fault of the shadow, handled as under trap-and-emulate. */
  private exception(e: ExitInfo): void {
    const m = this.monitor;
    if ((e.cause! & CAUSE.CODE_MASK) === EXC.PAGE_FAULT) handlePageFault(m, e.faultaddr!, e.cause!, e.pc, e.word);
    else m.reflect(e.cause!, e.epc!, e.faultaddr, e.pc);
  }

  /** An access outside guest RAM (device memory), or a guest table outside it. */
  private eptViolation(e: ExitInfo): void {
    const m = this.monitor;
    const fetch = e.access === 'fetch' || e.word === undefined;
    const d = fetch ? undefined : decodeCached(e.word!)!;
    const sem = d?.def.sem;
    if (d && sem!.kind !== 'load' && sem!.kind !== 'store') throw new Error(`hw: EPT violation by ${d.def.mnemonic}`);
    const va = d ? ((m.machine.cpu.regs[d.b]! + d.imm) >>> 0) : e.pc >>> 0;
    // The violation may have been a guest page table outside RAM: natively that reads as not
    // present, so the guest gets the page fault its own walk implies (fetches included).
    const access = fetch ? ACCESS.FETCH : sem!.kind === 'store' ? ACCESS.WRITE : ACCESS.READ;
    const cause = this.guestWalkFault(va, access);
    if (cause !== undefined) return m.reflect(cause, e.pc, va, e.pc);
    // A fetch from device memory: the bus reads all ones there, which is not an instruction.
    if (!d) return m.reflect(EXC.UNDEFINED, e.pc, undefined, e.pc);
    emulateAccess(m, d, e.pc, va, e.gpa!, true);
  }

  /** The page-fault cause of the guest's own walk for `va`, if its paging is on and the walk fails. */
  private guestWalkFault(va: number, access: AccessKind): number | undefined {
    const guestSt = this.vmcs.read('status');
    if ((guestSt & STATUS.PG) === 0) return undefined;
    const w = walkGuest(this.monitor.guest, this.vmcs.read('ptbr'), va, access, (guestSt & STATUS.CPL_MASK) === 3);
    return w.ok ? undefined : w.cause;
  }

  // --- event injection -------------------------------------------------------------

  /** The monitor's delivery of an exception or interrupt: at the next entry, through the guest's own vector. */
  deliverTrap(cause: number, epc: number, faultaddr: number | undefined): void {
    this.vmcs.inject({ cause, epc, ...(faultaddr === undefined ? {} : { faultaddr }) });
  }

  /**
   * A virtual interrupt: injected at the next entry if the guest's IE is set
   * and nothing else is being injected; otherwise the interrupt window is
   * opened, so the guest exits as soon as it can take it.
   */
  deliverInterrupt(line: number, pc: number): boolean {
    const window = this.vmcs.controls.interruptWindowExit;
    // Outside an exit (a run starting), or the guest cannot take it now: ask for an exit at the first moment it can.
    if (this.monitor.machine.nonRoot || (this.vmcs.read('status') & STATUS.IE) === 0 || this.vmcs.injection) {
      if (!window) this.vmcs.setControl('interruptWindowExit', true);
      return false;
    }
    this.monitor.inject(line, pc);
    if (window) this.vmcs.setControl('interruptWindowExit', false);
    return true;
  }

  // --- posted interrupts -------------------------------------------------------------

  /**
   * Real line `realLine` (an assigned device's interrupt vector) belongs to
   * this guest as virtual line `vline`: the machine's interrupt remapping
   * posts it to this VMCS. With posted interrupts its rising edge reaches the
   * guest with no exit; without, it is an external-interrupt exit whose
   * handler (claimed here) injects `vline`. Lines are message-signalled: one
   * interrupt per rising edge, the device's own acknowledgement (the guest's
   * register access) lowers the line.
   */
  postLine(realLine: number, vline: number): void {
    if (vline < 0 || vline >= IRQ.LINES || !Number.isInteger(vline)) throw new RangeError(`virtual line ${vline} does not exist`);
    const m = this.monitor.machine;
    m.remapLine(realLine, { vmcs: this.vmcs, vline }); // again for the same line: its new virtual line
    if (this.posted || this.claimed.has(realLine)) return;
    this.claimed.add(realLine);
    this.monitor.claimRealLine(realLine, () => {
      const route = m.routeOf(realLine);
      if (route?.vmcs === this.vmcs) this.post(route.vline);
    });
  }

  /**
   * Virtual line `vline` becomes pending in this guest, from anywhere (this
   * monitor's handler, another VM's monitor, the host), whether this vCPU runs
   * or not. Posted: its PIR bit, delivered by the CPU at the first boundary
   * the guest's IE allows, after its next entry if it is not running (no exit
   * of its own). Otherwise the monitor injects it: at the end of the exit
   * being handled, or through an interrupt-window exit.
   */
  post(vline: number): void {
    if (vline < 0 || vline >= IRQ.LINES || !Number.isInteger(vline)) throw new RangeError(`virtual line ${vline} does not exist`);
    const m = this.monitor.machine;
    const mine = m.vmx?.vmcs === this.vmcs;
    if (this.posted) return this.vmcs.post(vline, mine && m.nonRoot);
    this.forwarded |= 1 << vline;
    // In an exit of this vCPU, afterExit injects it; otherwise its guest state is not in the VMCS
    // (running, or saved by a world switch): exit as soon as it can take the interrupt.
    if ((!mine || m.nonRoot) && !this.vmcs.controls.interruptWindowExit) this.vmcs.setControl('interruptWindowExit', true);
  }

  /** Virtual lines posted to this guest and not yet delivered (PIR, or waiting for the monitor's injection). */
  pendingPosted(): number {
    return this.vmcs.pid.pir | this.forwarded;
  }

  /** Without posted interrupts, at the end of an exit: inject the lowest forwarded line, as a virtual device's line. */
  private injectForwarded(): void {
    const f = this.forwarded;
    if (f === 0 || this.monitor.machine.stopped) return;
    const vline = 31 - Math.clz32(f & -f);
    if (!this.deliverInterrupt(vline, this.vmcs.guestPc)) return; // the window is open for it
    this.forwarded = f & ~(1 << vline);
    // More are waiting: the guest takes the next one as soon as it sets IE again.
    if (this.forwarded !== 0 && !this.vmcs.controls.interruptWindowExit) this.vmcs.setControl('interruptWindowExit', true);
  }
}
