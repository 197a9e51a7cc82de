// A VMX-like extension of the CPU, modelled on Intel VT-x: root and non-root
// operation and a VMCS. It is not part of the guest ISA (no instruction reads
// or writes it; opcodes 0xe0-0xef stay reserved): the monitor drives it
// through this API, as a VMM drives VT-x with VMLAUNCH/VMRESUME, VMREAD and
// VMWRITE.
//
// In non-root operation the CPU runs the guest with the guest's own state in
// its registers: its ring (the kernel at ring 0), its interrupt flag, its
// control registers, so the sensitive-but-unprivileged instructions see the
// guest's own state without any exit. What the execution controls select
// exits to the monitor instead: control-register accesses, port I/O per
// port, halt, wait, hypercall, tlb invalidation, exceptions by bitmap,
// external interrupts, the interrupt window. With posted interrupts (VT-x
// with APICv, and VT-d's posted format) a device interrupt remapped to a VMCS
// reaches its guest without any exit (PostedDescriptor below). With the
// virtual timer (as APIC-timer virtualization on later cores) the guest's
// interval timer is the CPU's: its registers act on the VMCS's virtual-timer
// page and its expiry is delivered without any exit (VirtualTimerPage below).
// Memory is translated twice:
// through the guest's page tables (guest-virtual to guest-physical) and
// through second-level tables (EPT: guest-physical to host-physical), or,
// without EPT, through shadow tables the monitor keeps.
//
// Root operation runs nothing on the machine: the monitor is JavaScript,
// called synchronously at the exit and returning after the next entry.

import { CAUSE, CR_NAMES, type SystemOp } from '../isa/index.js';

