// The debugger session: a loaded machine driven by command strings. Each
// command prints through one ordered Output (guest console output included)
// and returns what it printed. Resuming commands share one run loop that
// executes in chunks, so breakpoints, watchpoints, `next`/`finish` targets,
// the history's keyframes, console streaming and interrupts all happen at
// exact step boundaries. On a host (DebugSession.forHost) the run loop drives
// host.run() and hands each step to the VM running it; the views show the
// selected VM (target.ts), and points, steps and `back` are that VM's.

import { CAUSE, CR, EXC, EXC_NAMES, REG } from '../isa/index.js';
import type { Image } from '../elf/image.js';
import type { Engine, RunResult } from '../engine/engine.js';
import { loadImage, type Machine, type MemAccess, type StepRecord, type Stop } from '../machine/index.js';
import type { BtView, TcPlace } from '../trace/bt-view.js';
import { SLICE_STOP } from '../host/scheduling.js';
import { PointTable, WatchIndex, type Breakpoint, type Condition, type Watchpoint } from './breakpoints.js';
import { DebugError } from './errors.js';
import { evaluate, parseExpr, type Expr, type ExprEnv } from './expr.js';
import { FinishTracker } from './flow.js';
import { haltText, hex8, plural, valueText } from './format.js';
import { DEFAULT_HISTORY, History } from './history.js';
import { Output } from './output.js';
import { SymbolTable, type SourceReader } from './symbols.js';
import type { Monitor, MonitorEvent } from '../vmm/index.js';
import type { Host, HostVm } from '../host/index.js';
import { guestTranslator, locationLine, readWord, symbolSuffix, type Translate } from './views.js';
import { dispatch } from './commands.js';
import { BtRunner } from './bt.js';
import { ContextPeek, HostConsole, hostTargets, type Target } from './target.js';

export const DEFAULT_SESSION_MAX_STEPS = 100_000_000;
/** Longest engine run between two looks at console output and interrupt requests. */
const MAX_CHUNK = 1 << 16;

export interface DebugSessionOptions {
  /** A machine with the image loaded (nothing run yet) and an engine for it. */
  machine: Machine;
  engine: Engine;
  image: Image;
  /** Step budget of one `continue`, `next` or `finish`. */
  maxSteps?: number;
  /** Steps `back` can reach (0: reverse stepping off). */
  history?: number;
  /** Source text for `where` (file names as the line table records them). */
  readSource?: SourceReader;
  /** Receives all output as it is produced (debugger text and guest console). */
  write?: (text: string) => void;
  /** The monitor running the guest (--mode trap): views show the guest's virtual CPU and its own address space. */
  monitor?: Monitor;
  /** Reload the image and reset (`restart`); default loadImage() on the bare machine. */
  reload?: () => void;
  /**
   * Under --mode bt: the engine itself, without the VM's per-run preparation
   * (Vm.engine, where `engine` is Vm.run). Default: an interpreter on `machine`.
   */
  directEngine?: Engine;
  /** A host of several VMs (build the session with DebugSession.forHost). */
  host?: Host;
}

/** A session on a whole host: its machine, engine and VMs come from the host. */
export type HostSessionOptions = Omit<DebugSessionOptions, 'machine' | 'engine' | 'image' | 'monitor' | 'reload' | 'directEngine' | 'host'> & { host: Host };

export interface CommandResult {
  /** Everything the command printed, guest output included. */
  output: string;
  /** False when the command failed (its one-line message is in `output`). */
  ok: boolean;
  /** True after `quit`. */
  quit: boolean;
}

/** What a resuming command runs toward. */
export interface Goal {
  kind: 'step' | 'next' | 'continue' | 'finish';
  /** Steps this command may take (under bt, for `step` and a `next` that is a step: guest instructions). */
  limit: number;
  /** A stop of `next`: the return address, accepted when `accept()` holds there. */
  temp?: { addr: number; accept: () => boolean };
  finish?: FinishTracker;
  /** `step`: run the last step alone, to report a trap it took. */
  noteLastTrap?: boolean;
}

interface WatchHit {
  wp: Watchpoint;
  access: MemAccess;
  pc: number;
  old?: number;
  value: number;
  error?: string;
}

export class DebugSession {
  readonly machine: Machine;
  readonly engine: Engine;
  readonly points = new PointTable();
  readonly history: History;
  readonly maxSteps: number;
  readonly out: Output;
  /** On a host: the host; the views show the selected VM (`vm NAME`). */
  readonly host: Host | undefined;
  /** The guests the views can show: one, or each VM of the host. */
  readonly targets: readonly Target[];
  private selected = 0;
  private readonly reload: () => void;
  /** On a host: the selected VM's saved vCPU shown in the CPU's place while a command reads it. */
  private readonly peek: ContextPeek;
  private readonly hostConsole: HostConsole | undefined;
  /** On a host: VMs standing at a location already reported, which they resume from without stopping there again. */
  private resumePast = new Map<HostVm, number>();
  /** On a host: a slice ended, so the VM given the CPU next is checked (breakpoints, stops due) before it runs. */
  private switchDue = true;
  /** On a host: the VM just given the CPU, not checked yet. */
  private fresh: HostVm | undefined;
  /** On a host: watchpoint hits of VMs whose slice ended on the step that hit, reported when they get the CPU back. */
  private watchesDue = new Map<HostVm, HostDue>();
  /** A host run of a command is under way (replays of history and restarts run with nothing attached). */
  private hostRunning = false;
  /** Monitor events of the last single-stepped step (what the monitor did about its trap). */
  private lastMonitorEvents: MonitorEvent[] = [];
  /** Console bytes already shown: output re-produced after `back` is not shown twice. */
  private shown = 0;
  private interruptRequested = false;
  private quitRequested = false;
  private failed = false;
  private watchHits: WatchHit[] = [];
  private stepMark = 0;
  private lastStepTrap = false;

