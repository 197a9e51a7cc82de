// The playground page: composes the editor, the toolbar, the worker sessions and the panels.
// Every action goes to the worker(s) (src/playground/worker-entry.ts); the page only shows what they answer.
import type {
  Diagnostic,
  Event as WorkerEvent,
  LoadResponse,
  RunResponse,
  Timeline,
  VmState,
  VmSummary,
} from '../src/playground/protocol.js';
import { RequestFailed, SessionClient, type RequestBody } from './client.js';
import { readControls, type Controls } from './controls.js';
import { PlaygroundEditor } from './editor.js';
import { ConsoleView } from './console-view.js';
import { PanelArea } from './panel-area.js';
import { guestSource } from './guest-files.js';
import { Points } from './points.js';
import { GuestChoice, programPath } from './guest-choice.js';

/**
 * Past this many machine steps the timeline (a traced rerun from the start) takes seconds of the worker's
 * time, during which every other request waits: the page then makes it only when asked.
 */
const TIMELINE_AUTO_STEPS = 3_000_000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** One worker and what the page knows of its loaded configuration. */
interface Side {
  client: SessionClient;
  label: string;
  loaded: LoadResponse | null;
  selected: string;
  /** The timeline from the start to where the machine stands, null until fetched (or after it moved). */
  timeline: Timeline | null;
  /** Why there is no timeline (the worker's one line), or null. */
  timelineNote: string | null;
  state: VmState | null;
  lastRun: RunResponse | null;
}

class App {
  private readonly editor: PlaygroundEditor;
  private readonly consoles = new ConsoleView($('consoles'));
  private readonly panels = new PanelArea($('panels'), $('timeline'), () => this.refreshSoon());
  private readonly status = $('status');
  private readonly messages = $('messages');
  private readonly choice = new GuestChoice($<HTMLSelectElement>('guest'));
  private sides: Side[] = [];
  /** The editor's file name: the catalog path it came from, so `.include` resolves as in the repository. */
  private file = 'guests/hello.s';
  /** Breakpoints of the margin and watchpoints, applied to every VM at each load. */
  private readonly points = new Points();
  /** The editor or a setting changed since the last load: the next action loads again. */
  private stale = true;
  private running = false;
  /** A panel asked for data while an action ran (the memory panel following a register): read again after it. */
  private refreshPending = false;
  private timelineTimer: ReturnType<typeof setTimeout> | undefined;
  private timelineGeneration = 0;

  constructor() {
    this.editor = new PlaygroundEditor($('editor'), {
      onGutterClick: (line) => void this.toggleBreakpoint(line),
      onChange: () => {
        this.stale = true;
      },
    });
    this.sides = [this.newSide('A')];
    this.wire();
  }

  private newSide(label: string): Side {
    const client = new SessionClient(new URL('worker.js', import.meta.url), label);
    const side: Side = { client, label, loaded: null, selected: '', timeline: null, timelineNote: null, state: null, lastRun: null };
    client.onEvent((e) => this.onWorkerEvent(side, e));
    return side;
  }

  async start(): Promise<void> {
    const answer = await this.sides[0]!.client.call({ type: 'catalog' }, 'catalog');
    this.choice.fill(answer.entries, answer.hosts ?? []);
    const first = this.choice.firstValue();
    if (first !== null) await this.pick(first);
    this.setStatus('ready');
    // Since navigation start: what the budgets script reads as the time to interactive.
    document.body.dataset['readyAt'] = performance.now().toFixed(1);
    document.body.dataset['ready'] = 'true';
  }

