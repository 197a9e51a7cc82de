// `virtlab host CONFIG` (or `--vm NAME=FILE:MODE,...`): several VMs on one
// host (src/host/, docs/host.md). Each VM's console lines go to stdout
// prefixed by its name, in the order the host produced them (a VM's complete
// lines are flushed after each of its slices), or to DIR/NAME.txt with
// --split-console; then a table per VM. --json prints one object instead,
// --stats the counters of each VM on stderr. --trace FILE also writes the
// run's trace, as `virtlab trace --host` does (text, jsonl, or a perfetto
// timeline: docs/trace.md), running the host on the interpreter.

import { closeSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ENGINE_FACTORIES, ENGINE_NAMES, type EngineName } from '../engine/registry.js';
import type { HostVm } from '../host/index.js';
import { MAX_SLICE } from '../host/config.js';
import { COST_PRESET_NAMES, type CostPresetName } from '../vmm/index.js';
import { addAssemblerOptions, assemblerInputs, type AssemblerOptionValues } from './assembler-options.js';
import { PcapFile } from '../net/pcap-file.js';
import { CliError, ExitStatus, UsageError, writeOutput, type CliContext } from './context.js';
import { checkNotInput, fsReason, openOutput, writeAll } from './files.js';
import { callbackSink, traceHost, TRACE_FORMATS, type TraceFormat } from '../trace/index.js';
import { chromeTraceLines, perfettoTrace } from '../trace/perfetto.js';
import { timelineHost } from '../trace/perfetto-run.js';
import type { Host } from '../host/index.js';
import { formatHostStats, formatHostTable, formatNicStats, hostReport } from './host-report.js';
import { VM_OPTION_HELP } from './host-shorthand.js';
import { buildHost, ConsoleLines, loadHost } from './host-session.js';
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
  pcap?: string;
  nicStats?: boolean;
  trace?: string;
  format?: TraceFormat | 'perfetto';
}

const TRACE_FILE_FORMATS = [...TRACE_FORMATS, 'perfetto'] as const;

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
    .option('--nic-stats', 'print the SR-IOV NIC\'s counters per VF (embedded switch, spoof drops, IOMMU faults, mailbox) on stdout')
    .option('--pcap <file>', 'write every frame crossing the wire to FILE in pcap format (tcpdump -r FILE)')
    .option('--trace <file>', 'also write the run\'s trace to FILE, as virtlab trace --host does (runs on the interpreter; docs/trace.md)')
    .addOption(new Option('--format <format>', 'the --trace format: text, jsonl or perfetto (a timeline for ui.perfetto.dev); default text').choices(TRACE_FILE_FORMATS))
    .action((file: string | undefined, opts: HostOpts) => runHost(ctx, file, opts, cmd.getOptionValueSource('engine') === 'cli'));
}

