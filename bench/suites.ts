// `virtlab bench`: runs the suites, and turns their results into the terminal
// tables, the --json report and the --svg chart.

import { cpus, platform } from 'node:os';
import type { EngineName } from '../src/engine/registry.js';
import type { CostPresetName } from '../src/vmm/index.js';
import { IN_PROCESS } from './cell.js';
import { runEngineSuite, type EngineRow } from './engine-suite.js';
import { forkingMeasurer } from './fork.js';
import { formatNs, runGuestSuiteInterleaved, type CellResult, type GuestSuiteResult } from './guest-suite.js';
import { forkedAll, IN_PROCESS_SESSIONS } from './cell-session.js';
import { formatSpread, SPREAD_LIMIT } from './spread.js';
import { SLOW_SPELL, SlowSpells, SPEED_REFERENCE_WHAT, speedLegend, type Retake } from './machine-speed.js';
import { MODE_COLUMNS } from './guest-workloads.js';
import { HOST_WORKLOAD } from './host-cell.js';
import { runHostSuite, type HostSuiteResult } from './host-suite.js';
import { formatNetSuite, netChartCells } from './net-format.js';
import { formatProfilesSuite } from './profiles-format.js';
import { runProfilesSuite, type ProfilesSuiteResult } from './profiles-suite.js';
import { runNetSuite, type NetSuiteResult } from './net-suite.js';
import { NET_WORKLOAD } from './net-workloads.js';
import { formatGenerations, generationReport, type GenerationReport } from './generations.js';
import { orderingHolds, paperOrdering, paperRatio, paperRows, PAPER_TOLERANCE, withinTolerance, type PaperColumn, type PaperReportRow, type PaperRow } from './paper.js';
import { overheadSvg, type ChartCell } from './svg.js';
import type { TimingOptions } from './timing.js';
import { num, ratio, table } from './table.js';

