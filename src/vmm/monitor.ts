// The monitor core: everything the modes share. It owns the virtual CPU, the
// guest's memory window, the monitor's own frames, shadow paging, the virtual
// platform (devices and interrupt lines) and the counters; it installs itself
// as the machine's trap hook and hands each trap to the current mode, and it
// is a MachineDevice so that the machine's reset, snapshots and restores carry
// the monitor's state along with the CPU's (reverse stepping works under a
// monitor as it does on the bare machine).
//
// The monitor runs "at ring 0": in JavaScript, in the trap hook, between two
// guest instructions. It touches the real CPU only through its state (the
// registers, pc, STATUS.CPL, PTBR, TVEC), the machine's own operations (port
// I/O, TLB invalidation, halt, wfi) and guest memory.

import type { Image } from '../elf/image.js';
import { CAUSE, CR, IRQ, REG, STATUS, type Decoded } from '../isa/index.js';
import { decodeCached } from '../machine/decode-cache.js';
import type { DeviceFactory, MachineDevice } from '../machine/device.js';
import type { Machine } from '../machine/machine.js';
import type { TrapDecision, TrapInfo } from '../machine/trap.js';
import { bumpReflectCounter, bumpTrapCounter, createMonitorCounters, type MonitorCounters } from './counters.js';
import { VirtualPlatform, virtualBoard, type PlatformState } from './devices/platform.js';
import { SoleTenancy, type HostPort } from './host-port.js';
import type { MonitorListener } from './events.js';
import { GuestMemory } from './guest-memory.js';
import type { VmLayout } from './layout.js';
import type { MonitorMode } from './modes/mode.js';
import { FramePool, type FramePoolState } from './monitor-memory.js';
import { probeGuest } from './shadow/guest-walk.js';
import { ShadowMmu, type ShadowState } from './shadow/shadow-mmu.js';
import { VCpu, type VCpuState } from './vcpu.js';

/**
 * The real TVEC while a monitor runs. Every trap goes to the trap hook first
 * and the hook handles all of them, so the CPU never vectors here; the value
 * is what a guest reading the trap-vector base without trapping (rdtvec) sees:
 * the top 4 MiB of the address space, where monitors such as Xen placed themselves.
 */
export const MONITOR_TVEC = 0xffc0_0000 | 0;

export interface MonitorOptions {
  /** Shadow address spaces kept (the current one included). Default 8; 1 rebuilds on every switch. */
  shadowCache?: number;
  /**
   * A VM on a host of several (src/host/): the host's port (real timer,
   * waiting), the guest clock and the virtual board. The monitor is then not
   * itself a machine device and does not install its trap hook: the host
   * resets, snapshots and world-switches it. Default: alone on the machine.
   */
  hosted?: { port: HostPort; clock: () => number; board: readonly DeviceFactory[] };
  /** Alone on the machine: virtual devices beside the timer and console (a NIC's PCI bus). */
  devices?: readonly DeviceFactory[];
}

interface MonitorState {
  vcpu: VCpuState;
  platform: PlatformState;
  frames: FramePoolState;
  shadow: ShadowState;
  counters: MonitorCounters;
  mode: unknown;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

export class Monitor implements MachineDevice {
  readonly name = 'monitor';
  readonly vcpu = new VCpu();
  readonly counters: MonitorCounters = createMonitorCounters();
  readonly guest: GuestMemory;
  readonly frames: FramePool;
  readonly platform: VirtualPlatform;
  readonly shadow: ShadowMmu;
  readonly mode: MonitorMode;
  /** The real timer and waiting, as whatever hosts this monitor provides them. */
  readonly port: HostPort;
  /** Receives one event per monitor action (traces, debugger); nothing is built without it. */
  listener: MonitorListener | undefined;
  /** While a trap is handled: whether it is a callout (noteCallout). */
  inCallout = false;
  /** Virtual lines pending when the host last switched this VM out (suspend), and when the trap being handled came. */
  private pendingAtSuspend = 0;
  private pendingAtEntry = 0;
  /** The trap being handled is a slice's end that must deliver nothing (realInterrupt). */
  private holdDelivery = false;
  /** Backends' work to finish before every return to the guest (onEntry). */
  private readonly entryWork: (() => void)[] = [];
  /** Per real interrupt line, the backend that acknowledges it (claimRealLine). */
  private readonly realLines: ((() => void) | undefined)[] = [];