function runHost(ctx: CliContext, file: string | undefined, opts: HostOpts, engineGiven: boolean): void {
  if (opts.format !== undefined && opts.trace === undefined) throw new UsageError('--format is the format of --trace FILE: give one');
  if (opts.trace !== undefined && engineGiven && opts.engine !== 'interp') {
    throw new UsageError(`--trace runs the host on the interpreter: every record is made from its per-instruction step record (drop --engine ${opts.engine})`);
  }
  if (opts.trace !== undefined && opts.pcap !== undefined && resolve(ctx.cwd, opts.trace) === resolve(ctx.cwd, opts.pcap)) {
    throw new UsageError(`--pcap and --trace name the same file ('${opts.pcap}'): give each its own`);
  }
  const loaded = loadHost(ctx, file, opts.vm ?? [], assemblerInputs(ctx.cwd, opts));
  if (opts.trace !== undefined) for (const p of [...(file === undefined ? [] : [file]), ...loaded.programs]) checkNotInput(ctx.cwd, opts.trace, p);
  const slice = opts.slice ?? loaded.config.slice;
  if (opts.splitConsole !== undefined) makeDir(opts.splitConsole, ctx);

  // Live, each VM's console output comes to `lines` as it is written; with --json or
  // --split-console it is captured by the VM's console (consoleText(), output()).
  const live = !opts.json && opts.splitConsole === undefined;
  const lines = live ? new ConsoleLines(ctx.io.out, Math.max(...loaded.vms.map((vm) => vm.name.length))) : undefined;
  const vms = lines ? loaded.vms.map((vm) => ({ ...vm, consoleSink: lines.sink(vm.name) })) : loaded.vms;
  if (opts.pcap !== undefined && !loaded.net) throw new UsageError('--pcap needs a network: give a VM a "nic" in the configuration');
  const pcap = opts.pcap === undefined ? undefined : new PcapFile(openOutput(ctx.cwd, opts.pcap), opts.pcap);
  const net = loaded.net && { ...loaded.net, ...(pcap ? { pcap: pcap.writer } : {}) };
  const host = buildHost({
    vms, slice, engine: ENGINE_FACTORIES[opts.trace === undefined ? opts.engine : 'interp'], ...(net ? { net } : {}),
    ...(lines ? { onSlice: (vm: HostVm) => lines.flush(vm.name, false) } : {}),
  });
  const r = opts.trace === undefined ? host.run(opts.maxSteps) : runTraced(ctx, host, opts, opts.trace);
  pcap?.close();
  if (typeof r.end !== 'string') throw new Error(`host run ended by ${r.end.kind}, which no VM asked for`);
  lines?.flushAll(host);
  const report = hostReport(host, r.end, r.steps, loaded.programs, opts.costModel);
  if (opts.splitConsole !== undefined) {
    for (const vm of host.vms) writeOutput(ctx, join(opts.splitConsole, `${vm.name}.txt`), vm.console.output());
  }
  if (opts.json) ctx.io.out(JSON.stringify(report) + '\n');
  else ctx.io.out((lines?.any ? '\n' : '') + formatHostTable(report, opts.costModel));
  if (opts.stats) ctx.io.err(formatHostStats(host, opts.costModel));
  if (opts.nicStats && !opts.json) ctx.io.out('\n' + formatNicStats(report));
  if (r.end === 'budget') {
    const running = report.vms.filter((v) => v.stopReason === 'running').map((v) => v.name);
    ctx.io.err(`virtlab: step budget of ${opts.maxSteps} steps used up (raise it with --max-steps); still running: ${running.join(', ')}\n`);
  }
  for (const v of report.vms) if (v.message !== null) ctx.io.err(`virtlab: ${v.name}: ${v.message}\n`);
  if (report.exitCode !== 0) throw new ExitStatus(report.exitCode);
}

/** The host's run with its trace written to `path` (opened first: a one-line error if it cannot be). */
function runTraced(ctx: CliContext, host: Host, opts: HostOpts, path: string): { end: 'stopped' | 'budget'; steps: number } {
  const fd = openOutput(ctx.cwd, path);
  const sink = callbackSink((text) => writeAll(fd, path, text));
  try {
    const format = opts.format ?? 'text';
    if (format === 'perfetto') {
      const t = timelineHost({ host, maxSteps: opts.maxSteps, preset: opts.costModel });
      for (const line of chromeTraceLines(perfettoTrace(t.input))) sink.line(line);
      return t;
    }
    const t = traceHost({ host, sink, format, maxSteps: opts.maxSteps });
    // No --limit here: the run ends when every VM stops or the budget runs out.
    if (t.end === 'limit') throw new Error('a host trace without a limit ended by its limit');
    return { end: t.end, steps: t.steps };
  } finally {
    try {
      sink.close();
    } finally {
      closeSync(fd);
    }
  }
}

function makeDir(dir: string, ctx: CliContext): void {
  try {
    mkdirSync(resolve(ctx.cwd, dir), { recursive: true });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists and is not a directory' : fsReason(e);
    throw new CliError(`cannot create '${dir}': ${why}`);
  }
}
