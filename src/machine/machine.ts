// The bare machine: CPU state, RAM, MMU and TLB, bus and devices, interrupt
// lines, counters, and the one trap path. The machine owns all state; an
// engine (src/engine) executes instructions against it and calls back here for
// everything off its fast path (traps, control registers, I/O, TLB misses).

import { CAUSE, CR, IRQ, REG, STATUS } from '../isa/index.js';
import { decodeCached } from './decode-cache.js';
import { Console, type ConsoleOptions } from '../devices/console.js';
import { Timer } from '../devices/timer.js';
import { buildBoard, standardBoard } from './board.js';
import { Bus } from './bus.js';
import { bumpExcCounter, createCounters, type Counters } from './counters.js';
import { Cpu } from './cpu.js';
import type { AccessSize, DeviceContext, DeviceFactory, MachineDevice } from './device.js';
import { WindowDma } from './dma.js';
import type { Observer, StepRecord, TrapDelivery } from './events.js';
import { MemoryJournal } from './journal.js';
import { DEFAULT_MEMORY_SIZE, PhysicalMemory } from './memory.js';
import { fetchWindowPaddr, type FetchWindow } from './fetch-window.js';
import { Mmu, type NestedPaging, type Translation } from './mmu.js';
import { deadlockStop, type Stop } from './stop.js';
import { Tlb, type TlbState } from './tlb.js';
import { describeTrap, type TrapHook, type TrapInfo } from './trap.js';
import { exceptionExits, instructionExit, VIRTUAL_TIMER, VMX_EPT_VIOLATION, VMX_INSN_EXIT, type ExitInfo, type PostedRoute, type Vmcs, type VmxCounters } from './vmx.js';

/** A monitor's VMX setup: its VMCS, the counters the extension increments, and its exit handler. */
export interface VmxSetup {
  vmcs: Vmcs;
  counters: VmxCounters;
  /** Called at every VM exit (root operation); resumes the guest with machine.vmEnter() or stops the machine. */
  onExit: (exit: ExitInfo) => void;
}

export interface MachineOptions {
  /** RAM size in bytes: a multiple of 4096, at most 1 GiB. Default 16 MiB. */
  memorySize?: number;
  /** Console options, or false for no console. Default: console with captured output, no input. */
  console?: ConsoleOptions | false;
  /** Attach the interval timer (default true). */
  timer?: boolean;
  /**
   * The board: the devices to build the machine from (board.ts). Default: the
   * standard board of `console` and `timer` (standardBoard).
   */
  devices?: readonly DeviceFactory[];
}

/** Everything but RAM, for reverse stepping: cheap to take, restore gives the same machine. */
export interface MachineState {
  regs: Int32Array;
  pc: number;
  cr: Int32Array;
  tlb: TlbState;
  irqPending: number;
  /** Remapped lines high (remapLine); absent in snapshots taken before remapping existed. */
  remappedLevel?: number;
  /** Each device's state by its name. */
  devices: Record<string, unknown>;
  counters: Counters;
  stopped: Stop | undefined;
}

/**
 * What a world switch saves and loads (a host of several VMs on one machine):
 * one vCPU's whole CPU-side state, and the per-VM hooks of the monitor that
 * runs it (its trap hook, bt's fetch window, its VMX setup), which belong to
 * the vCPU being run, not to the machine. `tlb` is what a tagged TLB would
 * keep for this vCPU (hw with VPID); loadContext() flushes instead when asked.
 */
export interface CpuContext {
  regs: Int32Array;
  pc: number;
  cr: Int32Array;
  /** Only when the context's TLB entries are to survive the switch (a tagged TLB): copying them costs. */
  tlb: TlbState | undefined;
  nonRoot: boolean;
  trapHook: TrapHook | undefined;
  fetchWindow: FetchWindow | undefined;
  vmx: VmxSetup | undefined;
}

type TimedDevice = MachineDevice & Required<Pick<MachineDevice, 'nextDeadline'>>;

