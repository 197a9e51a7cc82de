// `virtlab trace`: run a program with one record per instruction and event,
// as aligned text or JSON Lines (docs/trace.md), on stdout or into a file.
// The guest's console output goes to stderr while the trace is on stdout, and
// to stdout when the trace goes to a file. The exit code is the one `run` gives.

import { Option, InvalidArgumentError, type Command } from 'commander';
import { closeSync } from 'node:fs';
import { didYouMean } from '../asm/suggest.js';
import {
  callbackSink, EVENT_KINDS, isEventKind, Symbolizer, traceRun, TRACE_FORMATS,
  type EventKind, type TraceFormat, type TraceSink,
} from '../trace/index.js';
import { resolveCodeAddress } from './code-address.js';
import { UsageError, type CliContext } from './context.js';
import { checkNotInput, openOutput, writeAll } from './files.js';
import { addMachineOptions, hideOptions, machineFromOptions, wholeNumberOption, type MachineOptionValues } from './machine-options.js';
import { finishRun } from './outcome.js';
import { loadProgram } from './program.js';
import { addAssemblerOptions, collectAssemblerOptions } from './assembler-options.js';

interface TraceOpts extends MachineOptionValues {
  format: TraceFormat;
  events?: Set<EventKind>;
  limit?: number;
  startAt?: string;
  output?: string;
  define?: string[];
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
    .description('run a program and print one record per instruction and event (text or JSON Lines)')
    .argument('<program>', 'ELF image, or assembler source (.s) to assemble first')
    .addOption(new Option('--format <format>', 'text (aligned, for people) or jsonl (one JSON object per line)')
      .choices(TRACE_FORMATS).default('text'))
    .option('--events <kinds>', `record kinds to keep, comma-separated: ${EVENT_KINDS.join(',')} (default: all)`, parseEventKinds)
    .option('--limit <n>', 'stop the guest after this many records', wholeNumberOption('a number of records', 1))
    .option('--start-at <symbol|addr>', 'trace from the first time the pc reaches this (runs untraced until then)')
    .option('-o, --output <file>', 'write the trace to a file (the guest console then goes to stdout)');
  addMachineOptions(addAssemblerOptions(cmd));
  // Only the interpreter makes the per-instruction step records a trace is made of: --engine interp is
  // accepted, jit refused with that reason, and the option kept out of the help.
  hideOptions(cmd, '--engine');
  cmd.action((file: string, opts: TraceOpts) => {
    if (opts.engine !== 'interp') {
      throw new UsageError(`trace runs on the interpreter only: every record is made from its per-instruction step record (drop --engine ${opts.engine})`);
    }
    if (opts.output !== undefined) checkNotInput(ctx.cwd, opts.output, file);
    const source = collectAssemblerOptions(ctx, opts, file);
    const image = loadProgram(ctx, file, source.defines, source);
    const symbolizer = new Symbolizer(image);
    const startAt = opts.startAt === undefined ? undefined : resolveCodeAddress('--start-at', opts.startAt, symbolizer);
    const { engine, maxSteps, vm } = machineFromOptions(ctx, image, opts, opts.output === undefined ? 'stderr' : 'stdout');
    const path = opts.output;
    // Opened before the run: a clear one-line error now if it cannot be written.
    const fd = path === undefined ? undefined : openOutput(ctx.cwd, path);
    const sink: TraceSink = fd === undefined ? callbackSink(ctx.io.out) : callbackSink((text) => writeAll(fd, path!, text));
    let result;
    try {
      result = traceRun({
        engine, symbolizer, sink, format: opts.format, maxSteps,
        ...(vm.monitor ? { monitor: vm.monitor } : {}),
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
    if (!result.started) ctx.io.err(`virtlab: warning: --start-at ${opts.startAt} was never reached; nothing traced\n`);
    finishRun(ctx, result.stop, maxSteps);
  });
}