  private wire(): void {
    const click = (id: string, action: () => Promise<void>) => $(id).addEventListener('click', () => void this.guard(action));
    click('assemble', () => this.assemble());
    click('load', () => this.load());
    click('run', () => this.runAll({ type: 'run' }, true));
    click('continue', () => this.runAll({ type: 'run' }, false));
    click('step', () => this.runAll({ type: 'step' }, false));
    click('next', () => this.runAll({ type: 'next' }, false));
    click('finish', () => this.runAll({ type: 'finish' }, false));
    click('back', () => this.runAll({ type: 'back' }, false));
    click('restart', () => this.restart());
    click('watch', () => this.addWatch());
    click('clear-points', () => this.clearPoints());
    click('make-timeline', async () => {
      $('make-timeline').hidden = true;
      this.setStatus('making the timeline (a traced run from the start)…');
      await this.refreshTimeline();
      this.setStatus('timeline made');
    });
    // Stop must work while another request runs: it is not guarded.
    $('stop').addEventListener('click', () => {
      for (const s of this.sides) void s.client.stop().catch(() => undefined);
    });
    $<HTMLSelectElement>('guest').addEventListener('change', (e) => void this.guard(() => this.pick((e.target as HTMLSelectElement).value)));
    for (const id of ['defines', 'mode', 'engine', 'vm-count', 'compare-mode', 'cost-model', 'hw-ept', 'hw-vpid', 'hw-posted']) {
      $(id).addEventListener('change', () => {
        this.stale = true;
        this.updateEnabled();
      });
    }
    $<HTMLSelectElement>('vm-select').addEventListener('change', (e) =>
      void this.guard(async () => {
        const vm = (e.target as HTMLSelectElement).value;
        for (const s of this.sides) {
          if (!s.loaded?.vms.some((v) => v.name === vm)) continue;
          await s.client.call({ type: 'select', vm }, 'ack');
          s.selected = vm;
        }
        await this.refresh();
      }),
    );
    $('debugger-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = $<HTMLInputElement>('debugger-line');
      const line = input.value.trim();
      if (line) {
        void this.guard(async () => {
          await this.command(line);
          input.value = '';
        });
      }
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.guard(() => this.assemble());
      }
    });
    this.updateEnabled();
  }

  /** Runs one action at a time; failures are one line in the status and the messages. */
  private async guard(action: () => Promise<void>): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.updateEnabled();
    try {
      await action();
    } catch (err) {
      this.fail(err);
    } finally {
      this.running = false;
      this.updateEnabled();
    }
    if (this.refreshPending) {
      this.refreshPending = false;
      await this.guard(() => this.refresh());
    }
  }

  /** A panel wants data the last snapshot did not carry (another tab, another memory range). */
  private refreshSoon(): void {
    if (this.running) this.refreshPending = true;
    else void this.guard(() => this.refresh());
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.setStatus(`error: ${message}`, true);
    this.showMessage(message, true);
    if (err instanceof RequestFailed && err.response.diagnostics) this.showDiagnostics(err.response.diagnostics);
  }

  /**
   * A guest takes its defines and mode into the top bar. A host configuration decides its VMs, modes and
   * defines itself (the top bar's are disabled); the editor shows its first VM's program, and an edit
   * there is what every VM running that program assembles.
   */
  private async pick(value: string): Promise<void> {
    const choice = this.choice.choose(value);
    if (choice.kind === 'guest') {
      const entry = choice.entry;
      this.showProgram(entry.path);
      $<HTMLInputElement>('defines').value = Object.entries(entry.defines)
        .map(([k, v]) => (v === 1 ? k : `${k}=${v}`))
        .join(' ');
      $<HTMLSelectElement>('mode').value = entry.mode;
      this.showMessage(entry.note, false);
    } else {
      const { host } = choice;
      const first = host.config.vms[0]!.program;
      this.showProgram(programPath(first), first.kind === 'source' ? first.text : undefined);
      const vms = host.config.vms.map((v) => `${v.name} (${v.mode}, ${programPath(v.program)})`);
      this.showMessage(`${host.path}: a host of ${vms.join(', ')}`, false);
    }
    this.stale = true;
    this.updateEnabled();
  }

  /** A new program in the editor: its breakpoints, pc line and diagnostics go. */
  private showProgram(path: string, text?: string): void {
    this.file = path;
    this.editor.setText(text ?? guestSource(path));
    this.points.reset();
    this.editor.setBreakpoints([]);
    this.editor.setPcLine(null);
    this.editor.showDiagnostics([], this.file);
  }

  private controls(): Controls {
    return readControls();
  }

  private program() {
    return { kind: 'source' as const, file: this.file, text: this.editor.text() };
  }

  private async assemble(): Promise<void> {
    const c = this.controls();
    const answer = await this.sides[0]!.client.call({ type: 'assemble', program: this.program(), defines: c.defines }, 'assemble');
    this.showDiagnostics(answer.diagnostics);
    const errors = answer.diagnostics.filter((d) => d.severity === 'error').length;
    const summary = answer.assembled
      ? `assembled: ${answer.symbols.length} symbols, entry 0x${(answer.entry ?? 0).toString(16).padStart(8, '0')}${answer.diagnostics.length ? `, ${answer.diagnostics.length} warning(s)` : ''}`
      : `${errors} error(s)`;
    this.setStatus(summary, !answer.assembled);
    this.showMessage(answer.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`).join('\n') || summary, !answer.assembled);
  }

  private showDiagnostics(diagnostics: readonly Diagnostic[]): void {
    this.editor.showDiagnostics(diagnostics, this.file);
  }

  /** Builds the configuration(s) and loads them: one worker, or two when a second mode runs beside. */
  private async load(): Promise<void> {
    const c = this.controls();
    // A host configuration is one session; a second mode beside applies to a guest.
    const compareMode = this.choice.host ? null : c.compareMode;
    const wanted = compareMode ? 2 : 1;
    while (this.sides.length > wanted) this.sides.pop()!.client.terminate();
    if (this.sides.length < wanted) this.sides.push(this.newSide('B'));
    const modes = [c.mode, compareMode ?? c.mode];
    this.consoles.reset();
    this.showMessage('', false);
    for (const [i, side] of this.sides.entries()) {
      const config = this.choice.configuration(c, modes[i]!, this.program());
      const loaded = await side.client.call({ type: 'load', config }, 'load');
      side.loaded = loaded;
      side.selected = loaded.vms[0]?.name ?? '';
      if (i === 0) this.points.lineTable = loaded.vms[0]?.lines ?? null;
      side.timeline = null;
      side.lastRun = null;
      for (const vm of loaded.vms) this.consoles.add(this.consoleKey(side, vm.name), this.consoleTitle(side, vm));
      if (i === 0) this.showDiagnostics(loaded.vms.flatMap((v) => v.diagnostics));
      await this.applyPoints(side);
    }
    this.fillVmPicker();
    this.stale = false;
    this.setStatus(`loaded: ${this.sides.map((s) => s.loaded!.vms.map((v) => `${v.name} (${v.mode})`).join(', ')).join(' | ')}`);
    this.showMessage(this.sides[0]!.loaded!.banner, false);
    await this.refresh();
    this.timelineLater(0);
  }

  private consoleKey(side: Side, vm: string): string {
    return `${side.label}:${vm}`;
  }

  private consoleTitle(side: Side, vm: VmSummary): string {
    return this.sides.length > 1 ? `${vm.name} (${side.label === 'A' ? 'left' : 'beside'})` : vm.name;
  }

  private fillVmPicker(): void {
    const picker = $<HTMLSelectElement>('vm-select');
    picker.replaceChildren();
    for (const vm of this.sides[0]!.loaded?.vms ?? []) {
      const option = document.createElement('option');
      option.textContent = vm.name;
      picker.append(option);
    }
    picker.value = this.sides[0]!.selected;
  }

  /** Breakpoints of the margin and watchpoints, set anew in a freshly loaded (or cleared) session. */
  private async applyPoints(side: Side): Promise<void> {
    if (!side.loaded?.debuggable) return;
    // Only the VMs that run the editor's program have its lines.
    const vms = side.loaded.vms.filter((v) => v.file === this.file);
    const refused = await this.points.applyTo(side.client, vms, this.file);
    if (refused.length > 0) {
      // Its dot goes, and the reason is shown.
      this.editor.setBreakpoints([...this.points.lines]);
      this.showMessage(`no breakpoint at ${refused.join('; ')}`, true);
    }
  }

  private async ensureLoaded(): Promise<void> {
    if (this.stale || this.sides.some((s) => !s.loaded)) await this.load();
  }

  /** Sends one run-like request to every side, side by side, and shows where each stands. */
  private async runAll(body: RequestBody, restartFirst: boolean): Promise<void> {
    const wasStale = this.stale || this.sides.some((s) => !s.loaded);
    await this.ensureLoaded();
    if (restartFirst && !wasStale) {
      this.consoles.reset();
      for (const side of this.sides) {
        await side.client.call({ type: 'restart' }, 'run');
        for (const vm of side.loaded!.vms) this.consoles.add(this.consoleKey(side, vm.name), this.consoleTitle(side, vm));
      }
    }
    this.setStatus(`${body.type}…`);
    const answers = await Promise.all(this.sides.map((s) => s.client.call(body, 'run')));
    answers.forEach((a, i) => {
      const side = this.sides[i]!;
      side.lastRun = a;
      side.selected = a.selected;
    });
    const first = answers[0]!;
    $<HTMLSelectElement>('vm-select').value = first.selected;
    const output = answers.map((a, i) => (this.sides.length > 1 ? `[${this.sides[i]!.label}] ` : '') + a.output.trim()).filter((t) => t.trim()).join('\n');
    if (output) this.showMessage(output, false);
    this.setStatus(this.describeRun(first));
    await this.refresh();
    // A run moves far and is worth its timeline at once; a step moves little and many follow.
    const single = body.type === 'step' || body.type === 'back' || body.type === 'next';
    this.timelineLater(single ? 700 : 0);
  }

  private describeRun(r: RunResponse): string {
    const vms = r.vms
      .map((v) => `${v.name}: ${v.state}${v.exitCode !== null ? ` (exit ${v.exitCode})` : ''}, ${v.instructions.toLocaleString('en-US')} instructions`)
      .join('; ');
    const why = { ended: 'ended', budget: 'step budget ran out', requested: 'stopped', paused: 'stopped' }[r.stopped];
    return `${why} — ${vms}`;
  }

  private async restart(): Promise<void> {
    if (this.stale) return this.load();
    this.consoles.reset();
    for (const side of this.sides) {
      side.lastRun = await side.client.call({ type: 'restart' }, 'run');
      for (const vm of side.loaded!.vms) this.consoles.add(this.consoleKey(side, vm.name), this.consoleTitle(side, vm));
    }
    this.setStatus('restarted');
    await this.refresh();
    this.timelineLater(0);
  }

  private async toggleBreakpoint(line: number): Promise<void> {
    const lines = this.points.lines;
    if (lines.has(line)) lines.delete(line);
    else if (!this.stale && !this.points.hasCode(this.file, line)) {
      this.setStatus(`line ${line} has no code (a comment, a label alone or a directive): no breakpoint there`, true);
      return;
    } else lines.add(line);
    this.editor.setBreakpoints([...lines]);
    if (this.stale || this.running) return; // set at the next load
    await this.guard(async () => {
      // Points are numbered by the session: the simplest faithful update is to set them all anew.
      for (const side of this.sides) {
        await side.client.call({ type: 'clear' }, 'ack');
        await this.applyPoints(side);
      }
      this.setStatus(lines.has(line) ? `breakpoint at line ${line}` : `breakpoint at line ${line} removed`);
    });
  }

  private async addWatch(): Promise<void> {
    const text = $<HTMLInputElement>('watch-address').value.trim();
    if (!text) throw new Error('give the address (or symbol) to watch');
    await this.ensureLoaded();
    const address = this.evaluate(text);
    const access = $<HTMLSelectElement>('watch-access').value as 'r' | 'w' | 'rw';
    this.points.watches.push({ address, access });
    // In every VM, as the margin's breakpoints.
    let said = '';
    for (const side of this.sides) {
      for (const vm of side.loaded!.vms.filter((v) => v.file === this.file)) said ||= (await side.client.call({ type: 'watch', vm: vm.name, address, access }, 'point')).text;
    }
    this.setStatus(said);
  }

  /** A number, or a symbol's value from the loaded program's symbol table. */
  private evaluate(text: string): number {
    if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text) >>> 0;
    const symbol = this.sides[0]!.loaded?.vms[0]?.symbols.find((s) => s.name === text);
    if (symbol) return symbol.value >>> 0;
    throw new Error(`'${text}' is neither a number nor a symbol of the program`);
  }

  private async clearPoints(): Promise<void> {
    this.points.lines.clear();
    this.points.watches.length = 0;
    this.editor.setBreakpoints([]);
    for (const side of this.sides) if (side.loaded?.debuggable) await side.client.call({ type: 'clear' }, 'ack');
    this.setStatus('no breakpoints or watchpoints');
  }

  private async command(line: string): Promise<void> {
    await this.ensureLoaded();
    const r = await this.sides[0]!.client.call({ type: 'command', line }, 'command');
    this.showMessage(`(vl) ${line}\n${r.output}`, r.failed);
    await this.refresh();
    this.timelineLater(700);
  }

  /** Reads every side's selected VM and new timeline events, and redraws the panels. */
  private async refresh(): Promise<void> {
    for (const side of this.sides) {
      if (!side.loaded) continue;
      const snap = await side.client.call({ type: 'snapshot', vm: side.selected, ...this.panels.snapshotParts() }, 'snapshot');
      side.state = snap.state;
      this.consoles.set(this.consoleKey(side, snap.state.name), snap.state.console);
    }
    this.renderPanels();
  }

  /**
   * The worker makes a timeline by running the configuration again, traced, to where it stands: worth it
   * after a run, but not after each step. Steps mark it stale, and it is fetched once stepping pauses.
   */
  private async refreshTimeline(): Promise<void> {
    document.body.dataset['timeline'] = 'pending';
    const generation = ++this.timelineGeneration;
    const sides = [...this.sides];
    // Each side on its own: a timeline the worker cannot make (a run past its bound) is said in that
    // timeline's heading, not as the page's error; the run itself stands.
    const answers = await Promise.all(
      sides.map((s) =>
        s.loaded
          ? s.client.call({ type: 'timeline' }, 'timeline').then(
              (a) => ({ timeline: a.timeline, note: null }),
              (err: unknown) => ({ timeline: null, note: err instanceof Error ? err.message : String(err) }),
            )
          : null,
      ),
    );
    // A later action asked for a newer one: this one is already out of date.
    if (generation !== this.timelineGeneration) return;
    answers.forEach((a, i) => {
      if (!a) return;
      sides[i]!.timeline = a.timeline;
      sides[i]!.timelineNote = a.note;
    });
    this.renderPanels();
    document.body.dataset['timeline'] = 'ready';
  }

  /**
   * Asks for the timeline `delay` ms from now, unless another action comes first. It does not hold the
   * toolbar (a step clicked meanwhile queues behind it in the worker).
   */
  private timelineLater(delay: number): void {
    clearTimeout(this.timelineTimer);
    const steps = Math.max(0, ...this.sides.map((s) => s.lastRun?.steps ?? 0));
    if (steps > TIMELINE_AUTO_STEPS) {
      // Making it means running the configuration again, traced, this far: only when asked.
      document.body.dataset['timeline'] = 'manual';
      $('make-timeline').hidden = false;
      return;
    }
    $('make-timeline').hidden = true;
    document.body.dataset['timeline'] = 'pending';
    // An action that runs meanwhile asks again when it ends; the worker would only queue this behind it.
    this.timelineTimer = setTimeout(() => {
      if (!this.running) void this.refreshTimeline();
    }, delay);
  }

  private renderPanels(): void {
    const a = this.sides[0]!;
    const vm = a.loaded?.vms.find((v) => v.name === a.selected);
    if (a.state && vm) {
      const here = vm.lines.find((l) => l.address === a.state!.pc && l.file === this.file);
      this.editor.setPcLine(here ? here.line : null);
    }
    this.panels.render(this.sides.map((s) => ({ label: this.sideLabel(s), state: s.state, timeline: s.timeline, timelineNote: s.timelineNote })));
  }

  /** What a run is called on the page: its mode (and its VMs' number on a host), or the host configuration's title. */
  private sideLabel(side: Side): string {
    const title = this.choice.title();
    if (title) return title;
    const vms = side.loaded?.vms ?? [];
    const mode = vms[0]?.mode ?? side.label;
    return vms.length > 1 ? `${mode} (${vms.length} VMs)` : mode;
  }

  private onWorkerEvent(side: Side, e: WorkerEvent): void {
    if (e.type === 'console') {
      const key = this.consoleKey(side, e.vm);
      if (e.reset) this.consoles.set(key, e.text);
      else this.consoles.write(key, e.text);
    }
    else if (e.type === 'progress') {
      const total = e.vms.reduce((n, v) => n + v.instructions, 0);
      this.setStatus(`running… ${total.toLocaleString('en-US')} instructions (Stop stops it)`);
    }
  }

  private updateEnabled(): void {
    // Read the selects directly: a malformed -D must not break the toolbar (it is reported at load).
    const mode = $<HTMLSelectElement>('mode').value;
    const beside = $<HTMLSelectElement>('compare-mode').value;
    $('hw-options').hidden = mode !== 'hw' && beside !== 'hw';
    const debuggable = $<HTMLSelectElement>('engine').value === 'interp';
    for (const id of ['mode', 'vm-count', 'compare-mode', 'defines']) {
      ($(id) as HTMLInputElement).disabled = this.choice.host !== null;
    }
    for (const id of ['assemble', 'load', 'run', 'step', 'next', 'finish', 'continue', 'back', 'restart', 'watch', 'clear-points']) {
      const needsDebugger = ['step', 'next', 'finish', 'back', 'watch'].includes(id);
      ($(id) as HTMLButtonElement).disabled = this.running || (needsDebugger && !debuggable);
    }
    ($('stop') as HTMLButtonElement).disabled = !this.running;
    document.body.dataset['busy'] = String(this.running);
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    // The status line is cut to one line: the whole text on hover.
    this.status.title = text;
    this.status.classList.toggle('error', error);
  }

  private showMessage(text: string, error: boolean): void {
    this.messages.textContent = text;
    this.messages.classList.toggle('error', error);
  }
}

const app = new App();
app.start().catch((err: unknown) => {
  const status = document.getElementById('status');
  if (status) {
    status.textContent = `the playground could not start: ${err instanceof Error ? err.message : String(err)}`;
    status.classList.add('error');
  }
});
