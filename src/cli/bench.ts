// `virtlab bench`: the benchmark suites (bench/: engine, nano, macro, host, net), their
// tables on stdout with progress on stderr, --json FILE and --svg FILE. Each
// cell is measured in a fresh Node process (bench/fork.ts) unless --no-fork.
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
import { UsageError, writeOutput, type CliContext } from './context.js';
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
}

/** Measurements per cell by default: on this shared host about half of all processes run slowed down, and the fastest of five rarely is one. */
const DEFAULT_ROUNDS = 5;
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
    .option('--rounds <n>', 'times each cell is measured (each time in a fresh process), the fastest kept (default 5; 1 with --quick)')
    .option('--no-fork', 'measure every cell in this process instead of each in a fresh one (faster, for debugging; later cells then run slower: V8\'s type feedback is shared)')
    .action((opts: BenchOpts) => {
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
        runProfilesBench(ctx, { engine: opts.engine, costModel: opts.costModel, quick: opts.quick === true, fork: opts.fork, rounds, ...(opts.json ? { json: opts.json } : {}), ...(opts.svg ? { svg: opts.svg } : {}) });
        return;
      }
      const report = runBench({
        suite: opts.suite, engine: opts.engine, hostEngine: opts.hostEngine, costModel: opts.costModel, quick: opts.quick === true, fork: opts.fork, rounds,
        ...(only ? { only } : {}),
        log: (s) => ctx.io.err(s + '\n'),
      });
      ctx.io.out(formatReport(report));
      if (opts.json) writeOutput(ctx, opts.json, JSON.stringify(report, null, 2) + '\n');
      if (opts.svg) writeOutput(ctx, opts.svg, chartOf(report));
    });
}

function checkNames(names: readonly string[]): void {
  const known = new Set([...WORKLOADS.map((w) => w.name), ...NANO.map((w) => w.name), ...MACRO.map((w) => w.name), HOST_WORKLOAD, NET_WORKLOAD]);
  const bad = names.find((n) => !known.has(n));
  if (bad !== undefined) throw new UsageError(`unknown workload '${bad}' for --only (known: ${[...known].join(', ')})`);
}