  constructor(
    readonly machine: Machine,
    readonly layout: VmLayout,
    makeMode: (monitor: Monitor) => MonitorMode,
    options: MonitorOptions = {},
  ) {
    if (!machine.timer) throw new Error('a monitor needs the machine timer for its own ticks');
    const hosted = options.hosted;
    if (!hosted && machine.mem.size < layout.ramSize) throw new Error(`machine RAM ${machine.mem.size} is smaller than the VM layout's ${layout.ramSize}`);
    if (layout.ramSize > machine.mem.size) throw new Error(`the VM layout's ${layout.ramSize} bytes exceed machine RAM ${machine.mem.size}`);
    this.guest = new GuestMemory(machine.mem, layout);
    this.frames = new FramePool(machine.mem, layout);
    this.platform = hosted
      ? new VirtualPlatform(machine, layout, hosted.board, hosted.clock)
      : new VirtualPlatform(machine, layout, [...virtualBoard(machine), ...(options.devices ?? [])]);
    this.port = hosted ? hosted.port : new SoleTenancy(machine);
    this.shadow = new ShadowMmu(machine, this.guest, this.frames, this.vcpu, this.counters,
      options.shadowCache ?? 8, () => this.listener);
    this.mode = makeMode(this);
    this.claimRealLine(IRQ.TIMER, () => this.ackRealTimer());
    if (hosted) return;
    machine.addDevice(this);
    machine.trapHook = this.onTrap;
  }

  /** The trap hook to install while this monitor's vCPU runs (a host installs it at each world switch). */
  get trapHook(): (m: Machine, t: TrapInfo) => TrapDecision {
    return this.onTrap;
  }

  /** Put the image into guest memory and reset the machine (and so the monitor) to its entry point. */
  load(image: Image): void {
    this.machine.mem.clear(); // guard and monitor memory too: a reload starts from the same bytes as a fresh VM
    this.guest.load(image);
    this.machine.reset(image.entry);
  }

  // --- MachineDevice: reset and snapshots ---------------------------------------

  /**
   * Called by Machine.reset() after the CPU was reset: the guest starts as the
   * bare machine would (virtual ring 0, interrupts and paging off, sp at the
   * top of guest RAM) while the real CPU runs it deprivileged, with paging on
   * through an empty shadow and interrupts on.
   */
  reset(): void {
    this.vcpu.reset();
    this.platform.reset();
    this.frames.reset();
    Object.assign(this.counters, createMonitorCounters());
    const cr = this.machine.cpu.cr;
    cr[CR.status] = STATUS.PG | STATUS.IE | this.mode.realRing(0);
    cr[CR.tvec] = MONITOR_TVEC;
    this.shadow.reset();
    this.mode.reset?.();
    this.machine.cpu.regs[REG.sp] = this.layout.guestSize;
    this.mode.setGuestPc(this.machine.cpu.pc);
    this.mode.start?.();
  }

  save(): MonitorState {
    return {
      vcpu: this.vcpu.save(), platform: this.platform.save(), frames: this.frames.save(),
      shadow: this.shadow.save(), counters: { ...this.counters }, mode: this.mode.save?.(),
    };
  }

  restore(state: unknown): void {
    const s = state as MonitorState;
    this.vcpu.restore(s.vcpu);
    this.platform.restore(s.platform);
    this.frames.restore(s.frames);
    this.shadow.restore(s.shadow);
    Object.assign(this.counters, s.counters);
    this.mode.restore?.(s.mode);
  }

  // --- the trap hook ---------------------------------------------------------------

  private readonly onTrap = (_m: Machine, t: TrapInfo): TrapDecision => {
    this.listener?.({ kind: 'trap', cause: t.cause, pc: t.pc });
    this.pendingAtEntry = this.platform.pendingLines();
    this.holdDelivery = false;
    this.platform.catchUp();
    this.inCallout = false;
    const decision = this.mode.handleTrap(t);
    if (!this.inCallout) {
      const c = this.counters;
      c.traps++;
      if ((t.cause & CAUSE.INTERRUPT) !== 0) c.trapInterrupt++;
      else bumpTrapCounter(c, t.cause & CAUSE.CODE_MASK);
    }
    this.inCallout = false;
    this.settleTime();
    return decision;
  };