export const SUITE_NAMES = ['engine', 'nano', 'macro', 'host', 'net', 'all'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export interface BenchOptions {
  suite: SuiteName;
  /** The engine the nano and macro suites run on (the engine suite runs both). */
  engine: EngineName;
  /** The engine the host suite runs on (docs/benchmarks.md, the host suite: why interp by default). */
  hostEngine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  /** Only these workloads or guests (by name), in whichever suites have them. */
  only?: readonly string[];
  /** Measure each cell in a fresh Node process (bench/fork.ts); false: all in this one (--no-fork). */
  fork: boolean;
  /** Rounds: each cell measured in a fresh process each round (nano, macro: interleaved, bench/interleave.ts; the others: fastestOfRounds). */
  rounds: number;
  /** Samples of each nano and macro cell per round. */
  samples: number;
  log: (s: string) => void;
}

export interface Target { name: string; value: number | null; limit: string; met: boolean | null; /** Why it is not met, where the suite can say. */ why?: string }

export interface BenchReport {
  machine: { cpu: string; cores: number; node: string; platform: string };
  date: string;
  options: { suite: SuiteName; engine: EngineName; costModel: CostPresetName; quick: boolean; rounds: number; samples: number; clock: 'cpu' };
  engine?: EngineRow[];
  nano?: GuestSuiteResult;
  macro?: GuestSuiteResult;
  /** N small tinyos VMs on one host, per mode (bench/host-suite.ts). */
  host?: HostSuiteResult;
  /** Each NIC under each mode, VM to wire and VM to VM (bench/net-suite.ts). */
  net?: NetSuiteResult;
  /** The nano suite's modelled cycles beside Adams & Agesen 2006 (native, BT, HW = hw --no-ept). */
  paper?: PaperReportRow[];
  /** The cost model's VM exit round trip against published round trips by processor generation (with the nano suite). */
  generations?: GenerationReport;
  /** The EC2 profiles' overhead per dimension (bench/profiles-suite.ts; in `all`, or `--suite profiles` alone). */
  profiles?: ProfilesSuiteResult;
  /** The speed reference's fastest figure, and the takes sampled again for a slow spell of the machine (bench/machine-speed.ts). */
  machineSpeed?: { reference: string; fastestMs: number; slowSpell: number; retakes: Retake[] };
  targets: Target[];
}

/** Seconds a host-time sample lasts at least (bench/timing.ts): long beside the clock's resolution and a scheduler's time slice. */
const SAMPLE_TIME = 0.03;
const QUICK_SAMPLE_TIME = 0.005;

/**
 * Samples per round of a net cell (and of the profiles' own cells): as many as the guest suites take. A net sample is
 * three parts of at least a SAMPLE_TIME each, but opening a round's processes (building, checking and settling 27
 * cells) is most of a round's two minutes; with half as many samples a round's fastest sample met a quiet moment of
 * the machine less often, and a cell's ratio scattered by 15-30% from round to round (2026-12-07).
 */
export function netSamples(o: Pick<BenchOptions, 'samples'>): number {
  return Math.max(2, o.samples);
}

/** How long a sample lasts at least, and how the suites that still time whole measurements (engine, host) take them. */
export function sampleTime(quick: boolean): TimingOptions {
  return quick ? { maxTime: 0.05, minSamples: 2, minSampleTime: QUICK_SAMPLE_TIME } : { maxTime: 0.3, minSamples: 5, minSampleTime: SAMPLE_TIME };
}

export function machineDescription(): BenchReport['machine'] {
  return { cpu: cpus()[0]?.model.trim() ?? 'unknown CPU', cores: cpus().length, node: process.version, platform: platform() };
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const report: BenchReport = {
    machine: machineDescription(),
    date: new Date().toISOString(),
    options: { suite: o.suite, engine: o.engine, costModel: o.costModel, quick: o.quick, rounds: o.rounds, samples: o.samples, clock: 'cpu' },
    targets: [],
  };
  // Created first, so that a missing build is reported before anything runs.
  const measurer = o.fork ? forkingMeasurer() : IN_PROCESS;
  const sessions = o.fork ? forkedAll() : IN_PROCESS_SESSIONS;
  const open = sessions.guest;
  const timing = sampleTime(o.quick);
  const spells = new SlowSpells();
  const want = (s: SuiteName) => o.suite === 'all' || o.suite === s;
  const guest = { engine: o.engine, costModel: o.costModel, quick: o.quick, timing, log: o.log, open, openReference: sessions.engine, spells, rounds: o.rounds, samples: o.samples, ...(o.only ? { only: o.only } : {}) };
  if (want('engine')) report.engine = await runEngineSuite({ ...(o.only ? { only: o.only } : {}), timing, quick: o.quick, rounds: o.rounds, samples: o.samples, open: sessions.engine, log: o.log, spells });
  if (want('nano')) {
    report.nano = await runGuestSuiteInterleaved('nano', guest);
    report.paper = paperRows(report.nano.cells);
    report.generations = generationReport(o.costModel);
  }
  if (want('macro')) report.macro = await runGuestSuiteInterleaved('macro', guest);
  if (want('host') && (!o.only || o.only.includes(HOST_WORKLOAD))) {
    report.host = runHostSuite({ engine: o.hostEngine, costModel: o.costModel, timing, measure: measurer.host, rounds: o.rounds, log: o.log });
  }
  if (want('net') && (!o.only || o.only.includes(NET_WORKLOAD))) {
    report.net = await runNetSuite({ engine: o.engine, costModel: o.costModel, quick: o.quick, timing, open: sessions.net, openReference: sessions.engine, spells, rounds: o.rounds, samples: netSamples(o), log: o.log });
  }
  if (o.suite === 'all' && !o.only) {
    // The CPU and network columns are the macro and net suites' cells just measured.
    report.profiles = await runProfilesSuite({
      engine: o.engine, costModel: o.costModel, quick: o.quick, timing, sessions, rounds: o.rounds, samples: netSamples(o), log: o.log,
      ...(report.macro ? { macro: report.macro } : {}), ...(report.net ? { net: report.net } : {}),
    });
  }
  report.targets = targets(report);
  const fastestMs = spells.fastestMs();
  if (fastestMs !== null) report.machineSpeed = { reference: SPEED_REFERENCE_WHAT, fastestMs, slowSpell: SLOW_SPELL, retakes: spells.retakes };
  return report;
}

function targets(r: BenchReport): Target[] {
  const t: Target[] = [];
  for (const row of r.engine ?? []) {
    t.push({ name: `engine ${row.workload}: jit / JavaScript`, value: round(row.jit.ratioToJs), limit: '>= 0.30', met: row.jit.ratioToJs >= 0.3 });
    if (row.workload === 'alu') t.push({ name: 'engine alu: jit / interp (speed-up)', value: round(row.jitOverInterp), limit: '>= 5', met: row.jitOverInterp >= 5 });
  }
  const compute = r.macro?.cells.filter((c) => c.workload === 'compute') ?? [];
  for (const [mode, limit] of [['bt', 1.1], ['pv', 1.05], ['hw', 1.05]] as const) {
    const c = compute.find((x) => x.mode === mode);
    if (!c) continue;
    const v = c.ratioToNative.host;
    t.push({ name: `macro compute: ${mode} host time / native`, value: v, limit: `<= ${limit.toFixed(2)}`, met: v === null ? null : v <= limit });
  }
  for (const mode of r.host?.modes ?? []) {
    const v = r.host!.rows.find((x) => x.mode === mode && x.vms === 64)?.ratioToOne ?? null;
    t.push({ name: `host ${mode}: 64 VMs / 1 VM, aggregate guest MIPS`, value: v, limit: '>= 0.90', met: v === null ? null : v >= 0.9 });
  }
  t.push(...(r.net?.targets ?? []));
  return t;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

// --- terminal tables ------------------------------------------------------------

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  let s = `virtlab bench on ${m.cpu} x${m.cores}, node ${m.node} (${m.platform}), ${r.date.slice(0, 10)}` +
    `; guests on ${r.options.engine}, cost model ${r.options.costModel}${r.options.quick ? ', --quick' : ''}\n`;
  if (r.engine) s += '\n' + formatEngine(r.engine);
  if (r.nano) s += '\n' + formatGuestSuite('nano', r.nano, r.options.costModel);
  if (r.paper?.length) s += '\n' + formatPaper(r.paper, r.options.costModel);
  if (r.generations) s += '\n' + formatGenerations(r.generations);
  if (r.macro) s += '\n' + formatGuestSuite('macro', r.macro, r.options.costModel);
  if (r.host) s += '\n' + formatHostSuite(r.host);
  if (r.net) s += '\n' + formatNetSuite(r.net);
  if (r.profiles) s += '\n' + formatProfilesSuite(r.profiles);
  if (r.machineSpeed) s += '\n' + formatMachineSpeed(r.machineSpeed);
  if (r.targets.length) s += '\n' + formatTargets(r.targets);
  return s;
}

export function formatEngine(rows: readonly EngineRow[]): string {
  const sp = (x: string, spread: number | null) => `${x} ${formatSpread(spread)}`.trimEnd();
  return 'engine suite: guest workloads on interp and jit against the same work in plain JavaScript (paging on); CPU time, each with its spread over the rounds\n' + table(
    ['workload', 'guest insns', 'JS ms', 'interp ms', 'jit ms', 'interp MIPS', 'jit MIPS', 'interp/JS', 'jit/JS', 'jit/interp'],
    rows.map((r) => [r.workload, num(r.instructions), sp(r.jsMs.toFixed(3), r.jsSpread), sp(r.interp.ms.toFixed(2), r.interp.msSpread), sp(r.jit.ms.toFixed(2), r.jit.msSpread),
      r.interp.mips.toFixed(0), r.jit.mips.toFixed(0), sp(r.interp.ratioToJs.toFixed(3), r.interp.ratioToJsSpread), sp(r.jit.ratioToJs.toFixed(3), r.jit.ratioToJsSpread),
      sp(r.jitOverInterp.toFixed(1), r.jitOverInterpSpread)])) + spreadLegend(rows.some((r) => r.jsSpread !== null)) + speedLegend(rows.map((r) => r.js.referenceMs));
}

/** What ± and ? mean, under a table of figures over rounds. */
function spreadLegend(measured: boolean): string {
  const pct = Math.round(SPREAD_LIMIT * 100);
  return measured ? `±: the rounds' interquartile range over their median; ? beyond ${pct}%: not reproducible to ±${pct}% in this run\n` : 'one round: no spread measured (--rounds 2 or more prints it)\n';
}

export function formatGuestSuite(suite: string, g: GuestSuiteResult, preset: string): string {
  const workloads = [...new Set(g.cells.map((c) => c.workload))];
  const modes = MODE_COLUMNS.map((c) => c.name).filter((m) => g.cells.some((c) => c.mode === m));
  const cell = (w: string, m: string) => g.cells.find((c) => c.workload === w && c.mode === m);
  const what = suite === 'nano'
    ? 'nano suite: guests/bench/*.s, one event per iteration'
    : 'macro suite: tinyos -D WORKLOAD=n, 3 processes; an iteration is one pass of each process\'s loop';
  let s = `${what}\nhost time per iteration (CPU time, boot subtracted) and ratio to native, each with its spread over the rounds:\n`;
  s += table(['workload', ...modes], workloads.map((w) => [w, ...modes.map((m) => {
    const c = cell(w, m);
    if (!c) return '-';
    if (m === 'native') return `${formatNs(c.host.nsPerIteration)} ${formatSpread(c.host.spread)}`.trimEnd();
    return `${formatNs(c.host.nsPerIteration)} ${ratio(c.ratioToNative.host)} ${formatSpread(c.ratioToNative.hostSpread)}`.trimEnd() + (c.belowNative ? ' *' : '');
  })]));
  s += hostTimeLegend(g);
  s += `modelled cycles per iteration (${preset}) and ratio to native:\n`;
  s += table(['workload', ...modes], workloads.map((w) => [w, ...modes.map((m) => {
    const c = cell(w, m);
    return c ? (m === 'native' ? num(c.cycles.perIteration, 1) : `${num(c.cycles.perIteration, 1)} ${ratio(c.ratioToNative.cycles)}`) : '-';
  })]));
  s += 'counts per iteration: guest instructions / monitor entries (traps + callouts; hw: VM exits):\n';
  s += table(['workload', ...modes], workloads.map((w) => [w, ...modes.map((m) => {
    const c = cell(w, m);
    return c ? `${num(c.counts.machine.instructions ?? 0, 1)} / ${num(monitorEvents(c), 1)}` : '-';
  })]));
  const skipped = [...new Set(g.skipped.map((x) => `${x.mode}: ${x.reason}`))];
  for (const line of skipped) s += `not run under ${line}\n`;
  return s;
}

/** Under a host-time table: what the spread and the marks mean, and why each cell marked * is below native. */
export function hostTimeLegend(g: GuestSuiteResult): string {
  const first = g.cells[0];
  const rounds = first?.host.rounds.length ?? 0;
  let s = rounds > 1
    ? `±: the rounds' interquartile range over their median (${rounds} rounds, each in fresh processes, of ${first!.host.samples} samples taken in turn with native's); ? beyond ${Math.round(SPREAD_LIMIT * 100)}%: not reproducible to ±${Math.round(SPREAD_LIMIT * 100)}% in this run\n`
    : `one round: no spread measured (--rounds 2 or more prints it)\n`;
  for (const c of g.cells) if (c.belowNative) s += `* ${c.workload} ${c.mode} ${ratio(c.ratioToNative.host)}, below native: ${c.belowNative}\n`;
  return s + speedLegend(g.cells.filter((c) => c.mode === 'native').map((c) => c.host.referenceMs ?? null));
}

/** How often the monitor is entered: VM exits under hw; otherwise traps into it (hypercalls included) and translator callouts. */
export function monitorEvents(c: CellResult): number {
  const m = c.counts.monitor;
  if (!m) return 0;
  return round(c.mode.startsWith('hw') ? m.vmExits ?? 0 : (m.traps ?? 0) + (m.callouts ?? 0));
}

export function formatHostSuite(h: HostSuiteResult): string {
  const preset = h.rows[0]?.cost.preset ?? '-';
  return `host suite: N tinyos VMs (-D SMALL, 1 MiB each) on one host, run to completion, on ${h.engine}; ` +
    `aggregate guest MIPS and its ratio to one VM's (a one-VM host timed interleaved in the same process); world switches and their modelled cost (${preset})\n` + table(
    ['mode', 'VMs', 'run ms', 'min-max ms', 'guest MIPS', 'x 1 VM', 'rounds', 'switches', 'switches/s', 'cycles/switch', 'share'],
    h.rows.map((r) => [r.mode, String(r.vms), r.host.ms.toFixed(2), `${r.host.minMs.toFixed(2)}-${r.host.maxMs.toFixed(2)}`, r.mips.toFixed(1),
      `${r.ratioToOne.toFixed(2)} ${formatSpread(r.ratioSpread)}`.trimEnd(), r.ratioRounds.length > 1 ? `${Math.min(...r.ratioRounds).toFixed(2)}-${Math.max(...r.ratioRounds).toFixed(2)}` : '-', num(r.switches), num(r.switchesPerSecond), num(r.cost.perSwitch), `${(r.cost.share * 100).toFixed(1)}%`])) + spreadLegend(h.rows.some((r) => r.ratioSpread !== null));
}

export function formatPaper(rows: readonly PaperRow[], preset: string): string {
  const f = (x: number | null | undefined) => num(x ?? null);
  const cells: string[] = [];
  const ratioOf = (r: PaperRow, col: PaperColumn) => {
    const x = paperRatio(r, col);
    if (x === null) return '-';
    const ok = withinTolerance(x);
    cells.push(ok ? 'ok' : 'out');
    return `×${x < 0.1 ? x.toFixed(3) : x.toFixed(2)}${ok ? '' : ' OUT'}`;
  };
  const orders = rows.map(orderingHolds);
  const body = table(
    ['guest', 'paper native', 'model native', 'ratio', 'paper BT', 'model bt', 'ratio', 'paper HW', 'model hw-noept', 'ratio', 'paper ordering', 'holds'],
    rows.map((r, i) => [r.guest, f(r.paper.native), f(r.model.native), ratioOf(r, 'native'), `${r.paper.btApproximate ? '~' : ''}${f(r.paper.bt)}`, f(r.model.bt), ratioOf(r, 'bt'),
      f(r.paper.hw), f(r.model.hw), ratioOf(r, 'hw'), paperOrdering(r), orders[i] === null ? '-' : orders[i] ? 'yes' : 'NO']));
  const within = cells.filter((c) => c === 'ok').length;
  const judged = orders.filter((o) => o !== null);
  return `nano suite against Adams & Agesen 2006 (Pentium 4 cycles; their HW is first-generation VT-x: compared with hw-noept); model: ${preset}\n` + body +
    `cells within ${PAPER_TOLERANCE}× of the paper: ${within} of ${cells.length} (ratio = model / paper, OUT beyond ${PAPER_TOLERANCE}×); ` +
    `rows ordered as the paper: ${judged.filter((o) => o).length} of ${judged.length}\n`;
}

export function formatMachineSpeed(m: NonNullable<BenchReport['machineSpeed']>): string {
  const n = m.retakes.length;
  return `machine speed: ${m.reference}, fastest ${m.fastestMs.toFixed(3)} ms per run; ` +
    `${n === 0 ? 'no take' : `${n} take${n === 1 ? '' : 's'}`} sampled again for a slow spell (the reference above ${m.slowSpell}× that)` +
    (n === 0 ? '\n' : `: ${m.retakes.map((x) => `${x.where} round ${x.round} (${x.referenceMs.toFixed(2)} ms)`).join(', ')}\n`);
}

export function formatTargets(t: readonly Target[]): string {
  return 'targets (ratios measured in this run):\n' + table(['target', 'measured', 'wanted', 'met'],
    t.map((x) => [x.name, x.value === null ? '-' : x.value.toFixed(3), x.limit, x.met === null ? '?' : x.met ? 'yes' : 'NO'])) +
    t.filter((x) => x.why).map((x) => `not met: ${x.name}: ${x.why}\n`).join('');
}

export function chartOf(r: BenchReport): string {
  const cells: ChartCell[] = [];
  for (const [suite, g] of [['nano', r.nano], ['macro', r.macro]] as const) {
    for (const c of g?.cells ?? []) if (c.mode !== 'native') cells.push({ suite, workload: c.workload, mode: c.mode, ratio: c.ratioToNative.host });
  }
  if (r.net) cells.push(...netChartCells(r.net));
  const m = r.machine;
  return overheadSvg(cells, 'virtlab: host-time overhead relative to native, per mode and workload',
    `${m.cpu} x${m.cores}, node ${m.node}, ${r.date.slice(0, 10)}; guests on ${r.options.engine}; ×1 = native`);
}
