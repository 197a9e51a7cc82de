// The engine side of the playground: one object that answers every request of
// protocol.ts with the code the CLI runs (the assembler, the machine and host
// builders, the debugger's session for stepping, back, breakpoints and
// watchpoints, its views, the stats formatters, the Perfetto timeline). It
// works the same in Node (the tests) and in the Web Worker (worker-loop.ts).
// Long runs go in chunks: between two, progress and console output are posted
// and a stop request is honoured.

import { assembleProgram } from './assemble.js';
import { catalogEntries, shownPath, type CatalogFiles } from './catalog.js';
import { catalogHosts } from './catalog-hosts.js';
import { checkConfiguration } from './build.js';
import { PlaygroundError } from './errors.js';
import { Loaded } from './loaded.js';
import { checkRequest } from './requests.js';
import { runJit, SLICE_MS } from './run-jit.js';
import { btUnit, cpuView, memoryRange, pageTables, withTarget } from './state.js';
import { timelineTo } from './timeline.js';
import type { Timeline } from '../trace/perfetto.js';
import type {
  BreakLocation, Event, Failure, LoadResponse, Request, Response, RunResponse, SnapshotResponse, VmState,
} from './protocol.js';

/** What the session needs from where it runs: posting events, and yielding to the message loop. */
export interface SessionIo {
  emit(event: Event): void;
  /** Let pending messages (a stop) in; the worker: a macrotask; Node: setImmediate. */
  pause(): Promise<void>;
}

type Of<T extends Request['type']> = Extract<Request, { type: T }>;

export class PlaygroundSession {
  private loaded: Loaded | undefined;
  private stopRequested = false;
  /** Console text already posted, per VM. */
  private sent = new Map<string, string>();
  /** The last timeline made, and for which load and step. */
  private timeline: { loaded: Loaded; steps: number; timeline: Timeline } | undefined;

  constructor(private readonly files: CatalogFiles, private readonly io: SessionIo) {}

  /** A stop request: the running request ends at its next chunk boundary. */
  stop(): void {
    this.stopRequested = true;
    this.loaded?.debug?.interrupt();
  }

  /**
   * Answer one message (anything the page posted): always a Response, never a throw.
   * `stoppedBefore`: whether a stop came after this message was posted but before it got its turn
   * (the worker queues messages): then a run ends at once, as it would have had it been running.
   */
  async handle(raw: unknown, stoppedBefore: () => boolean = () => false): Promise<Response> {
    const id = typeof (raw as { id?: unknown } | null)?.id === 'number' ? (raw as { id: number }).id : -1;
    this.stopRequested = stoppedBefore();
    try {
      return await this.dispatch(checkRequest(raw));
    } catch (e) {
      return failure(id, e);
    }
  }

  private async dispatch(r: Request): Promise<Response> {
    switch (r.type) {
      case 'catalog': return { id: r.id, ok: true, type: 'catalog', entries: catalogEntries(this.files), hosts: catalogHosts(this.files) };
      case 'assemble': {
        const a = assembleProgram(this.files, r.program, r.defines ?? {});
        const entry = a.image ? a.image.entry >>> 0 : null;
        return { id: r.id, ok: true, type: 'assemble', assembled: a.image !== undefined, diagnostics: a.diagnostics, symbols: a.symbols, lines: a.lines, entry };
      }
      case 'load': return this.load(r);
      case 'stop':
        this.stop();
        return { id: r.id, ok: true, type: 'ack' };
      case 'run': return this.run(r.id);
      case 'step': return this.resume(r.id, `step ${r.count ?? 1}`);
      case 'next': return this.resume(r.id, 'next');
      case 'finish': return this.resume(r.id, 'finish');
      case 'back': return this.resume(r.id, `back ${r.count ?? 1}`);
      case 'restart': return this.restart(r.id);
      case 'break': return this.point(r.id, r.vm, `break ${location(r.at)}${r.condition ? ` if ${r.condition}` : ''}`);
      case 'watch': {
        const line = `watch ${r.space === 'physical' ? '-p ' : ''}0x${(r.address >>> 0).toString(16)} ${r.access ?? 'w'}${r.condition ? ` if ${r.condition}` : ''}`;
        return this.point(r.id, r.vm, line);
      }
      case 'clear':
        this.debugCommand(`delete${(r.points ?? []).map((n) => ` ${n}`).join('')}`);
        return { id: r.id, ok: true, type: 'ack' };
      case 'select': return this.select(r);
      case 'command': {
        const d = this.needDebug('a debugger command');
        const res = await d.executeAsync(r.line, SLICE_MS, () => this.pauseWith(r.id));
        this.postConsole();
        return { id: r.id, ok: true, type: 'command', output: res.output, failed: !res.ok };
      }
      case 'snapshot': return this.snapshot(r);
      case 'timeline': {
        const l = this.need();
        const steps = l.machine.counters.steps;
        // A traced rerun costs seconds for a few hundred thousand steps: asked again at the same step, the last one serves.
        const c = this.timeline;
        const timeline = c?.loaded === l && c.steps === steps ? c.timeline : timelineTo(this.files, l.config, steps);
        this.timeline = { loaded: l, steps, timeline };
        return { id: r.id, ok: true, type: 'timeline', timeline, steps };
      }
    }
  }

