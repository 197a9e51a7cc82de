// The debugger session: a loaded machine driven by command strings. Each
// command prints through one ordered Output (guest console output included)
// and returns what it printed. Resuming commands share one run loop that
// executes in chunks, so breakpoints, watchpoints, `next`/`finish` targets,
// the history's keyframes, console streaming and interrupts all happen at
// exact step boundaries.

import { CAUSE, CR, EXC, EXC_NAMES, REG } from '../isa/index.js';
import type { Image } from '../elf/image.js';
import type { Engine, RunResult } from '../engine/engine.js';
import { loadImage, type Machine, type MemAccess, type StepRecord } from '../machine/index.js';
import { PointTable, WatchIndex, type Breakpoint, type Condition, type Watchpoint } from './breakpoints.js';
import { DebugError } from './errors.js';
import { evaluate, parseExpr, type Expr, type ExprEnv } from './expr.js';
import { FinishTracker } from './flow.js';
import { haltText, hex8, plural, valueText } from './format.js';
import { DEFAULT_HISTORY, History } from './history.js';
import { Output } from './output.js';
import { SymbolTable, type SourceReader } from './symbols.js';
import type { Monitor, MonitorEvent } from '../vmm/index.js';
import { guestTranslator, locationLine, readWord, symbolSuffix, type Translate } from './views.js';
import { dispatch } from './commands.js';
import { BtRunner } from './bt.js';

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
}

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
  readonly image: Image;
  readonly symbols: SymbolTable;
  readonly points = new PointTable();
  readonly history: History;
  readonly maxSteps: number;
  readonly out: Output;
  readonly monitor: Monitor | undefined;
  /** Virtual to physical for the views: under a monitor through the guest's own page tables first. */
  readonly translate: Translate;
  /** Under --mode bt: guest instruction boundaries, and runs that respect them (src/debug/bt.ts). */
  readonly bt: BtRunner | undefined;
  private readonly reload: () => void;
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
    this.image = options.image;
    this.maxSteps = options.maxSteps ?? DEFAULT_SESSION_MAX_STEPS;
    this.symbols = new SymbolTable(options.image, options.readSource);
    this.history = new History(this.machine, options.history ?? DEFAULT_HISTORY);
    this.out = new Output(options.write);
    this.monitor = options.monitor;
    this.translate = guestTranslator(this.machine, this.monitor);
    this.bt = BtRunner.of(this.machine, this.engine, this.monitor, options.directEngine);
    this.reload = options.reload ?? (() => loadImage(this.machine, this.image));
  }

  // --- driving -------------------------------------------------------------------

  /** The opening lines: what is loaded and where it stands. */
  banner(name: string): string {
    const h = this.history.enabled ? `history ${this.history.budget} steps` : 'reverse stepping off';
    this.out.text(`virtlab debug: ${name}, entry ${hex8(this.image.entry)}${symbolSuffix(this.symbols, this.image.entry)}, ${h}; 'help' lists the commands`);
    this.printLocation();
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

  /** Run one command, returning to the event loop every `sliceMs` so interrupt() can take effect. */
  async executeAsync(line: string, sliceMs = 50): Promise<CommandResult> {
    const it = this.command(line);
    let since = Date.now();
    while (!it.next().done) {
      if (Date.now() - since >= sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
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
      const work = dispatch(this, line);
      if (work) yield* work;
    } catch (e) {
      this.failed = true;
      if (e instanceof DebugError) this.out.text(`error: ${e.message}`.replace(/\s*\n\s*/g, ' '));
      else this.out.text(`internal error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.replace(/\s*\n\s*/g, ' '));
    } finally {
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
    this.out.text(locationLine(this.machine, this.symbols, this.pc(), this.translate));
  }

  describeAddress(addr: number): string {
    return `${hex8(addr)}${symbolSuffix(this.symbols, addr)}`;
  }

  /** Show console output the guest produced since the last call (and not shown before `back`). */
  flushConsole(): void {
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
    if (this.bt) this.bt.run(steps, false);
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
    for (const bp of this.points.breakpointsAt(pc)) {
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
    if (this.bt) return this.backBt(n, this.bt);
    const steps = this.machine.counters.steps;
    const k = Math.min(n, h.available());
    if (k > 0) h.rewind(steps - k, (s) => this.replay(s));
    if (k < n) {
      const why = steps - k === 0 ? 'this is the start of the run' : `--history keeps ${plural(h.budget, 'step')}`;
      this.out.text(k === 0 ? `history exhausted: no earlier step recorded (${why})` : `history exhausted: went back ${k} of ${plural(n, 'step')} (${why})`);
    }
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
    let found: number[] = []; // boundary positions in [lo, now), ascending
    let lo = now;
    while (found.length < n && lo > oldest) {
      const from = Math.max(h.keyframeAtOrBefore(lo - 1) ?? oldest, 0);
      const hi = lo;
      h.rewind(from, (k) => this.replay(k));
      const part: number[] = [];
      if (from >= oldest && view.atBoundary()) part.push(from);
      m.observer = () => {
        const p = m.counters.steps;
        if (p < hi && p >= oldest && view.atBoundary()) part.push(p);
      };
      try {
        bt.run(hi - from, false);
      } finally {
        this.disarm();
      }
      found = [...part, ...found];
      lo = from;
    }
    const k = Math.min(n, found.length);
    const target = k === 0 ? now : found[found.length - k]!;
    // The scan left the machine at the start of its last window: go to the target from there.
    const at = m.counters.steps;
    if (target < at) h.rewind(target, (s) => this.replay(s));
    else if (target > at) this.replay(target - at);
    h.checkpoint();
    if (k < n) {
      const why = oldest === 0 ? 'this is the start of the run' : `--history keeps ${plural(h.budget, 'step')}`;
      this.out.text(k === 0 ? `history exhausted: no earlier step recorded (${why})` : `history exhausted: went back ${k} of ${plural(n, 'step')} (${why})`);
    }
    this.printLocation();
  }

  /** Reload the image and start over; breakpoints stay. */
  restart(): void {
    this.disarm();
    this.reload();
    this.history.reset();
    this.shown = 0;
    this.out.text('restarted');
    this.printLocation();
  }
}

function matches(wp: Watchpoint, acc: MemAccess): boolean {
  if (acc.kind === 'read' ? wp.access === 'w' : wp.access === 'r') return false;
  const a = wp.physical ? acc.paddr : acc.vaddr;
  return a < wp.addr + 4 && wp.addr < a + acc.size;
}
