// `virtlab trace`: run a program with one record per instruction and event,
// as aligned text or JSON Lines (docs/trace.md), on stdout or into a file.
// The guest's console output goes to stderr while the trace is on stdout, and
// to stdout when the trace goes to a file. The exit code is the one `run` gives.
// With a host configuration (--host, a .json program, or --vm NAME=FILE:MODE)
// it traces every VM of the host, each record led by its VM's name
// (docs/trace.md, "On a host"); --vm NAME keeps only the named VMs' records.
// With a NIC (--nic, or a host VM's "nic") frames are `frame` records, and a
// --pcap capture is closed once the run ends; with a VF (--nic vf, or "kind":
// "vf") its mailbox messages and IOMMU events are `mailbox` and `iommu` records.
// --format perfetto writes one Chrome trace-event JSON document instead, a
// timeline in modelled cycles (docs/trace.md, "Perfetto timeline").

import { Option, InvalidArgumentError, type Command } from 'commander';
import { MAX_SLICE } from '../host/config.js';
import { Machine } from '../machine/index.js';
import { assemblerInputs } from './assembler-options.js';
import { ExitStatus } from './context.js';
import { buildHost, ConsoleLines, loadHost } from './host-session.js';
import { hostExitCode } from './host-report.js';
import { VM_OPTION_HELP } from './host-shorthand.js';
import { closeSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { PcapFile } from '../net/pcap-file.js';
import { didYouMean } from '../asm/suggest.js';
import {
  callbackSink, EVENT_KINDS, isEventKind, Symbolizer, traceHost, traceRun, TRACE_FORMATS,
  type EventKind, type TraceFormat, type TraceSink,
} from '../trace/index.js';
import { chromeTraceLines, perfettoTrace } from '../trace/perfetto.js';
import type { TimelineInput } from '../trace/perfetto-input.js';
import { timelineHost, timelineRun } from '../trace/perfetto-run.js';
import { resolveCodeAddress } from './code-address.js';
import { UsageError, type CliContext } from './context.js';
import { checkNotInput, openOutput, writeAll } from './files.js';
import { addMachineOptions, hideOptions, machineFromOptions, wholeNumberOption, type MachineOptionValues } from './machine-options.js';
import { finishRun } from './outcome.js';
import { isAssemblySource, loadProgram } from './program.js';
import { addAssemblerOptions, collectAssemblerOptions } from './assembler-options.js';
import { addProfileOption, applyProfile, PROFILE_ON_HOST, type ProfileOptionValues } from './profile-options.js';

/** The record formats, and perfetto: a timeline document rather than one line per record. */
const FORMATS = [...TRACE_FORMATS, 'perfetto'] as const;

interface TraceOpts extends MachineOptionValues, ProfileOptionValues {
  format: TraceFormat | 'perfetto';
  events?: Set<EventKind>;
  limit?: number;
  startAt?: string;
  output?: string;
  define?: string[];
  host?: string;
  vm?: string[];
  slice?: number;
}

export function parseEventKinds(text: string): Set<EventKind> {
  const kinds = new Set<EventKind>();
  for (const raw of text.split(',')) {
    const word = raw.trim();
    if (word === 'all') EVENT_KINDS.forEach((k) => kinds.add(k));
    else if (isEventKind(word)) kinds.add(word);
    else {
      throw new InvalidArgumentError(
        `unknown event kind '${word}'${didYouMean(word, EVENT_KINDS)}; kinds are ${EVENT_KINDS.join(', ')} (or all)`);
    }
  }
  return kinds;
}

/** `virtlab trace` (a --start-at is a symbol of the image, or a 4-aligned address). */
export function registerTrace(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('trace')
    .description('run a program, or every VM of a host, and print one record per instruction and event (text or JSON Lines), or a timeline (perfetto)')
    .argument('[program]', 'ELF image, or assembler source (.s) to assemble first; a .json file is a host configuration (as --host)')
    .addOption(new Option('--format <format>', 'text (aligned, for people), jsonl (one JSON object per line) or perfetto (a timeline for ui.perfetto.dev)')
      .choices(FORMATS).default('text'))
    .option('--events <kinds>', `record kinds to keep, comma-separated: ${EVENT_KINDS.join(',')} (default: all)`, parseEventKinds)
    .option('--limit <n>', 'stop the guest after this many records', wholeNumberOption('a number of records', 1))
    .option('--start-at <symbol|addr>', 'trace from the first time the pc reaches this (runs untraced until then)')
    .option('-o, --output <file>', 'write the trace to a file (the guest console then goes to stdout)')
    .option('--host <config>', 'trace every VM of a host configuration (docs/host.md); each record names its VM')
    .option('--vm <name|spec>', `on a host: keep only this VM's records (repeatable, or comma-separated); a ${VM_OPTION_HELP} adds a VM as \`virtlab host --vm\` does`,
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--slice <n>', 'on a host: guest instructions in a slice of weight 1 (default: the configuration\'s, else 10000)', wholeNumberOption('a number of instructions', 1, MAX_SLICE));
  addProfileOption(addMachineOptions(addAssemblerOptions(cmd)));
  // Only the interpreter makes the per-instruction step records a trace is made of: --engine interp is
  // accepted, jit refused with that reason, and the option kept out of the help.
  hideOptions(cmd, '--engine');
  cmd.action((file: string | undefined, opts: TraceOpts) => {
    if (opts.engine !== 'interp') {
      throw new UsageError(`trace runs on the interpreter only: every record is made from its per-instruction step record (drop --engine ${opts.engine})`);
    }
    const vmArgs = opts.vm ?? [];
    const specs = vmArgs.filter((v) => v.includes('='));
    const names = vmArgs.filter((v) => !v.includes('=')).flatMap((v) => v.split(',').map((n) => n.trim()));
    if (names.includes('')) throw new UsageError('--vm needs the name of a VM (or NAME=FILE:MODE)');
    if (opts.host !== undefined && file !== undefined) throw new UsageError(`give a program or --host CONFIG, not both ('${file}' and '${opts.host}')`);
    const config = opts.host ?? (file !== undefined && /\.json$/i.test(file) ? file : undefined);
    if (opts.format === 'perfetto') checkPerfettoOptions(opts);
    if (config !== undefined || specs.length) {
      if (opts.profile !== undefined) throw new UsageError(PROFILE_ON_HOST);
      traceHostCommand(ctx, cmd, opts, config, specs, names);
      return;
    }
    if (names.length) throw new UsageError(`--vm ${names[0]} keeps the records of a host's VMs: give a host with --host CONFIG (or its VMs with --vm NAME=FILE:MODE)`);
    if (opts.slice !== undefined) throw new UsageError('--slice applies to a host: give one with --host CONFIG');
    if (file === undefined) throw new UsageError('no program: give a program to trace, or a host with --host CONFIG');
    if (opts.output !== undefined) checkNotInput(ctx.cwd, opts.output, file);
    checkPcapNotOutput(ctx, opts);
    const source = collectAssemblerOptions(ctx, opts, file);
    applyProfile(cmd, opts, source.defines, isAssemblySource(file));
    const image = loadProgram(ctx, file, source.defines, source);
    const symbolizer = new Symbolizer(image);
    const startAt = opts.startAt === undefined ? undefined : resolveCodeAddress('--start-at', opts.startAt, symbolizer);
    const { engine, maxSteps, vm, closeNet } = machineFromOptions(ctx, image, opts, opts.output === undefined ? 'stderr' : 'stdout');
    const path = opts.output;
    // Opened before the run: a clear one-line error now if it cannot be written.
    const fd = path === undefined ? undefined : openOutput(ctx.cwd, path);
    const sink: TraceSink = fd === undefined ? callbackSink(ctx.io.out) : callbackSink((text) => writeAll(fd, path!, text));
    let result;
    try {
      if (opts.format === 'perfetto') {
        const t = timelineRun({
          engine, symbolizer, maxSteps, name: basename(file), mode: vm.mode, preset: opts.costModel, run: (n) => vm.run(n),
          ...(vm.monitor ? { monitor: vm.monitor } : {}),
          ...(vm.net ? { net: vm.net } : {}),
        });
        writeTimeline(sink, t.input);
        result = { stop: t.stop, started: true };
      } else result = traceRun({
        engine, symbolizer, sink, format: opts.format, maxSteps,
        ...(vm.monitor ? { monitor: vm.monitor } : {}),
        ...(vm.net ? { net: vm.net } : {}),
        ...(opts.events ? { events: opts.events } : {}),
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        ...(startAt !== undefined ? { startAt } : {}),
      });
    } finally {
      try {
        sink.close();
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }
    closeNet();
    if (!result.started) ctx.io.err(`virtlab: warning: --start-at ${opts.startAt} was never reached; nothing traced\n`);
    finishRun(ctx, result.stop, maxSteps);
  });
}

/**
 * A timeline is built from every record of the whole run, from reset (its time
 * is the modelled cycles since then): options that keep some records, or part
 * of the run, do not apply.
 */
function checkPerfettoOptions(opts: TraceOpts): void {
  const given = [['--events', opts.events], ['--limit', opts.limit], ['--start-at', opts.startAt]].filter(([, v]) => v !== undefined).map(([f]) => f);
  if (given.length) {
    throw new UsageError(`${given.join(', ')} do${given.length === 1 ? 'es' : ''} not apply to --format perfetto: the timeline shows the whole run from reset (bound it with --max-steps; filter in the UI)`);
  }
}

/** The timeline as Chrome trace-event JSON, one event per line. */
function writeTimeline(sink: TraceSink, input: TimelineInput): void {
  for (const line of chromeTraceLines(perfettoTrace(input))) sink.line(line);
}

/** The capture and the trace cannot share a file: each would truncate the other's. */
function checkPcapNotOutput(ctx: CliContext, opts: TraceOpts): void {
  if (opts.pcap !== undefined && opts.output !== undefined && resolve(ctx.cwd, opts.pcap) === resolve(ctx.cwd, opts.output)) {
    throw new UsageError(`--pcap and -o name the same file ('${opts.pcap}'): give each its own`);
  }
}

/** Options of a lone guest's machine, which a host's VMs take from its configuration instead. */
const LONE_ONLY: readonly [string, string][] = [
  ['startAt', '--start-at'], ['mode', '--mode'], ['memory', '--memory'], ['input', '--input'], ['stdin', '--stdin'],
  ['ept', '--no-ept'], ['vpid', '--no-vpid'], ['postedInterrupts', '--no-posted-interrupts'], ['nic', '--nic'], ['mac', '--mac'], ['peer', '--peer'],
];

/** `virtlab trace --host CONFIG` (or --vm NAME=FILE:MODE...): every VM's records, or those of the VMs `names` picks. */
function traceHostCommand(ctx: CliContext, cmd: Command, opts: TraceOpts, config: string | undefined, specs: string[], names: string[]): void {
  const given = LONE_ONLY.filter(([key]) => cmd.getOptionValueSource(key) === 'cli').map(([, flag]) => flag);
  if (given.length) {
    throw new UsageError(`${given.join(', ')} appl${given.length === 1 ? 'ies' : 'y'} to a lone program; a host's VMs take their modes, memory and input from its configuration (docs/host.md)`);
  }
  if (opts.output !== undefined && config !== undefined) checkNotInput(ctx.cwd, opts.output, config);
  const loaded = loadHost(ctx, config, specs, assemblerInputs(ctx.cwd, opts));
  if (opts.output !== undefined) for (const p of loaded.programs) checkNotInput(ctx.cwd, opts.output, p);
  const all = loaded.vms.map((vm) => vm.name);
  if (opts.format === 'perfetto' && names.length) {
    throw new UsageError(`--vm ${names[0]} keeps some VMs' records; a perfetto timeline shows every VM of the host, a process each (hide processes in the UI)`);
  }
  for (const n of names) {
    if (!all.includes(n)) throw new UsageError(`--vm ${n}: no VM of the host is named so${didYouMean(n, all)}; its VMs are ${all.join(', ')}`);
  }
  const lines = new ConsoleLines(opts.output === undefined ? ctx.io.err : ctx.io.out, Math.max(...all.map((n) => n.length)));
  if (opts.pcap !== undefined && !loaded.net) throw new UsageError('--pcap needs a network: give a VM a "nic" in the configuration');
  checkPcapNotOutput(ctx, opts);
  const pcap = opts.pcap === undefined ? undefined : new PcapFile(openOutput(ctx.cwd, opts.pcap), opts.pcap);
  const net = loaded.net && { ...loaded.net, ...(pcap ? { pcap: pcap.writer } : {}) };
  const host = buildHost({
    vms: loaded.vms.map((vm) => ({ ...vm, consoleSink: lines.sink(vm.name) })),
    slice: opts.slice ?? loaded.config.slice,
    onSlice: (vm) => lines.flush(vm.name, false),
    ...(net ? { net } : {}),
  });
  const path = opts.output;
  const fd = path === undefined ? undefined : openOutput(ctx.cwd, path);
  const sink: TraceSink = fd === undefined ? callbackSink(ctx.io.out) : callbackSink((text) => writeAll(fd, path!, text));
  let result;
  try {
    if (opts.format === 'perfetto') {
      const t = timelineHost({ host, maxSteps: opts.maxSteps, preset: opts.costModel });
      writeTimeline(sink, t.input);
      result = t;
    } else result = traceHost({
      host, sink, format: opts.format, maxSteps: opts.maxSteps,
      ...(names.length ? { vms: names } : {}),
      ...(opts.events ? { events: opts.events } : {}),
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    });
  } finally {
    try {
      sink.close();
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  pcap?.close();
  lines.flushAll(host); // a run cut short (--limit, --max-steps) ends inside a slice
  if (result.end === 'limit') return;
  if (result.end === 'budget') {
    const running = host.vms.filter((vm) => !vm.stop).map((vm) => vm.name);
    ctx.io.err(`virtlab: step budget of ${opts.maxSteps} steps used up (raise it with --max-steps); still running: ${running.join(', ')}\n`);
  }
  for (const vm of host.vms) if (vm.stop && vm.stop.kind !== 'halted') ctx.io.err(`virtlab: ${vm.name}: ${Machine.describeStop(vm.stop)}\n`);
  const code = hostExitCode(host, result.end);
  if (code !== 0) throw new ExitStatus(code);
}