  /**
   * The trap being handled is a callout of translated code (bt): it is counted
   * as a callout, not as a trap of its cause, and an emulation inside it as
   * part of the callout (countEmulation), so that each counter prices one event.
   */
  noteCallout(): void {
    this.inCallout = true;
    this.counters.callouts++;
  }

  /**
   * After the monitor acted (a trap, or hw's exit): if the guest clock has
   * reached a virtual deadline (an emulated instruction retired onto it), the
   * virtual line rises now, as the real one would at this instruction
   * boundary; then the real timer is armed for the next deadline.
   */
  settleTime(): void {
    if (this.machine.stopped) return;
    // Backends finish what the guest's access set off before the guest runs again (a frame the
    // wire answered at once reaches the VM before its next instruction, as on the bare machine).
    for (const work of this.entryWork) work();
    // A virtual deadline reached (or a wait that took its tick, idleGuest) leaves a line
    // pending: deliver it at this boundary if the guest can take it.
    this.platform.catchUp();
    if (this.holdDelivery) this.holdDelivery = false;
    else this.injectIfPending();
    this.armRealTimer();
  }

  /** Before a run: deliver what became pending outside the guest (console input fed between runs). */
  beforeRun(): void {
    if (this.machine.stopped) return;
    this.mode.settle?.();
    this.resume();
  }

  /**
   * A world switch back into this VM (a host of several): the virtual timer
   * catches up, the real one is armed, and what is pending is delivered. The
   * vCPU may have been preempted between the words of one translated guest
   * instruction; it is settled to a guest instruction boundary only if
   * something is delivered there (injectIfPending), so a preemption changes
   * nothing the guest retires.
   */
  resume(): void {
    if (this.machine.stopped) return;
    this.platform.catchUp();
    this.armRealTimer();
    // What was pending when the VM left and what arrived since: a guest that unmasks without
    // entering the monitor (pv) gets only the latter here, as alone it would get only a new event.
    if (this.mode.unmasksWithoutEntry && (this.platform.pendingLines() & ~this.pendingAtSuspend) === 0) return;
    this.injectIfPending();
  }

  /** The host switches this VM's vCPU out: remember what is pending (resume() compares). */
  suspend(): void {
    this.pendingAtSuspend = this.platform.pendingLines();
  }

  // --- pieces the modes share --------------------------------------------------

  /** Run the real CPU at the ring that stands for the guest's virtual ring. */
  applyRing(): void {
    const cr = this.machine.cpu.cr;
    cr[CR.status] = (cr[CR.status]! & ~STATUS.CPL_MASK) | this.mode.realRing(this.vcpu.ring);
  }

  /** The guest wrote its STATUS user flags (mtcr, wrflags, pv's iret): they are real state, any ring reaches them. */
  setUserFlags(value: number): void {
    const cr = this.machine.cpu.cr;
    cr[CR.status] = (cr[CR.status]! & ~STATUS.USER_MASK) | (value & STATUS.USER_MASK);
  }

  /**
   * Program the real timer for the next virtual deadline (nothing to do when
   * it already is). While the virtual line is high a deadline changes nothing
   * the guest can see (ticks are not queued) until the guest touches the timer,
   * which traps and catches the virtual timer up first; so the real timer
   * stays quiet instead of interrupting the monitor for nothing.
   */
  armRealTimer(waiting = false): void {
    // A timer the CPU virtualizes needs the real one only to wake a wait (as a host arms one for a halted vCPU).
    const cpuTimer = !waiting && ((this.mode.cpuLines ?? 0) & (1 << this.platform.timer.line)) !== 0;
    const target = this.platform.timerLineHigh() || cpuTimer ? Infinity : this.platform.nextDeadline();
    const period = target === Infinity ? Infinity : target - this.platform.clock();
    if (period <= 0) throw new Error(`monitor: virtual deadline ${target} is already due`);
    this.inRoot(() => this.port.armTimer(period));
  }

  /**
   * Touch the real timer as the host, in root operation, even where the
   * vCPU's context is loaded but not running (a world switch back, a run
   * starting): its ports are the guest's virtual timer's only for the guest's
   * own instructions in non-root operation (hw's virtual timer).
   */
  private inRoot(f: () => void): void {
    const m = this.machine;
    if (!m.nonRoot) return f();
    m.nonRoot = false;
    try {
      f();
    } finally {
      m.nonRoot = true;
    }
  }

