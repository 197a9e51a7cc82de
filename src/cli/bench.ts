// `virtlab bench`: the benchmark suites (bench/: engine, nano, macro, host, net), their
// tables on stdout with progress on stderr, --json FILE and --svg FILE. Each
// cell is measured in a fresh Node process (bench/fork.ts) unless --no-fork.
// --compare A.json B.json checks two runs' host-time cells against ±10%.
// `npm run bench` runs the same command (bench/run.ts). docs/benchmarks.md.

import { Option, type Command } from 'commander';
import { ENGINE_NAMES, type EngineName } from '../engine/registry.js';
import { COST_PRESET_NAMES, type CostPresetName } from '../vmm/index.js';
import { MACRO, NANO } from '../../bench/guest-workloads.js';
import { WORKLOADS } from '../../bench/workloads.js';
import { HOST_WORKLOAD } from '../../bench/host-cell.js';
import { NET_WORKLOAD } from '../../bench/net-workloads.js';
import { chartOf, formatReport, runBench, SUITE_NAMES, type SuiteName } from '../../bench/suites.js';
import { runProfilesBench } from './bench-profiles.js';
import { CliError, ExitStatus, readInput, UsageError, writeOutput, type CliContext } from './context.js';
import { compareReports, formatComparison } from '../../bench/compare.js';
import type { Clock } from '../../bench/machine-speed.js';
import { SPREAD_LIMIT } from '../../bench/spread.js';
import { checkWritable } from './files.js';
import { parseNumber, wholeNumberProblem } from './numbers.js';

interface BenchOpts {
  suite: SuiteName | 'profiles';
  engine: EngineName;
  hostEngine: EngineName;
  costModel: CostPresetName;
  json?: string;
  svg?: string;
  quick?: boolean;
  only?: string;
  fork: boolean;
  rounds?: string;
  compare?: string[];
  clock: Clock;
}

/** Rounds by default (each cell in a fresh process each round): docs/benchmarks.md, "Host time", for the measurements behind it. */
const DEFAULT_ROUNDS = 5;
/** Samples of each nano and macro cell per round, taken in turn with the workload's other modes. */
const DEFAULT_SAMPLES = 10;
const QUICK_SAMPLES = 2;
const MAX_ROUNDS = 20;

export function registerBench(program: Command, ctx: CliContext): void {
  program
    .command('bench')
    .description('run the benchmark suites: engines against JavaScript, nanobenchmarks and tinyos workloads under every mode, many VMs on one host, network cards')
    .addOption(new Option('--suite <name>', 'engine: interp and jit against plain JavaScript; nano: guests/bench under every mode; macro: tinyos workloads under every mode; host: 1, 2, 8 and 64 small tinyos VMs on one host per mode; net: each NIC under each mode, VM to wire and VM to VM; profiles: the EC2 profiles\' overhead per dimension (docs/profiles.md); all: every suite')
      .choices([...SUITE_NAMES, 'profiles']).default('all'))
    .addOption(new Option('--engine <name>', 'the engine the nano, macro and net suites run on').choices(ENGINE_NAMES).default('jit'))
    .addOption(new Option('--host-engine <name>', 'the engine the host suite runs on (interp: the jit compiles each VM\'s copy of the kernel apart; docs/benchmarks.md)').choices(ENGINE_NAMES).default('interp'))
    .addOption(new Option('--cost-model <preset>', 'prices the counts in modelled cycles (docs/cost-model.md)').choices(COST_PRESET_NAMES).default('p4-2006'))
    .option('--json <file>', 'also write every figure as JSON')
    .option('--svg <file>', 'also write a bar chart of the overhead relative to native (SVG)')
    .option('--quick', 'fewer iterations and shorter samples (a smoke run; the figures are rough)')
    .option('--only <names>', 'only these workloads or guests, comma-separated (e.g. in,callret; tinyos: the host suite; net: the net suite)')
    .option('--rounds <n>', 'rounds: each cell measured in a fresh process each round; host time is the rounds\' median, printed with their spread (default 5; 1 with --quick)')
    .option('--compare <files...>', 'measure nothing: compare the host-time cells of two --json reports (A B), each cell\'s change and whether it is within ±10%; exit 1 when one is not')
    .addOption(new Option('--clock <clock>', 'with --compare: judge the figures of this clock (cpu: CPU time of the process, as the tables print; wall: the monotonic clock, from the same samples)').choices(['cpu', 'wall']).default('cpu'))
    .option('--no-fork', 'measure every cell in this process instead of each in a fresh one (faster, for debugging; later cells then run slower: V8\'s type feedback is shared)')
    .action(async (opts: BenchOpts) => {
      if (opts.compare !== undefined) {
        compare(ctx, opts.compare, opts.clock);
        return;
      }
      const only = opts.only === undefined ? undefined : opts.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (only && only.length === 0) throw new UsageError('--only needs at least one workload name');
      if (only) checkNames(only);
      const problem = opts.rounds === undefined ? undefined : wholeNumberProblem(opts.rounds, 'a number of rounds', 1, MAX_ROUNDS);
      if (problem !== undefined) throw new UsageError(`bad --rounds '${opts.rounds}': ${problem}`);
      const rounds = opts.rounds === undefined ? (opts.quick ? 1 : DEFAULT_ROUNDS) : parseNumber(opts.rounds.trim())!;
      // The files are written after the whole run: find out now whether they can be.
      for (const path of [opts.json, opts.svg]) if (path !== undefined) checkWritable(ctx.cwd, path);
      if (opts.suite === 'profiles') {
        if (only) throw new UsageError('--only does not apply to --suite profiles (it measures fixed workloads per dimension)');
        await runProfilesBench(ctx, {
          engine: opts.engine, costModel: opts.costModel, quick: opts.quick === true, fork: opts.fork, rounds, samples: opts.quick ? QUICK_SAMPLES : DEFAULT_SAMPLES,
          ...(opts.json ? { json: opts.json } : {}), ...(opts.svg ? { svg: opts.svg } : {}),
        });
        return;
      }
      const report = await runBench({
        suite: opts.suite, engine: opts.engine, hostEngine: opts.hostEngine, costModel: opts.costModel, quick: opts.quick === true, fork: opts.fork, rounds,
        samples: opts.quick ? QUICK_SAMPLES : DEFAULT_SAMPLES,
        ...(only ? { only } : {}),
        log: (s) => ctx.io.err(s + '\n'),
      });
      ctx.io.out(formatReport(report));
      if (opts.json) writeOutput(ctx, opts.json, JSON.stringify(report, null, 2) + '\n');
      if (opts.svg) writeOutput(ctx, opts.svg, chartOf(report));
    });
}

