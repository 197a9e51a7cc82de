// `virtlab host CONFIG` (or `--vm NAME=FILE:MODE,...`): several VMs on one
// host (src/host/, docs/host.md). Each VM's console lines go to stdout
// prefixed by its name, in the order the host produced them (a VM's complete
// lines are flushed after each of its slices), or to DIR/NAME.txt with
// --split-console; then a table per VM. --json prints one object instead,
// --stats the counters of each VM on stderr.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Engine } from '../engine/engine.js';
import { ENGINE_FACTORIES, ENGINE_NAMES, type EngineName } from '../engine/registry.js';
import { Host, HostError, type HostVm } from '../host/index.js';
import { MAX_SLICE } from '../host/config.js';
import { LoadError, type Machine } from '../machine/index.js';
import { COST_PRESET_NAMES, LayoutError, type CostPresetName } from '../vmm/index.js';
import { addAssemblerOptions, assemblerInputs, type AssemblerOptionValues } from './assembler-options.js';
import { CliError, ExitStatus, UsageError, writeOutput, type CliContext } from './context.js';
import { fsReason } from './files.js';
import { loadHostVms, readConfigFile, shorthandConfig, type ConfigOrigin } from './host-load.js';
import { formatHostStats, formatHostTable, hostReport } from './host-report.js';
import { parseVmShorthand, VM_OPTION_HELP } from './host-shorthand.js';
import { DEFAULT_MAX_STEPS, wholeNumberOption } from './machine-options.js';

interface HostOpts extends AssemblerOptionValues {
  vm?: string[];
  slice?: number;
  maxSteps: number;
  engine: EngineName;
  costModel: CostPresetName;
  json?: boolean;
  stats?: boolean;
  splitConsole?: string;
}