  constructor(options: DebugSessionOptions) {
    this.machine = options.machine;
    this.engine = options.engine;
    this.maxSteps = options.maxSteps ?? DEFAULT_SESSION_MAX_STEPS;
    this.history = new History(this.machine, options.history ?? DEFAULT_HISTORY);
    this.out = new Output(options.write);
    this.peek = new ContextPeek(this.machine);
    const host = options.host;
    this.host = host;
    if (host) {
      this.targets = hostTargets(host, options.readSource);
      this.hostConsole = new HostConsole(host);
      this.reload = () => host.machine.reset(0); // the host is a machine device: its reset reloads every VM
      this.resumePast.set(host.vms[0]!, host.vms[0]!.image.entry);
    } else {
      const monitor = options.monitor;
      this.targets = [{
        name: undefined, vm: undefined, image: options.image, symbols: new SymbolTable(options.image, options.readSource), monitor,
        translate: guestTranslator(this.machine, monitor), bt: BtRunner.of(this.machine, this.engine, monitor, options.directEngine),
      }];
      this.reload = options.reload ?? (() => loadImage(this.machine, this.image));
    }
  }

  /** A session on every VM of `host`; its console output is captured (no consoleSink) and its onSlice calls sliceEnded(). */
  static forHost(options: HostSessionOptions): DebugSession {
    const { host } = options;
    return new DebugSession({ ...options, machine: host.machine, engine: host.engine, image: host.vms[0]!.image, host });
  }

  // --- the guest the views show ---------------------------------------------------

  get target(): Target {
    return this.targets[this.selected]!;
  }

  get image(): Image {
    return this.target.image;
  }

  get symbols(): SymbolTable {
    return this.target.symbols;
  }

  get monitor(): Monitor | undefined {
    return this.target.monitor;
  }

  /** Virtual to physical for the views: under a monitor through the guest's own page tables first. */
  get translate(): Translate {
    return this.target.translate;
  }

  /** Under --mode bt: guest instruction boundaries, and runs that respect them (src/debug/bt.ts). */
  get bt(): BtRunner | undefined {
    return this.target.bt;
  }

  /** The selected VM's name on a host (breakpoints and watchpoints set now belong to it); undefined for a lone program. */
  get vmName(): string | undefined {
    return this.target.name;
  }

  /** Select VM `name` (`vm NAME`); a one-line error naming the VMs when there is none so named. */
  selectVm(name: string): void {
    const i = this.targets.findIndex((t) => t.name === name);
    if (i < 0) throw new DebugError(`vm: no VM named '${name}'; the VMs are ${this.targets.map((t) => t.name).join(', ')}`);
    this.selected = i;
    this.showSelected();
  }

  /** `fn` run with each VM selected in turn (its vCPU shown), in configuration order; the selection is kept. */
  eachVm<T>(fn: (target: Target) => T): T[] {
    const selected = this.selected;
    try {
      return this.targets.map((t, i) => {
        this.selected = i;
        this.showSelected();
        return fn(t);
      });
    } finally {
      this.selected = selected;
      this.showSelected();
    }
  }

  /** On a host: make the CPU show the selected VM's vCPU for the views (its own when it runs now). */
  showSelected(): void {
    const vm = this.target.vm;
    if (!this.host || !vm) return;
    if (this.host.running() === vm) this.peek.end();
    else this.peek.show(vm);
  }

  /** Called by the host's onSlice at the end of every slice (wired by whoever builds the host). */
  sliceEnded(_vm: HostVm): void {
    if (!this.hostRunning) return;
    this.switchDue = true;
    // The next VM stops before its first instruction, so it can be checked (the interpreter looks at stop requests first).
    this.machine.requestStop('debugger');
  }

  // --- driving -------------------------------------------------------------------

  /** The opening lines: what is loaded and where it stands. */
  banner(name: string): string {
    const h = this.history.enabled ? `history ${this.history.budget} steps` : 'reverse stepping off';
    if (this.host) {
      const vms = this.host.vms.map((vm) => `${vm.name} (${vm.mode})`).join(', ');
      this.out.text(`virtlab debug: host ${name}, ${plural(this.host.vms.length, 'VM')}: ${vms}; ${h}; 'help' lists the commands`);
    } else {
      this.out.text(`virtlab debug: ${name}, entry ${hex8(this.image.entry)}${symbolSuffix(this.symbols, this.image.entry)}, ${h}; 'help' lists the commands`);
    }
    this.printLocation();
    this.peek.end();
    return this.out.take();
  }

  /** Print a command line as typed (transcripts of scripts and piped input); not part of any command's output. */
  echo(line: string): void {
    this.out.text(`(vl) ${line}`);
    this.out.take();
  }

  /** Run one command to completion. */
  execute(line: string): CommandResult {
    const it = this.command(line);
    while (!it.next().done) { /* run to the end */ }
    return this.result();
  }

  /**
   * Run one command, returning to the event loop every `sliceMs` so interrupt() can take effect;
   * `pause` is how (default setImmediate; a Web Worker, which has none, passes its own).
   */
  async executeAsync(line: string, sliceMs = 50, pause: () => Promise<void> = () => new Promise<void>((resolve) => setImmediate(resolve))): Promise<CommandResult> {
    const it = this.command(line);
    let since = Date.now();
    while (!it.next().done) {
      if (Date.now() - since >= sliceMs) {
        await pause();
        since = Date.now();
      }
    }
    return this.result();
  }

  /** Ask a running command to stop at the next chunk boundary (Ctrl-C). */
  interrupt(): void {
    this.interruptRequested = true;
  }

  requestQuit(): void {
    this.quitRequested = true;
  }

  private result(): CommandResult {
    return { output: this.out.take(), ok: !this.failed, quit: this.quitRequested };
  }