/** --compare A B: the table on stdout; exit 1 when a cell moved beyond ±10%. */
function compare(ctx: CliContext, files: readonly string[], clock: Clock): void {
  if (files.length !== 2) throw new UsageError(`--compare takes two --json reports (A B), got ${files.length}`);
  const reports = files.map((f) => {
    const text = readInput(ctx, f).toString('utf8');
    let r: unknown;
    try {
      r = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${f}: not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof r !== 'object' || r === null || Array.isArray(r) || !('machine' in r) || !('options' in r)) throw new CliError(`${f}: not a virtlab bench --json report (no machine, options)`);
    return r as Record<string, unknown>;
  });
  const c = compareReports(reports[0]!, reports[1]!, SPREAD_LIMIT, clock);
  if (c.compared === 0) throw new CliError(`${files[0]} and ${files[1]} have no host-time cell${clock === 'wall' ? ' by the wall clock' : ''} in common`);
  ctx.io.out(formatComparison(c, [files[0]!, files[1]!]));
  // The other clock's verdict on the same samples, in one line (docs/benchmarks.md, "Which clock").
  const other: Clock = clock === 'cpu' ? 'wall' : 'cpu';
  const o = compareReports(reports[0]!, reports[1]!, SPREAD_LIMIT, other);
  if (o.compared > 0) ctx.io.out(`by the ${other === 'wall' ? 'wall clock' : 'CPU clock'} (the same samples; --clock ${other}): ${o.within} of ${o.compared} within ±${Math.round(SPREAD_LIMIT * 100)}%\n`);
  const [oa, ob] = reports.map((r) => (typeof r.options === 'object' && r.options !== null ? r.options as Record<string, unknown> : {}));
  const differ = ['engine', 'costModel', 'quick', 'rounds', 'samples', 'clock'].filter((k) => JSON.stringify(oa![k]) !== JSON.stringify(ob![k]));
  if (differ.length) ctx.io.out(`note: the two runs differ in ${differ.map((k) => `${k} (${JSON.stringify(oa![k]) ?? '-'} / ${JSON.stringify(ob![k]) ?? '-'})`).join(', ')}\n`);
  if (c.rows.some((r) => r.within === false)) throw new ExitStatus(1);
}

function checkNames(names: readonly string[]): void {
  const known = new Set([...WORKLOADS.map((w) => w.name), ...NANO.map((w) => w.name), ...MACRO.map((w) => w.name), HOST_WORKLOAD, NET_WORKLOAD]);
  const bad = names.find((n) => !known.has(n));
  if (bad !== undefined) throw new UsageError(`unknown workload '${bad}' for --only (known: ${[...known].join(', ')})`);
}