  /**
   * A real interrupt reached the monitor: the real timer (armed for the next
   * virtual deadline) or a real device whose backend claimed its line.
   */
  realInterrupt(line: number, pc: number): void {
    this.realInterruptAck(line);
    this.armRealTimer();
    // On a host the real timer also ends slices. A guest that unmasks without entering the
    // monitor (pv) gets nothing at such an interrupt unless something new became pending:
    // alone, no interrupt would have come at this instruction.
    if (this.mode.unmasksWithoutEntry && (this.platform.pendingLines() & ~this.pendingAtEntry) === 0) {
      this.holdDelivery = true;
      return;
    }
    // Under a mode that may stop between the words of one guest instruction (bt), the boundary
    // is found only if something is delivered there: the host's timer also interrupts for the
    // end of a slice, and a tick the guest cannot take yet changes nothing it retires.
    this.injectIfPending(this.mode.settle ? undefined : pc);
  }

  /**
   * The guest waits for an interrupt (wfi, or pv's block) with none pending:
   * the machine idles to the real timer's deadline, armed for the next virtual
   * one, and the monitor takes that tick itself: it was the wake-up the wait
   * asked for, not an interrupt to deliver again afterwards.
   */
  idleGuest(pc: number): void {
    // The wait itself may have retired onto a deadline: then its tick is due now, nothing to wait for.
    this.platform.catchUp();
    if (this.platform.pendingLines() !== 0) return;
    this.armRealTimer(true);
    const deadline = this.platform.nextDeadline();
    if (this.port.idle(pc, deadline === Infinity ? Infinity : deadline - this.platform.clock())) this.realInterruptAck(IRQ.TIMER);
  }

  /**
   * A backend of the monitor (a device model's host side, later a NIC's)
   * takes real interrupt line `line`: each real interrupt on it calls
   * `handler`, which must lower the line (acknowledge its device) before it
   * returns. The timer's line is the monitor's own.
   */
  claimRealLine(line: number, handler: () => void): void {
    if (line < 0 || line >= IRQ.LINES) throw new RangeError(`interrupt line ${line} does not exist`);
    if (this.realLines[line]) throw new Error(`monitor: real interrupt line ${line} is claimed already`);
    this.realLines[line] = handler;
  }

  /**
   * `work` runs after each trap or exit the monitor handled, before the guest
   * runs again: a backend finishing what the guest's access set off (the
   * network's uplink passing on a frame the wire answered at once).
   */
  onEntry(work: () => void): void {
    this.entryWork.push(work);
  }

  /** Acknowledge a real interrupt: the timer's, then the virtual timer catches up; else the line's backend. */
  realInterruptAck(line: number): void {
    const handler = this.realLines[line];
    if (!handler) {
      // A level line nobody acknowledges would interrupt the monitor for ever: stop instead, saying which.
      this.machine.requestStop(`monitor: real interrupt on line ${line}, which no backend of the monitor claimed`);
      this.machine.setIrq(line, false);
      return;
    }
    handler();
    if ((this.machine.irqPending & (1 << line)) !== 0) {
      this.machine.requestStop(`monitor: the backend of real interrupt line ${line} left it raised`);
      this.machine.setIrq(line, false);
    }
  }

  private ackRealTimer(): void {
    this.inRoot(() => this.port.ackTimer());
    this.platform.catchUp();
  }

  /**
   * Deliver an exception or interrupt into the guest exactly as the hardware
   * would (vEPC, vCAUSE, vFAULTADDR, vPPL/vPIE, vIE = 0, virtual ring 0, pc =
   * vTVEC). With no guest vector the machine stops as it would natively.
   */
  deliver(cause: number, epc: number, faultaddr: number | undefined, pc: number): void {
    if (this.mode.deliverTrap) return this.mode.deliverTrap(cause, epc, faultaddr, pc);
    if (this.vcpu.tvec === 0) return this.stopUnhandled(cause, epc, faultaddr, pc, 'TVEC is 0');
    this.vcpu.enterTrap(cause, epc, faultaddr);
    this.applyRing();
    this.mode.setGuestPc(this.vcpu.tvec);
  }