export function registerHost(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('host')
    .description('run several VMs on one host, each in its own mode (docs/host.md); exits 0 when every VM halted with 0')
    .argument('[config]', 'JSON host configuration (docs/host.md); or give the VMs with --vm');
  addAssemblerOptions(cmd, 'define a symbol when assembling the VMs\' .s programs (repeatable; a VM\'s own defines win)')
    .option('--vm <spec>', `a VM: ${VM_OPTION_HELP}, OPTIONs weight=N, memory=MiB, noept, novpid (repeatable; instead of a config file)`,
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--slice <n>', 'guest instructions in a slice of weight 1 (default: the configuration\'s, else 10000)', wholeNumberOption('a number of instructions', 1, MAX_SLICE))
    .option('--max-steps <n>', 'stop after this many steps of the whole host (all VMs)', wholeNumberOption('a number of steps', 1), DEFAULT_MAX_STEPS)
    .addOption(new Option('--engine <name>', 'what executes guest instructions (interp or jit; docs/machine.md, Engines)').choices(ENGINE_NAMES).default('jit'))
    .addOption(new Option('--cost-model <preset>', 'prices each VM\'s event counts in modelled cycles (docs/cost-model.md)').choices(COST_PRESET_NAMES).default('p4-2006'))
    .option('--split-console <DIR>', 'write each VM\'s console to DIR/NAME.txt instead of prefixed lines on stdout')
    .option('--json', 'print one JSON object (every VM\'s stop, counters, cycles, console) on stdout')
    .option('--stats', 'print each VM\'s counters on stderr, as run --stats does')
    .action((file: string | undefined, opts: HostOpts) => runHost(ctx, file, opts));
}

function runHost(ctx: CliContext, file: string | undefined, opts: HostOpts): void {
  const specs = opts.vm ?? [];
  if (file !== undefined && specs.length) throw new UsageError('give the VMs in a configuration file or with --vm, not both');
  if (file === undefined && !specs.length) throw new UsageError('no VMs: give a configuration file or --vm NAME=FILE:MODE');
  const asm = assemblerInputs(ctx.cwd, opts);
  let loaded;
  if (file !== undefined) {
    const origin: ConfigOrigin = { file };
    const { config, positions } = readConfigFile(ctx, file);
    loaded = loadHostVms(ctx, origin, config, asm, positions);
  } else {
    const config = shorthandConfig(ctx, specs, specs.map(parseVmShorthand));
    loaded = loadHostVms(ctx, { shorthand: specs }, config, asm);
  }
  const slice = opts.slice ?? loaded.config.slice;
  if (opts.splitConsole !== undefined) makeDir(opts.splitConsole, ctx);

  const live = !opts.json && opts.splitConsole === undefined;
  let lines: ConsoleLines | undefined;
  let host: Host | undefined;
  const engine = (m: Machine): Engine => afterEachRun(ENGINE_FACTORIES[opts.engine](m), () => {
    const vm = host?.running();
    if (vm) lines?.flush(vm, false);
  });
  try {
    host = new Host({ vms: loaded.vms, slice, engine });
  } catch (e) {
    if (e instanceof HostError || e instanceof LayoutError || e instanceof LoadError) throw new CliError(`cannot build the host: ${e.message}`);
    throw e;
  }
  if (live) lines = new ConsoleLines(ctx, host.vms, Math.max(...host.vms.map((vm) => vm.name.length)));
  const r = host.run(opts.maxSteps);
  if (typeof r.end !== 'string') throw new Error(`host run ended by ${r.end.kind}, which no VM asked for`);
  if (lines) for (const vm of host.vms) lines.flush(vm, true);
  const report = hostReport(host, r.end, r.steps, loaded.programs, opts.costModel);
  if (opts.splitConsole !== undefined) {
    for (const vm of host.vms) writeOutput(ctx, join(opts.splitConsole, `${vm.name}.txt`), vm.console.output());
  }
  if (opts.json) ctx.io.out(JSON.stringify(report) + '\n');
  else ctx.io.out((lines?.any ? '\n' : '') + formatHostTable(report, opts.costModel));
  if (opts.stats) ctx.io.err(formatHostStats(host, opts.costModel));
  if (r.end === 'budget') {
    const running = report.vms.filter((v) => v.stopReason === 'running').map((v) => v.name);
    ctx.io.err(`virtlab: step budget of ${opts.maxSteps} steps used up (raise it with --max-steps); still running: ${running.join(', ')}\n`);
  }
  for (const v of report.vms) if (v.message !== null) ctx.io.err(`virtlab: ${v.name}: ${v.message}\n`);
  if (report.exitCode !== 0) throw new ExitStatus(report.exitCode);
}

function makeDir(dir: string, ctx: CliContext): void {
  try {
    mkdirSync(resolve(ctx.cwd, dir), { recursive: true });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists and is not a directory' : fsReason(e);
    throw new CliError(`cannot create '${dir}': ${why}`);
  }
}

/** The engine, calling `after` when each run returns: the host runs one slice per engine run. */
function afterEachRun(engine: Engine, after: () => void): Engine {
  return {
    name: engine.name,
    machine: engine.machine,
    step: () => engine.step(),
    run: (budget) => {
      const r = engine.run(budget);
      after();
      return r;
    },
  };
}

/**
 * Each VM's complete console lines, prefixed by its name, as they appear. The
 * bytes are taken as the VM writes them (its console backend's write,
 * wrapped), not by copying its whole captured output after every slice, which
 * would cost time quadratic in the output of a chatty guest.
 */
class ConsoleLines {
  any = false;
  private readonly pending = new Map<HostVm, number[]>();
  private readonly decoder = new TextDecoder();

  constructor(private readonly ctx: CliContext, vms: readonly HostVm[], private readonly width: number) {
    for (const vm of vms) {
      const bytes: number[] = [];
      this.pending.set(vm, bytes);
      const { backend, console } = vm;
      const write = backend.write;
      backend.write = (reg, value) => {
        const before = console.save().outputLength;
        write(reg, value);
        if (console.save().outputLength !== before) bytes.push(value & 0xff); // a byte the console took
      };
    }
  }

  /** Print the lines `vm` completed since the last flush; `all`: also an unfinished last line. */
  flush(vm: HostVm, all: boolean): void {
    const bytes = this.pending.get(vm)!;
    const end = all ? bytes.length : bytes.lastIndexOf(10) + 1;
    if (end === 0) return;
    const lines = this.decoder.decode(Uint8Array.from(bytes.splice(0, end))).replace(/\n$/, '').split('\n');
    this.any = true;
    this.ctx.io.out(lines.map((l) => `${vm.name.padEnd(this.width)} | ${l}\n`).join(''));
  }
}