const PIE_IE_CPL_PPL = STATUS.PIE | STATUS.IE | STATUS.CPL_MASK | STATUS.PPL_MASK;
const FLAGS_RING0 = STATUS.IE | STATUS.USER_MASK;

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export class Machine implements DeviceContext {
  readonly cpu = new Cpu();
  readonly mem: PhysicalMemory;
  readonly tlb = new Tlb();
  readonly counters: Counters = createCounters();
  /** Resets so far: an engine keeping state about the code in RAM (the JIT) starts over after one. */
  resets = 0;
  readonly mmu: Mmu;
  readonly bus: Bus;
  /** Bus-master access for the machine's devices: all of physical RAM (no IOMMU yet). */
  readonly dma: WindowDma;
  readonly devices: MachineDevice[] = [];
  /** The devices with a deadline, looked at before every slice an engine runs. */
  private readonly timed: TimedDevice[] = [];
  readonly console: Console | undefined;
  readonly timer: Timer | undefined;

  /**
   * Interrupt requests at the CPU (bit n = line n): the level of each line,
   * or for a remapped line the message it sent, until acknowledged.
   */
  irqPending = 0;
  /**
   * The interrupt-remapping table (VT-d's), by real line: a remapped line is
   * message-signalled (MSI), so only its rising edge counts: it is posted to
   * its route's VMCS when that VMCS processes posted interrupts, otherwise it
   * is one request at the CPU, which taking it (or the exit for it)
   * acknowledges. Configuration, like `vmx`: snapshots do not carry it.
   */
  private readonly routes: (PostedRoute | undefined)[] = new Array<PostedRoute | undefined>(IRQ.LINES).fill(undefined);
  /** Lines with a route (bit n = line n). */
  private remapped = 0;
  /** The device-side level of each remapped line (its edges are what is sent). */
  private remappedLevel = 0;
  /** Set once the machine cannot continue (halt, unhandled trap, deadlock). */
  stopped: Stop | undefined;
  /** A stop asked for by a hook, device or breakpoint; the engine ends its run with it. */
  stopRequest: Stop | undefined;
  /** Consulted for every trap before it is delivered (the monitor's interception point). */
  trapHook: TrapHook | undefined;
  /** Receives one record per step; engines run a slower, recording loop while it is set. */
  observer: Observer | undefined;
  /** Virtual pcs (unsigned) where run() stops before executing. */
  readonly breakpoints = new Set<number>();
  /** The record of the step in progress, while an observer is attached. */
  record: StepRecord | undefined;
  /**
   * Supervisor fetches inside this window bypass the page tables (a monitor's
   * translation cache; see fetch-window.ts). Configuration, not guest state:
   * snapshots do not carry it.
   */
  fetchWindow: FetchWindow | undefined;
  /** The VMX-like extension's setup (vmx.ts), if a monitor uses it. Configuration, like the fetch window. */
  vmx: VmxSetup | undefined;
  /** In non-root operation: the CPU runs the guest of `vmx.vmcs`. */
  nonRoot = false;
  /** What vmEnter() hands the MMU, kept across entries. */
  private nestedOf: NestedPaging | undefined;

  constructor(options: MachineOptions = {}) {
    this.mem = new PhysicalMemory(options.memorySize ?? DEFAULT_MEMORY_SIZE);
    this.mmu = new Mmu(this.cpu, this.mem, this.tlb, this.counters, this);
    this.bus = new Bus(this.mem.size);
    this.dma = new WindowDma(this.mem, 0, this.mem.size);
    const board = buildBoard(this.bus, this, options.devices ?? standardBoard(options));
    for (const d of board) this.addDevice(d);
    // The devices tools and monitors reach directly (the monitor's own timer, the console's text).
    this.timer = board.find((d): d is Timer => d instanceof Timer);
    this.console = board.find((d): d is Console => d instanceof Console);
    this.reset(0);
  }

  /**
   * Devices with state to reset, snapshot (by name, which must be unique) or
   * tick. Board devices are added by the constructor; a device added later
   * registers its bus ranges on `bus` itself.
   */
  addDevice(device: MachineDevice): void {
    if (this.devices.some((d) => d.name === device.name)) throw new Error(`machine: two devices named '${device.name}'`);
    this.devices.push(device);
    if (device.nextDeadline) this.timed.push(device as TimedDevice);
  }


  /**
   * Reset state: registers and control registers 0 (ring 0, IE 0, PG 0), pc = entry,
   * sp = top of RAM, TLB empty, lines low, counters 0, devices reset. RAM is kept.
   */
  reset(entry: number): void {
    this.resets++;
    this.cpu.reset(entry);
    this.cpu.regs[REG.sp] = this.mem.size;
    this.tlb.reset();
    this.irqPending = 0;
    this.remappedLevel = 0;
    this.stopped = undefined;
    this.stopRequest = undefined;
    this.nonRoot = false;
    this.mmu.nested = undefined;
    Object.assign(this.counters, createCounters());
    for (const d of this.devices) d.reset();
  }

  // --- time and interrupt lines ---------------------------------------------

  /** Instructions retired plus idle ticks: the only notion of time. */
  clock(): number {
    return this.counters.instructions + this.counters.idle;
  }

  setIrq(line: number, level: boolean): void {
    if (line < 0 || line >= IRQ.LINES) throw new RangeError(`interrupt line ${line} does not exist`);
    if ((this.remapped & (1 << line)) !== 0) return this.remappedIrq(line, level);
    const before = this.irqPending;
    this.irqPending = level ? before | (1 << line) : before & ~(1 << line);
    if (before !== this.irqPending) this.record?.events.push({ kind: 'irq', line, level });
  }

  /**
   * Remap real line `line` (an entry of the interrupt-remapping table, as a
   * monitor programs VT-d for an assigned device): from now on it is posted
   * to `route.vmcs` as virtual line `route.vline`; undefined removes the entry.
   * A line is remapped to one VMCS at a time. A line already high when
   * remapped sends nothing until its next rising edge; removing the entry
   * drops a message not yet taken and leaves the line low (a device being
   * reassigned is reset, its pending interrupts cleared).
   */
  remapLine(line: number, route: PostedRoute | undefined): void {
    if (line < 0 || line >= IRQ.LINES) throw new RangeError(`interrupt line ${line} does not exist`);
    if (route && (route.vline < 0 || route.vline >= IRQ.LINES)) throw new RangeError(`virtual line ${route.vline} does not exist`);
    const old = this.routes[line];
    if (route && old && old.vmcs !== route.vmcs) throw new Error(`machine: real line ${line} is posted to another VMCS already`);
    this.routes[line] = route;
    const bit = 1 << line;
    if (route && (this.remapped & bit) === 0) this.remappedLevel |= this.irqPending & bit;
    if (!route && (this.remapped & bit) !== 0) this.remappedLevel &= ~bit;
    if ((this.remapped & bit) === 0 || !route) this.irqPending &= ~bit;
    this.remapped = route ? this.remapped | bit : this.remapped & ~bit;
  }

  /** The remapping-table entry of real line `line`, if any. */
  routeOf(line: number): PostedRoute | undefined {
    return this.routes[line];
  }

  /**
   * A remapped line changed level: a rising edge is one message. Posted, it
   * sets a PIR bit of its VMCS (absorbed at once if that VMCS runs in non-root
   * operation, counted postedWhileNotRunning otherwise), with no request at
   * the CPU; else it is a request the CPU acknowledges when it takes it.
   */
  private remappedIrq(line: number, level: boolean): void {
    const bit = 1 << line;
    const before = this.remappedLevel;
    this.remappedLevel = level ? before | bit : before & ~bit;
    if (before === this.remappedLevel) return;
    this.record?.events.push({ kind: 'irq', line, level });
    if (!level) return;
    const route = this.routes[line]!;
    const vmcs = route.vmcs;
    if (vmcs.controls.postedInterrupts) vmcs.post(route.vline, this.nonRoot && this.vmx?.vmcs === vmcs);
    else this.irqPending |= bit;
  }

  /** Earliest clock value at which some device needs a tick, or Infinity. */
  nextDeadline(): number {
    let d = Infinity;
    const timed = this.timed;
    for (let i = 0; i < timed.length; i++) {
      const t = timed[i]!.nextDeadline();
      if (t < d) d = t;
    }
    // In non-root operation the guest's virtual timer (vmx.ts) is the CPU's too.
    if (this.nonRoot) d = Math.min(d, this.vmx!.vmcs.timerDeadline(this.clock()));
    return d;
  }

  /** Let time-driven devices act on the current clock. */
  tickDevices(): void {
    const now = this.clock();
    const timed = this.timed;
    for (let i = 0; i < timed.length; i++) {
      const dev = timed[i]!;
      if (dev.tick && dev.nextDeadline() <= now) dev.tick(now);
    }
    if (this.nonRoot) this.vmx!.vmcs.tickTimer();
  }

  /** Steps an engine may run before it must call tickDevices() again (at least 1). */
  horizon(): number {
    return Math.max(1, this.nextDeadline() - this.clock());
  }

  flushDevices(): void {
    for (const d of this.devices) d.flush?.();
  }

  // --- traps -------------------------------------------------------------------

  /**
   * An exception from the engine. cpu.pc must hold the faulting instruction's pc
   * and the counters must be current (the step itself counted, not retired).
   */
  exception(cause: number, faultaddr: number | undefined, epc: number, word: number | undefined): void {
    if (this.nonRoot && this.vmxException(cause, faultaddr, epc, word)) return;
    const c = this.counters;
    c.exceptions++;
    bumpExcCounter(c as unknown as Record<string, number>, cause & CAUSE.CODE_MASK);
    // One object shape for every trap (absent fields present as undefined), so the hook's reads stay monomorphic.
    const t: TrapInfo = {
      cause: cause >>> 0, pc: this.cpu.pc >>> 0, epc: epc >>> 0,
      faultaddr: faultaddr === undefined ? undefined : faultaddr >>> 0, word: word === undefined ? undefined : word >>> 0,
    };
    // Recorded before it is raised, so whatever a trap hook does about it comes after it in the record.
    const event = this.record && {
      kind: 'exception' as const, cause: t.cause, pc: t.pc, epc: t.epc,
      ...(t.faultaddr === undefined ? {} : { faultaddr: t.faultaddr }), delivered: 'vector' as TrapDelivery,
    };
    if (event) this.record!.events.push(event);
    const delivered = this.raise(t);
    if (event) event.delivered = delivered;
  }

  /** Take the lowest pending interrupt line (the caller checked IE and irqPending). Counts one step. */
  takeInterrupt(): void {
    const p = this.irqPending;
    const line = 31 - Math.clz32(p & -p);
    this.counters.steps++;
    this.counters.interrupts++;
    this.irqPending = p & ~((1 << line) & this.remapped); // a message is taken once; a level stays until its device lowers it
    const pc = this.cpu.pc >>> 0;
    const cause = (CAUSE.INTERRUPT | line) >>> 0;
    const event = this.record && { kind: 'interrupt' as const, line, cause, epc: pc, delivered: 'vector' as TrapDelivery };
    if (event) this.record!.events.push(event);
    const delivered = this.raise({ cause, pc, epc: pc, faultaddr: undefined, word: undefined });
    if (event) event.delivered = delivered;
  }

  /** The single trap path: hook, else the guest's vector, else stop (TVEC = 0). */
  raise(t: TrapInfo): TrapDelivery {
    // In non-root operation the guest's exceptions go to the guest's vector unless they exited (vmxException).
    if (!this.nonRoot && this.trapHook && this.trapHook(this, t) === 'handled') {
      this.counters.trapsIntercepted++;
      return 'hook';
    }
    if (this.cpu.cr[CR.tvec] === 0) {
      this.stopUnhandled(t, 'TVEC is 0');
      return 'unhandled';
    }
    this.enterTrap(t.cause, t.epc, t.faultaddr);
    return 'vector';
  }

  /** Stop for good: trap `t` (unsigned fields) has nowhere to go; `why` says why, e.g. "TVEC is 0". */
  stopUnhandled(t: TrapInfo, why: string): void {
    this.stopped = {
      kind: 'trap', cause: t.cause, pc: t.pc, epc: t.epc,
      ...(t.faultaddr === undefined ? {} : { faultaddr: t.faultaddr }),
      message: `unhandled trap: ${describeTrap(t)} (${why})`,
    };
  }

  /** Architectural trap entry; a monitor may call it to reflect or inject a trap. */
  enterTrap(cause: number, epc: number, faultaddr?: number): void {
    const cr = this.cpu.cr;
    const st = cr[CR.status]!;
    const cpl = st & STATUS.CPL_MASK;
    cr[CR.status] = (st & ~PIE_IE_CPL_PPL) | (cpl << STATUS.PPL_SHIFT) | ((st & STATUS.IE) !== 0 ? STATUS.PIE : 0);
    cr[CR.cause] = cause;
    cr[CR.epc] = epc;
    if (faultaddr !== undefined) cr[CR.faultaddr] = faultaddr;
    this.cpu.pc = cr[CR.tvec]!;
  }

  // --- VMX-like extension (vmx.ts) -------------------------------------------

  /**
   * VM entry: load the guest state of the VMCS into the CPU, enter non-root
   * operation and deliver the entry injection, if any, through the guest's
   * own vector. Without VPID the TLB is flushed.
   */
  vmEnter(): void {
    const v = this.vmx;
    if (!v) throw new Error('vmx: no VMCS');
    const vmcs = v.vmcs;
    this.cpu.pc = vmcs.guestPc;
    this.cpu.cr.set(vmcs.guestCr);
    this.nonRoot = true;
    // One NestedPaging per setup, not one per entry: entries are the hot path of an exit.
    let nested = this.nestedOf;
    if (nested === undefined || nested.controls !== vmcs.controls || nested.counters !== v.counters) {
      nested = this.nestedOf = { controls: vmcs.controls, counters: v.counters };
    }
    this.mmu.nested = nested;
    v.counters.vmEntries++;
    if (vmcs.controls.vpid === 0) this.transitionFlush();
    const inj = vmcs.injection;
    if (inj) {
      vmcs.injection = undefined;
      this.raise({ cause: inj.cause >>> 0, pc: inj.epc >>> 0, epc: inj.epc >>> 0, ...(inj.faultaddr === undefined ? {} : { faultaddr: inj.faultaddr >>> 0 }) });
    }
  }

  private vmExit(info: ExitInfo): void {
    const v = this.vmx!;
    v.vmcs.guestPc = this.cpu.pc;
    v.vmcs.guestCr.set(this.cpu.cr);
    this.cpu.pc = v.vmcs.hostPc;
    this.cpu.cr.set(v.vmcs.hostCr);
    v.vmcs.exit = info;
    this.nonRoot = false;
    this.mmu.nested = undefined;
    v.counters.vmExits++;
    if (v.vmcs.controls.vpid === 0) this.transitionFlush();
    this.record?.events.push({ kind: 'vmexit', reason: info.reason, pc: info.pc >>> 0 });
    v.onExit(info);
    if (!this.nonRoot && !this.stopped) throw new Error(`vmx: the monitor neither resumed the guest nor stopped the machine after a ${info.reason} exit`);
  }

  private transitionFlush(): void {
    this.vmx!.counters.vpidFlushes++;
    this.tlb.flush();
  }

  /** An exception in non-root operation that exits (true), or that the guest takes itself (false). */
  private vmxException(cause: number, faultaddr: number | undefined, epc: number, word: number | undefined): boolean {
    const pc = this.cpu.pc >>> 0;
    if (cause === VMX_INSN_EXIT) {
      const d = decodeCached(word!)!;
      const port = (this.cpu.regs[d.b]! + d.imm) & 0xffff;
      const reason = d.def.sem.kind === 'system' ? instructionExit(d.def.sem.op, this.vmx!.vmcs.controls, d.b, port) : undefined;
      if (!reason) throw new Error(`vmx: ${d.def.mnemonic} was marked as exiting but no control selects it`);
      this.vmExit({ reason, pc, word: word! >>> 0 });
      return true;
    }
    if (cause === VMX_EPT_VIOLATION) {
      const access = this.mmu.eptAccess === 2 ? 'fetch' : this.mmu.eptAccess === 1 ? 'write' : 'read';
      this.vmExit({ reason: 'ept-violation', pc, ...(word === undefined ? {} : { word: word >>> 0 }),
        gpa: this.mmu.eptGpa, access, ...(faultaddr === undefined ? {} : { faultaddr: faultaddr >>> 0 }) });
      return true;
    }
    if (!exceptionExits(this.vmx!.vmcs.controls, cause)) return false;
    const c = this.counters;
    c.exceptions++;
    bumpExcCounter(c as unknown as Record<string, number>, cause & CAUSE.CODE_MASK);
    this.vmExit({ reason: 'exception', pc, cause: cause >>> 0, epc: epc >>> 0,
      ...(faultaddr === undefined ? {} : { faultaddr: faultaddr >>> 0 }), ...(word === undefined ? {} : { word: word >>> 0 }) });
    return true;
  }

  /**
   * Before each step in non-root operation: a pending external interrupt
   * exits (whatever the guest's IE; the exit acknowledges a remapped line's
   * message, as VT-x's "acknowledge interrupt on exit"); a posted interrupt
   * is delivered through the guest's own vector if its IE allows, without
   * an exit (virtual interrupt delivery), else it waits in the PIR; and with
   * interrupt-window exiting an open guest IE exits. Counts a step when it
   * exits or delivers.
   */
  vmxEvents(): boolean {
    const vmcs = this.vmx!.vmcs;
    const c = vmcs.controls;
    const p = this.irqPending;
    if (p !== 0) {
      const line = 31 - Math.clz32(p & -p);
      this.counters.steps++;
      this.counters.interrupts++;
      this.irqPending = p & ~((1 << line) & this.remapped);
      this.vmExit({ reason: 'external-interrupt', pc: this.cpu.pc >>> 0, line });
      return true;
    }
    const ie = (this.cpu.cr[CR.status]! & STATUS.IE) !== 0;
    if (vmcs.pid.pir !== 0 && c.postedInterrupts) {
      vmcs.pid.on = false; // the CPU has seen the notification
      if (ie && (vmcs.pid.pir & -vmcs.pid.pir) < (vmcs.timerRequest() || Infinity)) {
        this.deliverPosted(vmcs.takePosted());
        return true;
      }
    }
    // The virtual timer's line while raised (a level: the guest's acknowledgement lowers it), lower lines first.
    if (ie && c.virtualTimer) {
      const timer = vmcs.timerRequest();
      if (timer !== 0) {
        this.vmx!.counters.timerPosted++;
        this.deliverPosted(31 - Math.clz32(timer));
        return true;
      }
    }
    if (c.interruptWindowExit && ie) {
      this.counters.steps++;
      this.vmExit({ reason: 'interrupt-window', pc: this.cpu.pc >>> 0 });
      return true;
    }
    return false;
  }

  /** Virtual line `vline` into the guest, as the monitor's injection would deliver it: one step, no exit. */
  private deliverPosted(vline: number): void {
    this.counters.steps++;
    this.counters.interrupts++;
    const pc = this.cpu.pc >>> 0;
    const cause = (CAUSE.INTERRUPT | vline) >>> 0;
    const event = this.record && { kind: 'interrupt' as const, line: vline, cause, epc: pc, delivered: 'vector' as TrapDelivery };
    if (event) this.record!.events.push(event);
    const delivered = this.raise({ cause, pc, epc: pc, faultaddr: undefined, word: undefined });
    if (event) event.delivered = delivered;
  }

  /** Count `n` instructions retired outside the engine (a monitor emulating them). */
  retire(n = 1): void {
    this.counters.instructions += n;
  }

  requestStop(reason: string): void {
    this.stopRequest ??= { kind: 'requested', reason };
  }

  // --- instruction side effects (engines call these off the fast path) ---------

  writeCr(n: number, value: number): void {
    const cr = this.cpu.cr;
    if (n === CR.status) {
      const old = cr[CR.status]!;
      const next = (old & ~STATUS.WRITABLE) | (value & STATUS.WRITABLE);
      cr[CR.status] = next;
      if (((old ^ next) & STATUS.PG) !== 0) this.tlbFlush();
    } else {
      cr[n] = value;
      if (n === CR.ptbr) this.tlbFlush();
    }
    this.record?.events.push({ kind: 'cr', cr: n, value: cr[n]! >>> 0 });
  }

  /** wrflags: IE and the user flags at ring 0, only the user flags elsewhere (IE silently kept). */
  writeFlags(value: number): void {
    const cr = this.cpu.cr;
    const st = cr[CR.status]!;
    const mask = (st & STATUS.CPL_MASK) === 0 ? FLAGS_RING0 : STATUS.USER_MASK;
    cr[CR.status] = (st & ~mask) | (value & mask);
    this.record?.events.push({ kind: 'cr', cr: CR.status, value: cr[CR.status]! >>> 0 });
  }

  rett(): void {
    const cr = this.cpu.cr;
    const st = cr[CR.status]!;
    const ppl = (st & STATUS.PPL_MASK) >>> STATUS.PPL_SHIFT;
    cr[CR.status] = (st & ~(STATUS.CPL_MASK | STATUS.IE)) | ppl | ((st & STATUS.PIE) !== 0 ? STATUS.IE : 0);
    this.cpu.pc = cr[CR.epc]!;
    this.record?.events.push({ kind: 'rett', pc: this.cpu.pc >>> 0, ring: ppl });
  }

  halt(code: number, pc: number): void {
    this.stopped = { kind: 'halted', code, pc: pc >>> 0 };
    this.record?.events.push({ kind: 'halt', code });
  }

  /** After `wfi` at `pc` retired: idle until an interrupt is pending, or stop if none ever can be. */
  wfi(pc: number): void {
    if (this.irqPending !== 0) return;
    const deadline = this.nextDeadline();
    if (deadline === Infinity) return this.stopDeadlock(pc);
    const ticks = deadline - this.clock();
    if (ticks > 0) {
      this.counters.idle += ticks;
      this.record?.events.push({ kind: 'idle', ticks });
    }
    this.tickDevices();
  }

  /** Stop for good: `wfi` at `pc` waits for an interrupt that nothing can ever raise. */
  stopDeadlock(pc: number): void {
    this.stopped = deadlockStop(pc);
  }

  tlbInvalidate(va: number): void {
    this.counters.tlbInvalidations++;
    this.tlb.invalidatePage(va >>> 12);
    this.record?.events.push({ kind: 'tlb-flush', vaddr: va >>> 0 });
  }

  tlbFlush(): void {
    this.counters.tlbFlushes++;
    this.tlb.flush();
    this.record?.events.push({ kind: 'tlb-flush' });
  }

  /** `in`: a 32-bit port read; unmapped ports read 0xffffffff. Returns int32. */
  portRead(port: number): number {
    const c = this.counters;
    c.ioReads++;
    const r = this.bus.pioAt(port);
    const vt = this.nonRoot ? this.vmx!.vmcs.timerAt(port) : undefined;
    let v: number;
    if (vt) {
      this.vmx!.counters.virtualTimerAccesses++; // the CPU answers from the VMCS's virtual timer: no exit, no device
      v = vt.read(port - vt.base) | 0;
    } else if (r) v = r.device.read(port - r.base, 4) | 0;
    else {
      c.ioUnmapped++;
      v = -1;
    }
    this.record?.events.push({ kind: 'io', dir: 'in', port, value: v >>> 0, device: vt ? VIRTUAL_TIMER : r?.name });
    return v;
  }

  /** `out`: a 32-bit port write; unmapped ports ignore it. */
  portWrite(port: number, value: number): void {
    const c = this.counters;
    c.ioWrites++;
    const r = this.bus.pioAt(port);
    const vt = this.nonRoot ? this.vmx!.vmcs.timerAt(port) : undefined;
    if (vt) {
      this.vmx!.counters.virtualTimerAccesses++;
      vt.write(port - vt.base, value >>> 0);
    } else if (r) r.device.write(port - r.base, 4, value >>> 0);
    else c.ioUnmapped++;
    this.record?.events.push({ kind: 'io', dir: 'out', port, value: value >>> 0, device: vt ? VIRTUAL_TIMER : r?.name });
  }

  /** A load from a physical address outside RAM; unmapped reads give all ones. Zero-extended to `size`. */
  mmioRead(paddr: number, size: AccessSize): number {
    const c = this.counters;
    c.mmioReads++;
    const r = this.bus.mmioAt(paddr);
    let v: number;
    if (r) v = r.device.read(paddr - r.base, size);
    else {
      c.mmioUnmapped++;
      v = 0xffffffff;
    }
    v = size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
    this.record?.events.push({ kind: 'mmio', dir: 'read', paddr, size, value: v, device: r?.name });
    return v;
  }

  mmioWrite(paddr: number, size: AccessSize, value: number): void {
    const c = this.counters;
    c.mmioWrites++;
    const r = this.bus.mmioAt(paddr);
    const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    if (r) r.device.write(paddr - r.base, size, v);
    else c.mmioUnmapped++;
    this.record?.events.push({ kind: 'mmio', dir: 'write', paddr, size, value: v, device: r?.name });
  }

  // --- inspection (debugger, tools): no side effects on the guest -------------

  /** Where virtual address `va` leads through the current page tables (ignoring the TLB). */
  translateDebug(va: number): Translation | undefined {
    return this.mmu.probe(va);
  }

  /** Host-physical address the CPU would fetch `pc` from now (fetch window, then page tables), or undefined. */
  fetchPaddr(pc: number): number | undefined {
    if (this.cpu.cpl !== 3) {
      const w = fetchWindowPaddr(this.fetchWindow, pc);
      if (w !== undefined) return w;
    }
    return this.mmu.probe(pc)?.paddr;
  }

  /** Read `size` bytes at virtual `va` as the page tables map it, or undefined if unmapped or not RAM. */
  readVirtual(va: number, size: AccessSize): number | undefined {
    const t = this.mmu.probe(va);
    if (!t || t.paddr % size !== 0 || t.paddr + size > this.mem.size) return undefined;
    return size === 4 ? this.mem.i32[t.paddr >>> 2]! >>> 0 : size === 2 ? this.mem.u16[t.paddr >>> 1]! : this.mem.u8[t.paddr]!;
  }

  // --- world switches (a host of several VMs) --------------------------------

  /** The running vCPU's context (copies: the CPU goes on to run another); its TLB entries only if `withTlb`. */
  saveContext(withTlb = true): CpuContext {
    return {
      regs: this.cpu.regs.slice(), pc: this.cpu.pc, cr: this.cpu.cr.slice(), tlb: withTlb ? this.tlb.save() : undefined,
      nonRoot: this.nonRoot, trapHook: this.trapHook, fetchWindow: this.fetchWindow, vmx: this.vmx,
    };
  }

  /**
   * Run vCPU context `c` from now on. With `keepTlb` its TLB entries (if it
   * saved them) come back as a tagged TLB (VPID) would have kept them;
   * otherwise the TLB is flushed (counted), as a switch of address-space
   * context does without tags.
   */
  loadContext(c: CpuContext, keepTlb: boolean): void {
    this.cpu.regs.set(c.regs);
    this.cpu.pc = c.pc;
    this.cpu.cr.set(c.cr);
    this.trapHook = c.trapHook;
    this.fetchWindow = c.fetchWindow;
    this.vmx = c.vmx;
    this.nonRoot = c.nonRoot;
    if (keepTlb && c.tlb) this.tlb.restore(c.tlb);
    else this.tlbFlush();
    if (!c.nonRoot) this.mmu.nested = undefined;
    else {
      const v = c.vmx!;
      this.mmu.nested = this.nestedOf = { controls: v.vmcs.controls, counters: v.counters };
    }
  }

  // --- snapshots and the write journal ------------------------------------

  captureState(): MachineState {
    return {
      regs: this.cpu.regs.slice(),
      pc: this.cpu.pc,
      cr: this.cpu.cr.slice(),
      tlb: this.tlb.save(),
      irqPending: this.irqPending,
      remappedLevel: this.remappedLevel,
      devices: Object.fromEntries(this.devices.map((d) => [d.name, d.save()])),
      counters: { ...this.counters },
      stopped: this.stopped,
    };
  }

  restoreState(s: MachineState): void {
    this.cpu.regs.set(s.regs);
    this.cpu.pc = s.pc;
    this.cpu.cr.set(s.cr);
    this.tlb.restore(s.tlb);
    this.irqPending = s.irqPending;
    this.remappedLevel = s.remappedLevel ?? 0;
    for (const d of this.devices) {
      if (!(d.name in s.devices)) throw new Error(`machine: the snapshot has no state for device '${d.name}'`);
      d.restore(s.devices[d.name]);
    }
    Object.assign(this.counters, s.counters);
    this.stopped = s.stopped;
    this.stopRequest = undefined;
  }

  /** Start (or keep) journaling RAM writes; see MemoryJournal.mark()/undoTo(). */
  enableJournal(): MemoryJournal {
    this.mem.journal ??= new MemoryJournal(this.mem);
    return this.mem.journal;
  }

  disableJournal(): void {
    this.mem.journal = undefined;
  }

  /** Exit code for `halt`, the message otherwise (for one-line reports). */
  static describeStop(stop: Stop): string {
    switch (stop.kind) {
      case 'halted': return `halted with exit code ${stop.code}`;
      case 'trap': case 'deadlock': return stop.message;
      case 'budget': return 'step budget used up';
      case 'breakpoint': return `breakpoint at ${hex(stop.pc)}`;
      case 'requested': return `stopped: ${stop.reason}`;
    }
  }
}