  private need(): Loaded {
    if (!this.loaded) throw new PlaygroundError('nothing is loaded: send a load request first');
    return this.loaded;
  }

  private needDebug(what: string) {
    const l = this.need();
    if (!l.debug) throw new PlaygroundError(`${what} needs the interp engine (the debugger journals every memory write for back and watchpoints, which the jit leaves to the interpreter): load with engine interp`);
    return l.debug;
  }

  private load(r: Of<'load'>): LoadResponse {
    const config = checkConfiguration(r.config);
    this.loaded = undefined;
    const l = Loaded.load(this.files, config);
    this.loaded = l;
    this.sent = new Map();
    const b = l.build;
    const name = b.kind === 'vm' ? b.assembled.file : `of ${l.vms.length} VMs`;
    const banner = l.debug
      ? l.debug.banner(name)
      : `virtlab playground: ${name}, engine jit: run and stop (the debugger's step, back and breakpoints need engine interp)\n`;
    const assembled = b.kind === 'vm' ? [b.assembled] : b.assembled;
    return {
      id: r.id, ok: true, type: 'load', banner, debuggable: l.debug !== undefined,
      vms: l.vms.map((v, i) => ({
        name: v.name, mode: v.mode, file: v.file, entry: v.target.image.entry >>> 0,
        symbols: assembled[i]!.symbols, lines: assembled[i]!.lines, diagnostics: assembled[i]!.diagnostics,
      })),
    };
  }

  private async run(id: number): Promise<RunResponse> {
    const l = this.need();
    // Nothing left to run is the end, under either engine (the debugger would call it an error).
    if (l.allStopped()) return this.runResponse(id, '', 'ended');
    if (l.debug) return this.resume(id, 'continue');
    const start = l.machine.counters.steps;
    const end = await runJit(l, () => this.stopRequested, () => this.pauseWith(id));
    this.postConsole();
    const steps = l.machine.counters.steps - start;
    const stopped = end === 'requested' ? 'requested' : l.allStopped() ? 'ended' : end === 'budget' ? 'budget' : 'paused';
    return this.runResponse(id, `ran ${steps} steps${stopped === 'requested' ? ', stopped on request' : ''}\n`, stopped);
  }

  /** A resuming debugger command, run in chunks. */
  private async resume(id: number, line: string): Promise<RunResponse> {
    const d = this.needDebug(line.split(' ')[0]!);
    const l = this.need();
    if (this.stopRequested) return this.runResponse(id, '', 'requested');
    const start = l.machine.counters.steps;
    const stoppedVms = () => l.vms.filter((v) => l.stopOf(v) !== undefined).length;
    let output = '';
    for (;;) {
      const before = stoppedVms();
      const res = await d.executeAsync(line, SLICE_MS, () => this.pauseWith(id));
      this.postConsole();
      if (!res.ok) throw new PlaygroundError(errorLine(res.output));
      output += res.output;
      // On a host the debugger's continue ends when a VM stops for good; a run goes on with the others, as `virtlab host` does.
      const again = line === 'continue' && stoppedVms() > before && !l.allStopped() && !this.stopRequested
        && l.machine.counters.steps - start < l.maxSteps;
      if (!again) break;
    }
    const used = l.machine.counters.steps - start;
    const stopped = this.stopRequested ? 'requested' : l.allStopped() ? 'ended' : line === 'continue' && used >= l.maxSteps ? 'budget' : 'paused';
    return this.runResponse(id, output, stopped);
  }

  private restart(id: number): RunResponse {
    const l = this.need();
    if (l.debug) {
      const res = l.debug.execute('restart');
      if (!res.ok) throw new PlaygroundError(errorLine(res.output));
      this.postConsole();
      return this.runResponse(id, res.output, 'paused');
    }
    const b = l.build;
    if (b.kind === 'vm') b.vm.reset();
    else b.host.machine.reset(0);
    this.postConsole();
    return this.runResponse(id, 'restarted\n', 'paused');
  }