export const EXIT_REASONS = [
  'exception', 'external-interrupt', 'interrupt-window', 'cr-access', 'io', 'hlt', 'wfi', 'vmcall', 'invlpg', 'ept-violation',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/** The engine's marker cause for "this instruction exits" and the MMU's for an EPT violation (never architectural CAUSE values). */
export const VMX_INSN_EXIT = 0x7fff_0001;
export const VMX_EPT_VIOLATION = 0x7fff_0002;

export interface VmxControls {
  /** Bit n: `mtcr` to control register n exits / `mfcr` from it exits. */
  crWriteExit: number;
  crReadExit: number;
  /** One bit per port: `in`/`out` on it exits. */
  readonly ioBitmap: Uint8Array;
  hltExit: boolean;
  wfiExit: boolean;
  /** `tlbi` and `tlbia` exit. */
  invlpgExit: boolean;
  /** Bit n: exception code n exits instead of reaching the guest's vector. */
  exceptionBitmap: number;
  /** Exit as soon as the guest's interrupt flag is set (to inject a pending interrupt). */
  interruptWindowExit: boolean;
  /** Host-physical address of the second-level directory; 0 without EPT (then `shadowRoot` translates). */
  eptRoot: number;
  /** Without EPT: host-physical address of the shadow directory the MMU walks in non-root operation. */
  shadowRoot: number;
  /** 0: the TLB is flushed at every entry and exit; otherwise the guest's entries are tagged and survive them. */
  vpid: number;
  /**
   * Process posted interrupts: a real line remapped to this VMCS (Machine.remapLine) sets a bit of its
   * descriptor's PIR instead of interrupting, and the CPU delivers it into the guest itself, without
   * an exit. Off: such a line's interrupt is a real one, an external-interrupt exit.
   */
  postedInterrupts: boolean;
  /**
   * The virtual timer: the guest's accesses to the interval timer's ports act on the VMCS's
   * virtual-timer page (Vmcs.timerPage) without an exit (the I/O bitmap must let them through),
   * and its expiry is delivered into the guest by the CPU at the first boundary its IE allows, with
   * no exit, as a posted interrupt. Off: the timer is a device like any other (its ports exit).
   */
  virtualTimer: boolean;
}

/** The device name a trace gives the guest's accesses to the virtual timer. */
export const VIRTUAL_TIMER = 'virtual timer';

/**
 * The virtual-timer page of a VMCS (as APICv's virtual-APIC page: memory the
 * VMCS names, which the CPU and the monitor both read and write). It holds
 * the guest's interval timer, counted in the guest's clock (VT-x's TSC with
 * its offset: the machine's clock less the time the VM was switched out).
 * The CPU reads and writes its registers for the guest's port accesses,
 * ticks it at its deadline and delivers its line while it is raised (a
 * level, lowered by the guest's acknowledgement, as the timer's line).
 */
export interface VirtualTimerPage {
  /** The ports the timer answers at (base, length). */
  readonly base: number;
  readonly length: number;
  /** The guest's virtual line it raises. */
  readonly line: number;
  /** The guest clock now. */
  clock(): number;
  read(offset: number): number;
  write(offset: number, value: number): void;
  /** Guest clock of its next deadline, or Infinity. */
  nextDeadline(): number;
  /** The deadline was reached at guest clock `now`: raise the line. */
  tick(now: number): void;
  raised(): boolean;
}

/**
 * The posted-interrupt descriptor of a vCPU (VT-x with APICv: 64 bytes in
 * memory the VMCS names). `pir` holds one request bit per virtual line (the
 * guest's 16 lines, not x86's 256 vectors); `on` is the outstanding
 * notification: a request posted while this VMCS was not running, not yet
 * seen by the CPU (it is at the first boundary after the next entry). Kept
 * in the VMCS state here: nothing on the machine reads it as memory.
 */
export interface PostedDescriptor {
  pir: number;
  on: boolean;
}

/** An entry of the interrupt-remapping table (VT-d's IRTE in posted format): a real line posted to a VMCS as a virtual line. */
export interface PostedRoute {
  readonly vmcs: Vmcs;
  readonly vline: number;
}

export interface ExitInfo {
  reason: ExitReason;
  /** Guest pc of the instruction that exited (or that was next, for interrupts). */
  pc: number;
  /** The instruction word, when the exit came from an instruction. */
  word?: number;
  /** exception: the CAUSE, EPC and FAULTADDR the guest would have received. */
  cause?: number;
  epc?: number;
  faultaddr?: number;
  /** ept-violation: the guest-physical address and the access. */
  gpa?: number;
  access?: 'read' | 'write' | 'fetch';
  /** external-interrupt: the line. */
  line?: number;
}

/** An event the next entry delivers into the guest (as its hardware would). */
export interface EntryInjection {
  cause: number;
  epc: number;
  faultaddr?: number;
}

/** Counters the extension increments; the monitor hands in its own object so the cost model sees them. */
export interface VmxCounters {
  vmEntries: number;
  vmExits: number;
  vmreads: number;
  vmwrites: number;
  /** Second-level translations (one per guest-physical address translated) and the entries they read. */
  eptWalks: number;
  eptEntryReads: number;
  /** Whole-TLB flushes at transitions (no VPID). */
  vpidFlushes: number;
  /** Posted interrupts the CPU delivered into the guest (no exit), and requests posted while this VMCS was not running. */
  postedInterrupts: number;
  postedWhileNotRunning: number;
  /** Guest accesses to the virtual timer's registers (no exit), and its interrupts the CPU delivered (no exit). */
  virtualTimerAccesses: number;
  timerPosted: number;
  [name: string]: number;
}

/** Guest-state fields of the VMCS, by name (the control registers by their names). */
export type GuestField = 'pc' | (typeof CR_NAMES)[number];

/** Index in guestCr of each control-register field (-1: pc), resolved once: VMREAD/VMWRITE are on every exit. */
const FIELD_INDEX = Object.fromEntries([['pc', -1], ...CR_NAMES.map((n, i) => [n, i])]) as Record<GuestField, number>;

export class Vmcs {
  readonly controls: VmxControls = {
    crWriteExit: 0, crReadExit: 0, ioBitmap: new Uint8Array(8192), hltExit: true, wfiExit: true, invlpgExit: false,
    exceptionBitmap: 0, interruptWindowExit: false, eptRoot: 0, shadowRoot: 0, vpid: 1, postedInterrupts: false,
    virtualTimer: false,
  };
  /** The virtual-timer page (configuration, as the page's address is: snapshots carry the timer's state with the monitor's). */
  timerPage: VirtualTimerPage | undefined;
  readonly pid: PostedDescriptor = { pir: 0, on: false };
  /** Guest state, loaded into the CPU at entry and saved from it at exit. */
  guestPc = 0;
  readonly guestCr = new Int32Array(CR_NAMES.length);
  /**
   * Host state, loaded into the CPU at exit: the monitor's ring 0 with paging
   * and interrupts off, its pc at the monitor's entry point. The monitor is
   * JavaScript and runs no instruction on the machine, so nothing executes in
   * this state; it is what the CPU holds while the exit is being handled.
   */
  hostPc = 0;
  readonly hostCr = new Int32Array(CR_NAMES.length);
  exit: ExitInfo | undefined;
  injection: EntryInjection | undefined;

  constructor(private readonly counters: VmxCounters) {}

  /** VMREAD of a guest-state field. */
  read(field: GuestField): number {
    this.counters.vmreads++;
    return field === 'pc' ? this.guestPc : this.guestCr[FIELD_INDEX[field]]!;
  }

  /** VMWRITE of a guest-state field. */
  write(field: GuestField, value: number): void {
    this.counters.vmwrites++;
    if (field === 'pc') this.guestPc = value | 0;
    else this.guestCr[FIELD_INDEX[field]] = value | 0;
  }

  /** VMREAD of the exit information (reason, qualification). */
  readExit(): ExitInfo {
    this.counters.vmreads++;
    if (!this.exit) throw new Error('vmx: no exit to read');
    return this.exit;
  }

  /** VMWRITE of the entry-interruption field. */
  inject(e: EntryInjection): void {
    this.counters.vmwrites++;
    this.injection = e;
  }

  /** VMWRITE of an execution control. */
  setControl<K extends keyof VmxControls>(name: K, value: VmxControls[K]): void {
    this.counters.vmwrites++;
    (this.controls as { [k in K]: VmxControls[K] })[name] = value;
  }

  /**
   * A device's interrupt posted to this vCPU as virtual line `vline` (the
   * machine's interrupt remapping): its PIR bit set; while this VMCS's guest
   * runs the notification is absorbed by the CPU, otherwise it stays
   * outstanding (ON) until the next entry.
   */
  post(vline: number, running: boolean): void {
    this.pid.pir |= 1 << vline;
    if (running) return;
    this.pid.on = true;
    this.counters.postedWhileNotRunning++;
  }

  /** Virtual interrupt delivery: the CPU takes the lowest requested line out of the PIR (the caller delivers it). */
  takePosted(): number {
    const p = this.pid.pir;
    const vline = 31 - Math.clz32(p & -p);
    this.pid.pir = p & ~(1 << vline);
    this.pid.on = false;
    this.counters.postedInterrupts++;
    return vline;
  }

  /** The virtual timer, if the controls give the guest's access to `port` to it. */
  timerAt(port: number): VirtualTimerPage | undefined {
    const t = this.timerPage;
    return t && this.controls.virtualTimer && ((port - t.base) >>> 0) < t.length ? t : undefined;
  }

  /** Machine clock (`now` now) of the virtual timer's next deadline; Infinity when it is off or stopped. */
  timerDeadline(now: number): number {
    const t = this.timerPage;
    if (!t || !this.controls.virtualTimer) return Infinity;
    const d = t.nextDeadline();
    return d === Infinity ? Infinity : now + d - t.clock();
  }

  /** At an instruction boundary: the virtual timer's deadline reached raises its line. */
  tickTimer(): void {
    const t = this.timerPage;
    if (!t || !this.controls.virtualTimer) return;
    const now = t.clock();
    if (t.nextDeadline() <= now) t.tick(now);
  }

  /** The virtual line the virtual timer requests (bit n = line n): its line while raised, 0 otherwise. */
  timerRequest(): number {
    const t = this.timerPage;
    return t && this.controls.virtualTimer && t.raised() ? 1 << t.line : 0;
  }

  save(): unknown {
    return { controls: { ...this.controls, ioBitmap: this.controls.ioBitmap.slice() }, pid: { ...this.pid }, guestPc: this.guestPc,
      guestCr: this.guestCr.slice(), hostPc: this.hostPc, hostCr: this.hostCr.slice(),
      exit: this.exit && { ...this.exit }, injection: this.injection && { ...this.injection } };
  }

  restore(s: unknown): void {
    const v = s as { controls: VmxControls; pid: PostedDescriptor; guestPc: number; guestCr: Int32Array; hostPc: number; hostCr: Int32Array;
      exit: ExitInfo | undefined; injection: EntryInjection | undefined };
    const { ioBitmap, ...rest } = v.controls;
    Object.assign(this.controls, rest);
    this.controls.ioBitmap.set(ioBitmap);
    Object.assign(this.pid, v.pid);
    this.guestPc = v.guestPc;
    this.guestCr.set(v.guestCr);
    this.hostPc = v.hostPc;
    this.hostCr.set(v.hostCr);
    this.exit = v.exit && { ...v.exit };
    this.injection = v.injection && { ...v.injection };
  }
}

/** The execution control that decides whether an instruction exits. */
export type ExitControl = 'crWrite' | 'crRead' | 'io' | 'hlt' | 'wfi' | 'invlpg' | 'always';

/**
 * The system instructions that can exit, the control that decides it and the
 * reason they exit with: the one table the machine (naming an exit) and the
 * interpreter's non-root loop (testing the control inline, gen.ts) both read.
 */
export const INSN_EXIT: Partial<Record<SystemOp, { control: ExitControl; reason: ExitReason }>> = {
  mtcr: { control: 'crWrite', reason: 'cr-access' },
  mfcr: { control: 'crRead', reason: 'cr-access' },
  in: { control: 'io', reason: 'io' },
  out: { control: 'io', reason: 'io' },
  halt: { control: 'hlt', reason: 'hlt' },
  wfi: { control: 'wfi', reason: 'wfi' },
  hcall: { control: 'always', reason: 'vmcall' },
  tlbi: { control: 'invlpg', reason: 'invlpg' },
  tlbia: { control: 'invlpg', reason: 'invlpg' },
};

/** Whether `control` selects an exit, for control register `crn` or port `port`. */
export function controlSelects(control: ExitControl, c: VmxControls, crn: number, port: number): boolean {
  switch (control) {
    case 'crWrite': return ((c.crWriteExit >>> crn) & 1) !== 0;
    case 'crRead': return ((c.crReadExit >>> crn) & 1) !== 0;
    case 'io': return (c.ioBitmap[(port & 0xffff) >>> 3]! & (1 << (port & 7))) !== 0;
    case 'hlt': return c.hltExit;
    case 'wfi': return c.wfiExit;
    case 'invlpg': return c.invlpgExit;
    case 'always': return true;
  }
}

/** The exit a system instruction takes in non-root operation under `c`, if any. */
export function instructionExit(op: SystemOp, c: VmxControls, crn: number, port: number): ExitReason | undefined {
  const e = INSN_EXIT[op];
  return e && controlSelects(e.control, c, crn, port) ? e.reason : undefined;
}

/** Whether an exception of CAUSE `cause` exits under the bitmap. */
export function exceptionExits(c: VmxControls, cause: number): boolean {
  return ((c.exceptionBitmap >>> (cause & CAUSE.CODE_MASK)) & 1) !== 0;
}