  /** The machine stops as it would natively on a trap with nowhere to go (`why`: which vector is missing). */
  stopUnhandled(cause: number, epc: number, faultaddr: number | undefined, pc: number, why: string): void {
    this.machine.stopUnhandled({ cause: cause >>> 0, pc: pc >>> 0, epc: epc >>> 0, ...(faultaddr === undefined ? {} : { faultaddr: faultaddr >>> 0 }) }, why);
  }

  /** Reflect an exception the guest must see (its own page faults, syscalls, faults of its processes, ...). */
  reflect(cause: number, epc: number, faultaddr: number | undefined, pc: number): void {
    const c = this.counters;
    c.reflected++;
    bumpReflectCounter(c, cause & CAUSE.CODE_MASK);
    this.listener?.({ kind: 'reflect', cause: cause >>> 0, epc: epc >>> 0, ...(faultaddr === undefined ? {} : { faultaddr: faultaddr >>> 0 }) });
    this.deliver(cause, epc, faultaddr, pc);
  }

  /**
   * If the guest's interrupt flag allows it, deliver its lowest pending virtual
   * interrupt before `pc` (default: the guest's next instruction, found only
   * when something can be delivered: under bt that is a lookup in the unit).
   */
  injectIfPending(pc?: number): boolean {
    if (this.machine.stopped) return false;
    const pending = this.platform.pendingLines() & ~(this.mode.cpuLines ?? 0);
    if (pending === 0) return false;
    const line = 31 - Math.clz32(pending & -pending);
    if (this.mode.deliverInterrupt) return this.mode.deliverInterrupt(line, pc ?? this.mode.guestPc());
    if (!this.vcpu.ie) return false;
    this.inject(line, pc ?? this.boundaryPc());
    return true;
  }

  /** The guest pc of the next instruction, the CPU first brought to a guest instruction boundary. */
  private boundaryPc(): number {
    this.mode.settle?.();
    return this.mode.guestPc();
  }

  /** Deliver virtual interrupt `line` before `pc` now (the caller decided the guest can take it). */
  inject(line: number, pc: number): void {
    this.counters.injected++;
    this.listener?.({ kind: 'inject', line, epc: pc >>> 0 });
    this.deliver((CAUSE.INTERRUPT | line) >>> 0, pc, undefined, pc);
  }

  /**
   * The instruction at guest pc. The machine reports the word it executed
   * with every trap that fetched one, and that word is what must be emulated
   * (even if the guest has since remapped its code without tlbi). Otherwise it
   * is fetched from guest memory: through the mappings the CPU is using (the
   * shadow), else through the guest's own tables.
   */
  decodeAt(pc: number, executed: number | undefined): Decoded {
    const word = executed === undefined ? this.fetchGuestWord(pc) : executed >>> 0;
    if (word === undefined) throw new Error(`monitor: cannot read the guest instruction at ${hex(pc)}`);
    const d = decodeCached(word);
    if (!d) throw new Error(`monitor: the word ${hex(word)} at ${hex(pc)} is not an instruction`);
    return d;
  }

  /** The word at guest-virtual `pc` (4-aligned), or undefined where nothing of guest RAM is mapped. */
  fetchGuestWord(pc: number): number | undefined {
    if ((pc & 3) !== 0) return undefined;
    const hpa = this.machine.translateDebug(pc)?.paddr;
    const gpa = hpa !== undefined && this.guest.guestOf(hpa) >= 0 ? this.guest.guestOf(hpa) : this.guestTranslate(pc);
    return gpa !== undefined && this.guest.contains(gpa, 4) ? this.guest.read(gpa, 4) : undefined;
  }

  /** The guest's control register `n` as it sees it (tools: debugger views; no side effects). */
  guestCr(n: number): number {
    return this.mode.guestCr ? this.mode.guestCr(n) | 0 : this.vcpu.readCr(n, this.machine.cpu.cr[CR.status]!);
  }

  /** The guest's ring as it sees it. */
  guestRing(): number {
    return this.guestCr(CR.status) & STATUS.CPL_MASK;
  }

  /** Where guest-virtual `va` leads through the guest's own tables (tools; no side effects). */
  guestTranslate(va: number): number | undefined {
    return probeGuest(this.guest, this.vcpu.pg, this.vcpu.ptbr, va);
  }
}