  private *command(line: string): Generator<void, void, void> {
    this.failed = false;
    this.interruptRequested = false;
    try {
      this.showSelected();
      const work = dispatch(this, line);
      if (work) yield* work;
    } catch (e) {
      this.failed = true;
      if (e instanceof DebugError) this.out.text(`error: ${e.message}`.replace(/\s*\n\s*/g, ' '));
      else this.out.text(`internal error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.replace(/\s*\n\s*/g, ' '));
    } finally {
      this.peek.end();
      this.disarm();
      this.flushConsole();
    }
  }

  // --- expressions ---------------------------------------------------------------

  parse(text: string): Expr {
    return parseExpr(text, this.symbols);
  }

  readonly env: ExprEnv = {
    reg: (n) => this.machine.cpu.regs[n]!,
    pc: () => this.pc(),
    // Under a monitor, what the guest believes: its virtual CPU (as `regs` shows).
    cr: (n) => (this.monitor ? this.monitor.guestCr(n) : this.machine.cpu.cr[n]!),
    ring: () => (this.monitor ? this.monitor.guestRing() : this.machine.cpu.cpl),
    step: () => this.machine.counters.steps,
    readWord: (addr) => {
      if ((addr & 3) !== 0) throw new DebugError(`cannot read the word at ${hex8(addr)}: not 4-aligned`);
      const v = readWord(this.machine, addr, 'virtual', this.translate);
      if (v === undefined) throw new DebugError(`cannot read the word at ${hex8(addr)}: not mapped to RAM`);
      return v;
    },
  };

  evaluate(text: string): number {
    return evaluate(this.parse(text), this.env);
  }

  condition(text: string): Condition {
    return { text: text.trim(), expr: this.parse(text) };
  }

  /** The pc as the guest sees it: under bt, the guest instruction the translated code stands for. */
  pc(): number {
    return this.bt ? this.bt.view.guestPc() : this.machine.cpu.pc >>> 0;
  }

  // --- output --------------------------------------------------------------------

  printLocation(): void {
    this.showSelected();
    const vm = this.vmName === undefined ? '' : `[${this.vmName}] `;
    this.out.text(`${vm}${locationLine(this.machine, this.symbols, this.pc(), this.translate)}`);
  }

  describeAddress(addr: number): string {
    return `${hex8(addr)}${symbolSuffix(this.symbols, addr)}`;
  }

  /** Show console output the guest produced since the last call (and not shown before `back`). */
  flushConsole(): void {
    if (this.hostConsole) return this.hostConsole.flush(this.out);
    const con = this.machine.console;
    if (!con) return;
    const length = con.save().outputLength;
    if (length <= this.shown) return;
    this.out.guest(con.output().subarray(this.shown, length));
    this.shown = length;
  }

  // --- running ---------------------------------------------------------------------

  /** Refuse to resume a machine that has stopped for good. */
  requireRunnable(): void {
    const s = this.machine.stopped;
    if (!s) return;
    const what = s.kind === 'halted' ? `halted (${haltText(s.code)})` : `stopped (${'message' in s ? s.message : s.kind})`;
    throw new DebugError(`the guest has ${what}; 'back' steps backwards, 'restart' starts over`);
  }

  /** The run loop of step, next, continue and finish. */
  *resume(goal: Goal): Generator<void, void, void> {
    if (this.host) return yield* this.resumeHost(goal, this.host);
    if (this.bt) return yield* this.resumeBt(goal, this.bt);
    this.requireRunnable();
    const m = this.machine;
    const start = m.counters.steps;
    // A breakpoint at the pc we resume from does not stop us (engine.run skips it too);
    // after a chunk ends for any other reason, the pc must be checked before running on.
    let checkPc = false;
    this.lastStepTrap = false;
    // Points cannot change while a command runs: gathered once, not at every chunk.
    const points = { breaks: this.points.breakAddresses(), watches: new WatchIndex(this.points.activeWatchpoints()) };
    for (;;) {
      if (checkPc && this.stopAtBreakpoint(goal)) return;
      checkPc = true;
      const left = goal.limit - (m.counters.steps - start);
      if (left <= 0) return this.reportLimit(goal);
      if (this.interruptRequested) {
        this.out.text(`interrupted after ${plural(m.counters.steps - start, 'step')}`);
        return this.printLocation();
      }
      let chunk = Math.min(left, this.history.room(), MAX_CHUNK);
      if (goal.noteLastTrap && left > 1) chunk = Math.min(chunk, left - 1);
      const trapsBefore = m.counters.exceptions + m.counters.interrupts;
      // A single step under a monitor: keep what the monitor did, to tell a trap the guest received from one it never saw.
      const events: MonitorEvent[] = [];
      const listen = this.monitor !== undefined && chunk === 1;
      const listenerBefore = this.monitor?.listener;
      if (listen) this.monitor!.listener = (e) => { events.push(e); };
      let result: RunResult;
      try {
        result = this.runChunk(chunk, goal, points);
      } finally {
        if (listen) this.monitor!.listener = listenerBefore;
      }
      this.lastMonitorEvents = events;
      this.lastStepTrap = this.monitor ? listen && events.length > 0 : m.counters.exceptions + m.counters.interrupts !== trapsBefore;
      this.history.checkpoint();
      this.flushConsole();
      if (this.watchHits.length > 0) return this.reportWatchHits();
      if (goal.finish?.done) return this.reportFinish();
      if (m.stopped) return this.reportFinal();
      if (result.stop.kind === 'breakpoint') {
        if (this.stopAtBreakpoint(goal)) return;
        checkPc = false;
      }
      yield;
    }
  }

  /**
   * The run loop under bt. A step is one guest instruction: the real steps
   * from one guest instruction boundary to the next (one step for code run
   * directly; for translated kernel code the words of its translation, and an
   * interrupt taken at a boundary counts as a step of its own, as natively).
   * Breakpoints, `next`'s return address and step counts are checked after
   * every real step, at boundaries, against the guest pc: translated code
   * runs at cache addresses that exist only once translated, so the machine's
   * own breakpoints (on the real pc) cannot serve. Runs end at boundaries.
   */
  private *resumeBt(goal: Goal, bt: BtRunner): Generator<void, void, void> {
    this.requireRunnable();
    const m = this.machine;
    const view = bt.view;
    const monitor = this.monitor!;
    const start = m.counters.steps;
    // step, and next on anything but a call: `limit` counts guest instructions; the step budget is real steps.
    const counting = goal.kind === 'step' || (goal.kind === 'next' && !goal.temp);
    const budget = counting ? this.maxSteps : goal.limit;
    let guestSteps = 0;
    let events: MonitorEvent[] = [];
    let trapsIn = 0;
    this.lastStepTrap = false;
    this.lastMonitorEvents = [];
    // Points cannot change while a command runs: gathered once; breakpoints as a set, looked up at every guest step.
    const watches = new WatchIndex(this.points.activeWatchpoints());
    const breaks = new Set(this.points.breakAddresses());
    const listenerBefore = monitor.listener;
    monitor.listener = (e) => {
      events.push(e);
      if (e.kind === 'reflect' || e.kind === 'inject') trapsIn++;
    };
    try {
      for (;;) {
        const used = m.counters.steps - start;
        if (used >= budget) {
          this.out.text(`stopped after ${plural(used, 'step')}: the step budget of one command (--max-steps); 'continue' goes on`);
          return this.printLocation();
        }
        if (this.interruptRequested) {
          this.out.text(`interrupted after ${plural(used, 'step')}`);
          return this.printLocation();
        }
        const chunk = Math.min(budget - used, this.history.room(), MAX_CHUNK);
        this.watchHits = [];
        this.stepMark = this.history.journal.mark();
        let hit = false;
        let reached = false;
        let here = view.here();
        let trapsSeen = trapsIn;
        m.observer = (rec) => {
          // Where this step began: the guest instruction it belongs to.
          const from = here && here.tc === rec.pc ? here : view.place(rec.pc, rec.ring, rec.word);
          here = view.here();
          this.checkWatches(rec, watches, from?.guestPc ?? rec.pc);
          if (goal.finish) {
            // Calls and returns are the guest's instructions, seen at the step that began each.
            const began = rec.retired && rec.word !== undefined && (!from || from.start);
            const word = began ? (from ? from.insn?.word : rec.word) : undefined;
            goal.finish.count(word, rec.ring, m.cpu.cr[CR.ptbr]!, trapsIn - trapsSeen);
          }
          trapsSeen = trapsIn;
          this.stepMark = this.history.journal.mark();
          if (this.watchHits.length > 0 || goal.finish?.done) m.requestStop('debugger');
          if (!(here === undefined || here.start || here.role === 'stub')) return;
          // At a guest instruction boundary: one guest step done.
          guestSteps++;
          this.lastMonitorEvents = events;
          events = [];
          if (counting && guestSteps >= goal.limit) reached = true;
          const pc = view.guestPc();
          if (breaks.has(pc) || goal.temp?.addr === pc) hit = true;
          if (reached || hit) m.requestStop('debugger');
        };
        try {
          bt.run(chunk, true);
        } finally {
          this.disarm();
        }
        this.history.checkpoint();
        this.flushConsole();
        if (this.watchHits.length > 0) return this.reportWatchHits();
        if (goal.finish?.done) return this.reportFinish();
        if (m.stopped) return this.reportFinal();
        if (hit && this.stopAtBreakpoint(goal)) return;
        if (reached) {
          this.lastStepTrap = this.lastMonitorEvents.length > 0;
          return this.reportLimit(goal);
        }
        yield;
      }
    } finally {
      monitor.listener = listenerBefore;
    }
  }

  /**
   * The run loop on a host: host.run() drives every VM as `virtlab host`
   * would (a run cut into pieces keeps the interleaving), with an observer at
   * every step that hands the step to the VM running it. Breakpoints and
   * watchpoints are the VM's own; `step` and `next` count the selected VM's
   * instructions (at bt guest instruction boundaries) while the others run
   * in between. A stop found on the step that ended a VM's slice waits until
   * the VM gets the CPU again (it stands still meanwhile), so the session
   * always stops with the VM that stopped running; each VM given the CPU is
   * checked before its first instruction (the host's onSlice asks for that
   * stop). A VM that halts or faults for good stops the command too.
   */
  private *resumeHost(goal: Goal, host: Host): Generator<void, void, void> {
    this.peek.end();
    const tvm = this.target.vm!;
    if (host.vms.every((vm) => vm.stop)) throw new DebugError("every VM has stopped; 'back' steps backwards, 'restart' starts over");
    if (goal.kind !== 'continue' && tvm.stop) {
      throw new DebugError(`VM ${tvm.name} has ${stopText(tvm.stop)}; 'vm NAME' selects another, 'back' steps backwards, 'restart' starts over`);
    }
    const m = this.machine;
    const start = m.counters.steps;
    const counting = goal.kind === 'step' || (goal.kind === 'next' && !goal.temp);
    const budget = counting ? this.maxSteps : goal.limit;
    const runs = new Map(this.targets.map((t, index) => [t.vm!, {
      index, view: t.bt?.view,
      breaks: new Set(this.points.breakAddresses(t.name)),
      watches: new WatchIndex(this.points.activeWatchpoints(t.name)),
    }]));
    // Stops of a VM found where it could not stop yet (between the words of a translation, or as its slice ended).
    // A watchpoint hit outlives the command that found it (the access happened); the others were this command's goal.
    const due = this.watchesDue;
    for (const [vm, d] of [...due]) {
      if (d.watch.length === 0) due.delete(vm);
      else Object.assign(d, { reached: false, finish: false });
    }
    const dueOf = (vm: HostVm): HostDue => {
      let d = due.get(vm);
      if (!d) due.set(vm, d = { reached: false, finish: false, watch: [] });
      return d;
    };
    let guestSteps = 0;
    let events: MonitorEvent[] = [];
    let trapsIn = 0;
    let trapsSeen = 0;
    let finishNoted = false;
    this.lastStepTrap = false;
    this.lastMonitorEvents = [];
    const listenerBefore = tvm.monitor.listener;
    tvm.monitor.listener = (e) => {
      events.push(e);
      if (e.kind === 'reflect' || e.kind === 'inject') trapsIn++;
    };
    const check = (vm: HostVm): boolean => this.stopHostVm(vm, goal, tvm, runs.get(vm)!, due);
    // VMs stopping for good (halt, fault, deadlock) during the command stop it.
    const stopped = new Set(host.vms.filter((vm) => vm.stop));
    this.hostRunning = true;
    try {
      for (;;) {
        const fresh = this.fresh;
        this.fresh = undefined;
        if (fresh && host.running() === fresh && check(fresh)) return;
        const used = m.counters.steps - start;
        if (used >= budget) {
          this.out.text(`stopped after ${plural(used, 'step')}: the step budget of one command (--max-steps); 'continue' goes on`);
          return this.printLocation();
        }
        if (this.interruptRequested) {
          this.out.text(`interrupted after ${plural(used, 'step')}`);
          return this.printLocation();
        }
        const chunk = Math.min(budget - used, this.history.room(), MAX_CHUNK);
        let stopVm: HostVm | undefined;
        this.stepMark = this.history.journal.mark();
        m.observer = (rec) => {
          const vm = host.running()!;
          const r = runs.get(vm)!;
          const preempted = preemption(rec, m);
          if (this.resumePast.size > 0) this.resumePast.delete(vm);
          // Where the step began in bt's translations: the guest instruction it belongs to (asked only when needed).
          const watching = r.watches.size > 0 && rec.mem.length > 0;
          const finishing = goal.finish !== undefined && vm === tvm;
          const from = r.view && (watching || finishing) ? r.view.place(rec.pc, rec.ring, rec.word) : undefined;
          if (watching) {
            // Its conditions are evaluated in its own view.
            const selected = this.selected;
            this.selected = r.index;
            this.watchHits = [];
            try {
              this.checkWatches(rec, r.watches, from?.guestPc ?? rec.pc);
            } finally {
              this.selected = selected;
            }
            if (this.watchHits.length > 0) dueOf(vm).watch.push(...this.watchHits);
            this.watchHits = [];
          }
          if (finishing && goal.finish) {
            if (r.view) {
              const began = rec.retired && rec.word !== undefined && (!from || from.start);
              const word = began ? (from ? from.insn?.word : rec.word) : undefined;
              goal.finish.count(word, rec.ring, m.cpu.cr[CR.ptbr]!, trapsIn - trapsSeen);
              trapsSeen = trapsIn;
            } else goal.finish.observe(rec, m.cpu.cr[CR.ptbr]!);
            if (goal.finish.done && !finishNoted) {
              finishNoted = true;
              dueOf(vm).finish = true;
            }
          }
          this.stepMark = this.history.journal.mark();
          if (r.view && !r.view.atBoundary()) return;
          // At an instruction boundary of this VM (the host taking the CPU back is no step of its guest).
          if (vm === tvm && !preempted) {
            guestSteps++;
            this.lastMonitorEvents = events;
            events = [];
            if (counting && guestSteps >= goal.limit) dueOf(vm).reached = true;
          }
          const pc = r.view ? r.view.guestPc() : m.cpu.pc >>> 0;
          if (!due.has(vm) && !r.breaks.has(pc) && !(vm === tvm && goal.temp?.addr === pc)) return;
          // A stop already asked for on this step is the end of the slice: this one waits for the VM's next slice.
          if (m.stopRequest) return;
          stopVm = vm;
          m.requestStop('debugger');
        };
        if (this.switchDue && !host.running()) m.requestStop('debugger');
        let r;
        try {
          r = host.run(chunk);
        } finally {
          this.disarm();
        }
        if (this.switchDue && host.running()) {
          this.switchDue = false;
          this.fresh = host.running();
        }
        this.history.checkpoint();
        this.flushConsole();
        const finals = host.vms.filter((vm) => vm.stop && !stopped.has(vm));
        for (const vm of finals) {
          const s = vm.stop!;
          this.out.text(`VM ${vm.name} ${s.kind === 'halted' ? `halted with ${haltText(s.code)}` : `stopped: ${'message' in s ? s.message : s.kind}`}`);
        }
        if (r.end === 'stopped') this.out.text('every VM has stopped');
        if (finals.length > 0 || r.end === 'stopped') return this.printLocation();
        if (stopVm && check(stopVm)) return;
        yield;
      }
    } finally {
      this.hostRunning = false;
      tvm.monitor.listener = listenerBefore;
    }
  }

  /**
   * VM `vm` runs now, at an instruction boundary or just given the CPU: stop
   * (selecting it) if a stop is due for it, or a breakpoint of its own (or
   * `next`'s return, for the selected VM) is at its pc.
   */
  private stopHostVm(vm: HostVm, goal: Goal, tvm: HostVm, run: { index: number; view: BtView | undefined; breaks: Set<number> }, due: Map<HostVm, HostDue>): boolean {
    if (run.view && !run.view.atBoundary()) return false;
    const selected = this.selected;
    this.selected = run.index;
    const d = due.get(vm);
    due.delete(vm);
    if (d && d.watch.length > 0) {
      this.watchHits = d.watch;
      this.reportWatchHits();
      return true;
    }
    if (d?.finish) {
      this.reportFinish();
      return true;
    }
    if (d?.reached) {
      this.lastStepTrap = this.lastMonitorEvents.length > 0;
      this.reportLimit(goal);
      return true;
    }
    const pc = this.pc();
    const past = this.resumePast.get(vm);
    this.resumePast.delete(vm);
    if (past !== pc && (run.breaks.has(pc) || (vm === tvm && goal.temp?.addr === pc))) {
      if (this.stopAtBreakpoint(vm === tvm ? goal : { ...goal, temp: undefined })) return true;
    }
    this.selected = selected;
    return false;
  }

  private runChunk(steps: number, goal: Goal, points: { breaks: readonly number[]; watches: WatchIndex }): RunResult {
    const m = this.machine;
    const watches = points.watches;
    m.breakpoints.clear();
    for (const a of points.breaks) m.breakpoints.add(a);
    if (goal.temp) m.breakpoints.add(goal.temp.addr);
    this.watchHits = [];
    if (watches.size > 0 || goal.finish) {
      this.stepMark = this.history.journal.mark();
      m.observer = (rec) => this.observe(rec, watches, goal);
    }
    try {
      return this.engine.run(steps);
    } finally {
      this.disarm();
    }
  }

  private disarm(): void {
    this.machine.observer = undefined;
    this.machine.breakpoints.clear();
    this.machine.stopRequest = undefined;
  }

  /** Re-execute `steps` steps with nothing attached (history replay). */
  replay(steps: number): void {
    this.disarm();
    if (this.host) this.host.run(steps);
    else if (this.bt) this.bt.run(steps, false);
    else this.engine.run(steps);
    this.disarm();
  }

  private observe(rec: StepRecord, watches: WatchIndex, goal: Goal): void {
    const m = this.machine;
    this.checkWatches(rec, watches, rec.pc);
    goal.finish?.observe(rec, m.cpu.cr[CR.ptbr]!);
    if (this.watchHits.length > 0 || goal.finish?.done) m.requestStop('debugger');
    this.stepMark = this.history.journal.mark();
  }

  /** Watchpoints the accesses of one step hit (`pc`: the instruction's, as the guest sees it). */
  private checkWatches(rec: StepRecord, watches: WatchIndex, pc: number): void {
    if (watches.size === 0 || rec.mem.length === 0) return;
    // Each watchpoint the step touched, with the accesses that touched it, in order.
    const touched = new Map<Watchpoint, MemAccess[]>();
    for (const acc of rec.mem) {
      for (const wp of watches.candidates(acc)) {
        if (!matches(wp, acc)) continue;
        const list = touched.get(wp);
        if (list) list.push(acc);
        else touched.set(wp, [acc]);
      }
    }
    if (touched.size === 0) return;
    for (const wp of [...touched.keys()].sort((a, b) => a.id - b.id)) {
      for (const acc of touched.get(wp)!) {
        const hit = this.watchHit(wp, acc, pc);
        if (wp.cond) {
          try {
            if (evaluate(wp.cond.expr, this.env) === 0) continue;
          } catch (e) {
            if (!(e instanceof DebugError)) throw e;
            hit.error = e.message;
          }
        }
        wp.hits++;
        this.watchHits.push(hit);
        break;
      }
    }
  }

  private watchHit(wp: Watchpoint, acc: MemAccess, pc: number): WatchHit {
    const m = this.machine;
    const base = wp.physical ? wp.addr : acc.vaddr;
    const wordPaddr = (acc.paddr - (base - wp.addr)) >>> 0;
    const inRam = wordPaddr + 4 <= m.mem.size;
    if (acc.kind === 'write') {
      if (!inRam) return { wp, access: acc, pc, value: acc.value };
      return { wp, access: acc, pc, old: this.history.journal.wordAt(wordPaddr, this.stepMark), value: m.mem.i32[wordPaddr >>> 2]! >>> 0 };
    }
    return { wp, access: acc, pc, value: inRam ? m.mem.i32[wordPaddr >>> 2]! >>> 0 : acc.value };
  }

  /** At a breakpoint address: stop if a breakpoint's condition holds (or `next` has come back). */
  private stopAtBreakpoint(goal: Goal): boolean {
    const pc = this.pc();
    const stopping: Breakpoint[] = [];
    const errors: string[] = [];
    for (const bp of this.points.breakpointsAt(pc, this.vmName)) {
      if (!bp.cond) { stopping.push(bp); continue; }
      try {
        if (evaluate(bp.cond.expr, this.env) !== 0) stopping.push(bp);
      } catch (e) {
        if (!(e instanceof DebugError)) throw e;
        errors.push(`error: cannot evaluate the condition of breakpoint ${bp.id} (${bp.cond.text}): ${e.message}; stopped here`);
        stopping.push(bp);
      }
    }
    if (stopping.length > 0) {
      for (const bp of stopping) bp.hits++;
      const which = stopping.map((bp) => `breakpoint ${bp.id}${bp.cond ? ` (${bp.cond.text})` : ''}, hit ${plural(bp.hits, 'time')}`);
      this.out.text(`stopped at ${which.join('; ')}`);
      for (const e of errors) this.out.text(e);
      // The command did not do what was asked (--strict counts it), though the session stays usable.
      if (errors.length > 0) this.failed = true;
      this.printLocation();
      return true;
    }
    if (goal.temp && goal.temp.addr === pc && goal.temp.accept()) {
      this.printLocation();
      return true;
    }
    return false;
  }

  private reportLimit(goal: Goal): void {
    if (goal.kind === 'step' || (goal.kind === 'next' && !goal.temp)) {
      if (this.lastStepTrap) this.out.text(this.trapNote());
    } else {
      this.out.text(`stopped after ${plural(goal.limit, 'step')}: the step budget of one command (--max-steps); 'continue' goes on`);
    }
    this.printLocation();
  }

  /** After a step that took a trap: what the machine just entered. */
  private trapNote(): string {
    if (this.monitor) return this.monitorNote();
    const cr = this.machine.cpu.cr;
    const cause = cr[CR.cause]! >>> 0;
    const code = cause & CAUSE.CODE_MASK;
    if (cause & CAUSE.INTERRUPT) return `interrupt line ${code} taken, epc ${this.describeAddress(cr[CR.epc]!)}`;
    const fa = code === EXC.PAGE_FAULT || code === EXC.MISALIGNED ? `, faultaddr ${hex8(cr[CR.faultaddr]!)}` : '';
    const name = EXC_NAMES[code] ?? `exception ${code}`;
    return `trap taken: ${name} (cause ${hex8(cause)}), epc ${this.describeAddress(cr[CR.epc]!)}${fa}`;
  }

  /**
   * Under a monitor: a trap only when the guest received one (reflected or
   * injected, described from its virtual CPU); else what the monitor did.
   */
  private monitorNote(): string {
    const ev = this.lastMonitorEvents;
    const mon = this.monitor!;
    const v = { epc: mon.guestCr(CR.epc), cause: mon.guestCr(CR.cause), faultaddr: mon.guestCr(CR.faultaddr) };
    const inject = ev.find((e) => e.kind === 'inject');
    if (inject) return `interrupt line ${inject.line} taken by the guest, epc ${this.describeAddress(v.epc)}`;
    if (ev.some((e) => e.kind === 'reflect')) {
      const code = v.cause & CAUSE.CODE_MASK;
      const fa = code === EXC.PAGE_FAULT || code === EXC.MISALIGNED ? `, faultaddr ${hex8(v.faultaddr)}` : '';
      return `trap taken by the guest: ${EXC_NAMES[code] ?? `exception ${code}`} (cause ${hex8(v.cause)}), epc ${this.describeAddress(v.epc)}${fa}`;
    }
    const done: string[] = [];
    for (const e of ev) {
      if (e.kind === 'emulate') done.push(`emulated ${e.mnemonic}`);
      else if (e.kind === 'shadow-fill') done.push(`filled the shadow entry for ${hex8(e.vaddr)}`);
      else if (e.kind === 'traced-write') done.push(`emulated a page-table store to guest-physical ${hex8(e.gpa)}`);
      else if (e.kind === 'hypercall') done.push(`hypercall ${e.name}${e.error ? ` (${e.error})` : ''}`);
      else if (e.kind === 'vmexit') done.push(`VM exit (${e.reason})`);
      // Binary translation (the emulate and reflect events of a callout say the rest).
      else if (e.kind === 'callout' && e.callout === 'exit') done.push(`left the unit (${e.what} exit to ${this.describeAddress(e.target ?? 0)})`);
      else if (e.kind === 'translate') done.push(`translated ${e.insns} instructions at ${this.describeAddress(e.pc)}`);
      else if (e.kind === 'chain') done.push(`chained the exit to ${this.describeAddress(e.target)}`);
      else if (e.kind === 'tc-invalidate') done.push(`dropped the translation of ${this.describeAddress(e.pc)} (${e.reason})`);
      else if (e.kind === 'tc-flush') done.push(`flushed the translation cache (${plural(e.units, 'unit')})`);
    }
    if (done.length === 0) done.push('handled a trap the guest does not see');
    return `monitor: ${[...new Set(done)].join(', ')}`;
  }

  private reportWatchHits(): void {
    for (const h of this.watchHits) {
      const where = h.wp.physical ? `physical ${hex8(h.wp.addr)}` : this.describeAddress(h.wp.addr);
      const by = `by ${this.describeAddress(h.pc)}`;
      const what = h.access.kind === 'write'
        ? (h.old === undefined ? `wrote ${hex8(h.value)}` : `${hex8(h.old)} -> ${hex8(h.value)}`)
        : `value ${hex8(h.value)}`;
      this.out.text(`stopped at watchpoint ${h.wp.id} (${h.access.kind} ${where}) ${by}: ${what}`);
      if (h.error) {
        this.out.text(`error: cannot evaluate the condition of watchpoint ${h.wp.id} (${h.wp.cond!.text}): ${h.error}; stopped here`);
        this.failed = true;
      }
    }
    this.watchHits = [];
    this.printLocation();
  }

  private reportFinish(): void {
    this.out.text(`returned; a0 = ${valueText(this.machine.cpu.regs[REG.a0]!)}`);
    this.printLocation();
  }

  private reportFinal(): void {
    const s = this.machine.stopped!;
    if (s.kind === 'halted') this.out.text(`the guest halted with ${haltText(s.code)} at ${this.describeAddress(s.pc)}`);
    else this.out.text(`the guest stopped: ${s.kind === 'trap' || s.kind === 'deadlock' ? s.message : s.kind}`);
  }

  // --- reverse -----------------------------------------------------------------------

  back(n: number): void {
    const h = this.history;
    if (!h.enabled) throw new DebugError("reverse stepping is off (--history 0)");
    if (this.host) return this.backHost(n, this.host);
    if (this.bt) return this.backBt(n, this.bt);
    const steps = this.machine.counters.steps;
    const k = Math.min(n, h.available());
    if (k > 0) h.rewind(steps - k, (s) => this.replay(s));
    if (k < n) this.exhausted(k, n, steps - k === 0);
    this.printLocation();
  }

  /**
   * `back N` under bt: N guest steps, to the Nth guest instruction boundary
   * before this one (a position between the words of a translation is never
   * one to stop at). Boundaries are found by re-executing history one
   * keyframe interval at a time, newest first, with an observer.
   */
  private backBt(n: number, bt: BtRunner): void {
    const h = this.history;
    const m = this.machine;
    const view = bt.view;
    const now = m.counters.steps;
    const oldest = now - h.available();
    // Boundary positions in [oldest, now), ascending.
    const found = this.scanBack(n, oldest, now, (from, hi, part) => {
      if (from >= oldest && view.atBoundary()) part.push(from);
      m.observer = () => {
        const p = m.counters.steps;
        if (p < hi && p >= oldest && view.atBoundary()) part.push(p);
      };
      bt.run(hi - from, false);
    });
    const k = Math.min(n, found.length);
    this.goTo(k === 0 ? now : found[found.length - k]!);
    h.checkpoint();
    if (k < n) this.exhausted(k, n, oldest === 0);
    this.printLocation();
  }

  /**
   * `back N` on a host: N instructions of the selected VM (at bt guest
   * instruction boundaries), the whole host going back with it. Its
   * instructions are found by re-executing history one keyframe interval at
   * a time, newest first, with an observer; the keyframes hold the host's
   * state (it is a machine device: every VM's vCPU, monitor, clock, console).
   */
  private backHost(n: number, host: Host): void {
    this.peek.end();
    const h = this.history;
    const m = this.machine;
    const tvm = this.target.vm!;
    const view = this.target.bt?.view;
    const now = m.counters.steps;
    const oldest = now - h.available();
    // Positions right before one of its instructions, in [oldest, now), ascending.
    const found = this.scanBack(n, oldest, now, (from, hi, part) => {
      m.observer = (rec) => {
        const p = m.counters.steps - 1; // where the step began
        if (p >= oldest && host.running() === tvm && !preemption(rec, m) && (!view || startsInsn(view.place(rec.pc, rec.ring, rec.word)))) part.push(p);
      };
      host.run(hi - from);
    });
    const k = Math.min(n, found.length);
    this.goTo(k === 0 ? now : found[found.length - k]!);
    // Between two slices: the next VM is given the CPU (no step taken), as the run loop stops there too.
    if (!host.running()) {
      this.machine.requestStop('debugger');
      host.run(1);
      this.disarm();
    }
    h.checkpoint();
    // Where it stands now is a location reached: resuming does not stop there again; the VM just given the CPU is checked.
    this.switchDue = host.running() === undefined;
    this.fresh = host.running() === tvm ? undefined : host.running();
    this.watchesDue.clear();
    this.showSelected();
    this.resumePast = new Map([[tvm, this.pc()]]);
    if (k < n) this.exhausted(k, n, oldest === 0);
    this.printLocation();
  }

  /**
   * The positions `window` reports, found by re-executing history one keyframe
   * interval at a time, newest first, until `n` are known or history ends:
   * `window(from, hi, part)` runs [from, hi) with an observer pushing positions
   * into `part`. Leaves the machine at the start of the last window.
   */
  private scanBack(n: number, oldest: number, now: number, window: (from: number, hi: number, part: number[]) => void): number[] {
    const h = this.history;
    let found: number[] = [];
    let lo = now;
    while (found.length < n && lo > oldest) {
      const from = Math.max(h.keyframeAtOrBefore(lo - 1) ?? oldest, 0);
      h.rewind(from, (k) => this.replay(k));
      const part: number[] = [];
      try {
        window(from, lo, part);
      } finally {
        this.disarm();
      }
      found = [...part, ...found];
      lo = from;
    }
    return found;
  }

  /** To step `target` from wherever the machine stands: back through history, or forward by replay. */
  private goTo(target: number): void {
    const at = this.machine.counters.steps;
    if (target < at) this.history.rewind(target, (s) => this.replay(s));
    else if (target > at) this.replay(target - at);
  }

  /** `back` went `k` of `n` steps: say why it stopped short. */
  private exhausted(k: number, n: number, atStart: boolean): void {
    const why = atStart ? 'this is the start of the run' : `--history keeps ${plural(this.history.budget, 'step')}`;
    this.out.text(k === 0 ? `history exhausted: no earlier step recorded (${why})` : `history exhausted: went back ${k} of ${plural(n, 'step')} (${why})`);
  }

  /** Reload the image and start over; breakpoints stay. */
  restart(): void {
    this.peek.end();
    this.disarm();
    this.reload();
    this.history.reset();
    this.shown = 0;
    if (this.host) {
      this.hostConsole!.reset();
      this.switchDue = true;
      this.fresh = undefined;
      this.watchesDue.clear();
      this.resumePast = new Map([[this.host.vms[0]!, this.host.vms[0]!.image.entry]]);
    }
    this.out.text('restarted');
    this.printLocation();
  }
}

function matches(wp: Watchpoint, acc: MemAccess): boolean {
  if (acc.kind === 'read' ? wp.access === 'w' : wp.access === 'r') return false;
  const a = wp.physical ? acc.paddr : acc.vaddr;
  return a < wp.addr + 4 && wp.addr < a + acc.size;
}

/** Stops of one VM found where it could not stop yet, taken at its next instruction boundary with its vCPU running. */
interface HostDue {
  reached: boolean;
  finish: boolean;
  watch: WatchHit[];
}

/** `halted (exit code 0)`, `stopped (MESSAGE)`. */
function stopText(s: Stop): string {
  return s.kind === 'halted' ? `halted (${haltText(s.code)})` : `stopped (${'message' in s ? s.message : s.kind})`;
}

/** Whether a step that began at bt place `from` began a guest instruction (code run directly: every step does). */
function startsInsn(from: TcPlace | undefined): boolean {
  return from === undefined || from.start || from.role === 'stub';
}

/** The host's timer ending a slice: a step of the VM's vCPU that is no step of its guest (it retires nothing, the guest never sees it). */
function preemption(rec: StepRecord, m: Machine): boolean {
  const r = m.stopRequest;
  return !rec.retired && r !== undefined && r.kind === 'requested' && r.reason === SLICE_STOP;
}
