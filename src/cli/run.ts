// `virtlab run`: load a program (assembling a .s on the fly), run it on the
// bare machine and exit with its halt code (see outcome.ts for the other ways a
// run ends). --stats prints the counters on stderr; --json prints one object
// on stdout with the console output captured into it.

import type { Command } from 'commander';
import { CAUSE } from '../isa/index.js';
import type { Counters, Stop } from '../machine/index.js';
import type { CostReport, ModeName, MonitorCounters, Vm } from '../vmm/index.js';
import { trapName } from '../trace/convert.js';
import { addAssemblerOptions, collectAssemblerOptions } from './assembler-options.js';
import type { CliContext } from './context.js';
import { addMachineOptions, machineFromOptions, type MachineOptionValues } from './machine-options.js';
import { exitCodeOf, finishRun, stopMessage } from './outcome.js';
import { formatPerIteration, measurePerIteration, withStdinOnce, type PerIterationReport } from './per-iteration.js';
import { isAssemblySource, loadProgram } from './program.js';
import { addProfileOption, applyProfile, type ProfileOptionValues } from './profile-options.js';
import { formatDevices, formatVmNet, vmNetReports } from './net-report.js';
import type { NetReport } from '../network/report.js';
import { formatRunStats } from './stats.js';

interface RunOpts extends MachineOptionValues, ProfileOptionValues {
  stats?: boolean;
  json?: boolean;
  define?: string[];
  devices?: boolean;
}

/** The --json object. */
export interface RunReport {
  exitCode: number;
  stopReason: Stop['kind'];
  /** The value `halt` was given (signed 32-bit), or null when the guest did not halt. */
  haltCode: number | null;
  /** One-line reason when the guest did not halt, else null. */
  message: string | null;
  trap: { cause: number; code: number; name: string; pc: number; epc: number; faultaddr: number | null } | null;
  steps: number;
  mode: ModeName;
  /** The engine that ran it (`--engine`; identical counters on every engine). */
  engine: string;
  counters: Counters;
  /** The monitor's counters; null natively. */
  monitor: MonitorCounters | null;
  /** Modelled cycles under the --cost-model preset. */
  cost: CostReport;
  console: string;
  /** Each NIC's packets and their costs (src/network/report.ts); null without --nic. */
  net: NetReport[] | null;
  /** Only for a nanobenchmark (an image with BENCH_ITERATIONS): counts and modelled cycles per iteration (per-iteration.ts). */
  perIteration?: PerIterationReport;
}

export function registerRun(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('run')
    .description('run a program on the bare machine or under the monitor (--mode); exits with its halt code')
    .argument('<program>', 'ELF image, or assembler source (.s) to assemble first');
  addProfileOption(addMachineOptions(addAssemblerOptions(cmd), { engine: 'jit' }))
    .option('--stats', 'print the event counters on stderr after the run')
    .option('--json', 'print one JSON object (stop reason, counters, console output) on stdout')
    .option('--devices', 'print the PCI functions the guest can see (as lspci) on stderr before the run')
    .action((file: string, opts: RunOpts, command: Command) => {
      const c = withStdinOnce(ctx); // a nanobenchmark's baseline run reads the same input
      const source = collectAssemblerOptions(c, opts, file);
      const { defines } = source;
      applyProfile(command, opts, defines, isAssemblySource(file));
      const image = loadProgram(c, file, defines, source);
      const { vm, engine, maxSteps, closeNet } = machineFromOptions(c, image, opts, opts.json ? 'capture' : 'stdout');
      if (opts.devices) ctx.io.err(formatDevices(vm));
      const { stop } = engine.run(maxSteps);
      closeNet();
      const perIteration = opts.json || opts.stats
        ? measurePerIteration({ ctx: c, file, defines, search: source, image, stats: vm.stats(opts.costModel), stop, opts })
        : undefined;
      if (opts.json) ctx.io.out(JSON.stringify({ ...runReport(vm, stop, maxSteps, opts), ...(perIteration ? { perIteration } : {}) }) + '\n');
      if (opts.stats) ctx.io.err(formatRunStats(vm, opts.costModel) + formatVmNet(vm) + (perIteration ? formatPerIteration(perIteration) : ''));
      finishRun(ctx, stop, maxSteps);
    });
}

export function runReport(vm: Vm, stop: Stop, maxSteps: number, opts: Pick<MachineOptionValues, 'costModel'>): RunReport {
  const machine = vm.machine;
  const stats = vm.stats(opts.costModel);
  return {
    exitCode: exitCodeOf(stop),
    stopReason: stop.kind,
    haltCode: stop.kind === 'halted' ? stop.code | 0 : null,
    message: stopMessage(stop, maxSteps) ?? null,
    trap: stop.kind === 'trap'
      ? {
        cause: stop.cause >>> 0, code: stop.cause & CAUSE.CODE_MASK, name: trapName(stop.cause),
        pc: stop.pc >>> 0, epc: stop.epc >>> 0, faultaddr: stop.faultaddr === undefined ? null : stop.faultaddr >>> 0,
      }
      : null,
    steps: machine.counters.steps,
    mode: vm.mode,
    engine: vm.engine.name,
    counters: stats.machine,
    monitor: stats.monitor ?? null,
    cost: stats.cost,
    console: vm.consoleText(),
    net: vm.net ? vmNetReports(vm) : null,
  };
}