  private runResponse(id: number, output: string, stopped: RunResponse['stopped']): RunResponse {
    const l = this.need();
    return { id, ok: true, type: 'run', output, stopped, selected: l.selected, vms: l.vms.map((v) => l.status(v)), steps: l.machine.counters.steps };
  }

  /** Run a debugger command that must succeed; its output. */
  private debugCommand(line: string): string {
    const res = this.needDebug(line.split(' ')[0]!).execute(line);
    if (!res.ok) throw new PlaygroundError(errorLine(res.output));
    return res.output;
  }

  /** Set a breakpoint or watchpoint in VM `vm` (the debugger gives points to the selected VM). */
  private point(id: number, vm: string | undefined, line: string): Response {
    const l = this.need();
    this.needDebug(line.split(' ')[0]!);
    const before = l.selected;
    const other = vm !== undefined && vm !== before;
    if (other) {
      l.vm(vm); // an unknown name: one line listing the names
      this.debugCommand(`vm ${vm}`);
    }
    try {
      const out = this.debugCommand(line);
      const m = /^(breakpoint|watchpoint) (\d+)/m.exec(out);
      if (!m) throw new PlaygroundError(`internal error: no point number in '${out.trim()}'`);
      return { id, ok: true, type: 'point', number: Number(m[2]), text: out.trim() };
    } finally {
      if (other) this.debugCommand(`vm ${before}`);
    }
  }

  private select(r: Of<'select'>): Response {
    const l = this.need();
    l.vm(r.vm);
    if (l.debug && l.build.kind === 'host') this.debugCommand(`vm ${r.vm}`);
    else l.jitSelected = r.vm;
    return { id: r.id, ok: true, type: 'ack' };
  }

  private snapshot(r: Of<'snapshot'>): SnapshotResponse {
    const l = this.need();
    const v = l.vm(r.vm);
    const t = v.target;
    const state: VmState = withTarget(l.machine, t, l.running(v), () => ({
      name: v.name,
      mode: v.mode,
      status: l.status(v),
      ...cpuView(l.machine, t),
      console: l.console(v),
      counters: l.counters(v),
      ...(r.memory ? { memory: memoryRange(l.machine, t, r.memory.address, r.memory.length, r.memory.space) } : {}),
      ...(r.pageTables ? { pageTables: pageTables(l.machine, t) } : {}),
      ...(r.bt ? { bt: btUnit(l.machine, t, v.file, l.maxSteps) } : {}),
    }));
    return { id: r.id, ok: true, type: 'snapshot', state };
  }

  /** Between chunks: progress and console output out, pending messages in. */
  private async pauseWith(requestId: number): Promise<void> {
    const l = this.loaded;
    if (l) {
      this.io.emit({ type: 'progress', requestId, steps: l.machine.counters.steps, vms: l.vms.map((v) => ({ name: v.name, instructions: l.instructions(v) })) });
      this.postConsole();
    }
    await this.io.pause();
  }

  /** Each VM's console output since the last post (all of it again, marked reset, when it went back). */
  private postConsole(): void {
    const l = this.loaded;
    if (!l) return;
    for (const v of l.vms) {
      const text = l.console(v);
      const before = this.sent.get(v.name) ?? '';
      if (text === before) continue;
      if (text.startsWith(before)) this.io.emit({ type: 'console', vm: v.name, text: text.slice(before.length) });
      else this.io.emit({ type: 'console', vm: v.name, text, reset: true });
      this.sent.set(v.name, text);
    }
  }
}

function location(at: BreakLocation): string {
  switch (at.kind) {
    case 'line': return `${shownPath(at.file)}:${at.line}`;
    case 'address': return `0x${(at.address >>> 0).toString(16)}`;
    case 'expr': return at.text;
  }
}

/** The debugger's failure line without its `error: ` prefix. */
function errorLine(output: string): string {
  const line = output.split('\n').find((s) => s.startsWith('error: ')) ?? output.trim().split('\n').pop() ?? 'failed';
  return line.replace(/^error: /, '');
}

function failure(id: number, e: unknown): Failure {
  if (e instanceof PlaygroundError) {
    return { id, ok: false, type: 'error', error: e.message, ...(e.detail ? { diagnostics: e.detail.diagnostics } : {}) };
  }
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { id, ok: false, type: 'error', error: `internal error: ${what}`.replace(/\s*\n\s*/g, ' ') };
}
