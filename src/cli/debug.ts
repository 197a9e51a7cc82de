// `virtlab debug`: the stepping debugger on a program (.s source or ELF image).
// Commands come from --script FILE, or from stdin: interactive with a `(vl) `
// prompt on a terminal, otherwise read line by line and echoed, so the output
// reads as a transcript. With a host configuration (a .json program, or the
// VMs as --vm NAME=FILE:MODE) the session debugs every VM of the host: one
// run loop schedules them all as `virtlab host` does, and `vm NAME` selects
// the VM the views and new breakpoints work on. See docs/debugger.md.

import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { DebugSession, DEFAULT_HISTORY, isRepeatable, type HostSessionOptions } from '../debug/index.js';
import { MAX_SLICE } from '../host/config.js';
import { addAssemblerOptions, assemblerInputs, collectAssemblerOptions } from './assembler-options.js';
import { buildHost, loadHost } from './host-session.js';
import { VM_OPTION_HELP } from './host-shorthand.js';
import { escapeControls } from '../asm/diagnostics.js';
import { CliError, readInput, UsageError, type CliContext } from './context.js';
import { addMachineOptions, DEFAULT_MEMORY_MIB, hideOptions, machineFromOptions, wholeNumberOption, type MachineOptionValues } from './machine-options.js';
import { checkStdinReadable } from './files.js';
import { inputLines } from './input-lines.js';
import { isAssemblySource, loadProgram } from './program.js';
import { addProfileOption, applyProfile, PROFILE_ON_HOST, type ProfileOptionValues } from './profile-options.js';

export interface DebugOpts extends MachineOptionValues, ProfileOptionValues {
  script?: string;
  history: number;
  strict?: boolean;
  define?: string[];
  /** A host's VMs as NAME=FILE:MODE[,OPTION...] (as `virtlab host --vm`). */
  vm?: string[];
  slice?: number;
}

/** Where commands come from when there is no --script. */
export interface DebugInput {
  stream: NodeJS.ReadableStream;
  /** A terminal: prompt, no echo, Ctrl-C interrupts a running command. */
  interactive: boolean;
}

export function registerDebug(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('debug')
    .description('step through a program, or every VM of a host: breakpoints, watchpoints, registers, memory, and reverse stepping')
    .argument('[program]', 'ELF image, or assembler source (.s) to assemble first; a .json file is a host configuration (every VM of a host)')
    .option('--script <file>', 'read debugger commands from a file instead of stdin')
    .option('--history <steps>', 'how many steps `back` can undo (0 turns it off)', wholeNumberOption('a number of steps', 0), DEFAULT_HISTORY)
    .option('--strict', 'exit with status 1 if any command failed (a breakpoint or watchpoint condition that could not be evaluated counts)')
    .option('--vm <spec>', `a VM of a host, ${VM_OPTION_HELP} as \`virtlab host --vm\` takes it (repeatable, instead of a configuration file)`,
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--slice <n>', 'on a host: guest instructions in a slice of weight 1 (default: the configuration\'s, else 10000)', wholeNumberOption('a number of instructions', 1, MAX_SLICE));
  addProfileOption(addMachineOptions(addAssemblerOptions(cmd)));
  // The session journals every memory write (for `back` and watchpoints), and the jit leaves journaled runs to
  // the interpreter (src/engine/jit/jit.ts): --engine interp is accepted, jit refused with that reason, and the
  // option kept out of the help.
  hideOptions(cmd, '--engine');
  cmd.action(async (file: string | undefined, opts: DebugOpts) => {
    // A directory as standard input would read as empty: say so instead (commands come from stdin without --script).
    if (opts.script === undefined) checkStdinReadable();
    await debugCommand(ctx, file, opts, { stream: process.stdin, interactive: process.stdin.isTTY === true }, cmd);
  });
}

/** `command` (the parsed command line) tells --profile which flags were given, to refuse those that contradict it. */
export async function debugCommand(ctx: CliContext, file: string | undefined, opts: DebugOpts, input: DebugInput, command?: Command): Promise<void> {
  if (opts.engine !== undefined && opts.engine !== 'interp') {
    throw new UsageError(`debug runs on the interpreter only: it journals every memory write for 'back' and watchpoints, which the jit leaves to the interpreter (drop --engine ${opts.engine})`);
  }
  if (opts.stdin && opts.script === undefined) {
    throw new UsageError('--stdin needs --script: without it the debugger reads its commands from standard input');
  }
  const specs = opts.vm ?? [];
  const config = file !== undefined && /\.json$/i.test(file) ? file : undefined;
  const onHost = config !== undefined || specs.length > 0;
  if (onHost && opts.profile !== undefined) throw new UsageError(PROFILE_ON_HOST);
  if (!onHost && file === undefined) throw new UsageError('no program: give a program to debug, or a host (a .json configuration or --vm NAME=FILE:MODE)');
  if (!onHost && opts.slice !== undefined) throw new UsageError('--slice applies to a host: give a .json configuration or --vm NAME=FILE:MODE');
  if (specs.length > 0 && file !== undefined) throw new UsageError(`give a program or the VMs of a host with --vm, not both ('${file}' and --vm ${specs[0]})`);
  const common = {
    maxSteps: opts.maxSteps,
    history: opts.history,
    write: ctx.io.out,
    readSource: (f: string) => {
      try {
        // Shown on the terminal: control bytes in a comment must not drive it (as in diagnostics).
        return readInput(ctx, f).toString('utf8').split('\n').map((line) => escapeControls(line, true)).join('\n');
      } catch {
        return undefined; // `where` then shows no source line
      }
    },
  };
  let closeNet = (): void => {};
  let session: DebugSession;
  if (onHost) {
    session = hostSession(ctx, config, specs, opts, common);
  } else {
    const source = collectAssemblerOptions(ctx, opts, file!);
    applyProfile(command, opts, source.defines, isAssemblySource(file!));
    const image = loadProgram(ctx, file!, source.defines, source);
    const loaded = machineFromOptions(ctx, image, opts, 'capture');
    const { machine, engine, vm } = loaded;
    closeNet = loaded.closeNet;
    session = new DebugSession({
      machine,
      engine,
      image,
      ...(vm.monitor ? { monitor: vm.monitor, reload: () => vm.reset(), directEngine: vm.engine } : {}),
      ...common,
    });
  }
  const script = opts.script === undefined ? undefined : readInput(ctx, opts.script).toString('utf8');
  session.banner(onHost ? config ?? `of ${specs.map((s) => `--vm ${s}`).join(' ')}` : file!);

  let failures = 0;
  const run = async (line: string, echo: boolean): Promise<boolean> => {
    if (echo && line.trim() !== '') session.echo(line);
    const r = await session.executeAsync(line);
    if (!r.ok) failures++;
    return r.quit;
  };

  try {
    if (script !== undefined) {
      for (const line of script.split(/\r?\n/)) if (await run(line, true)) break;
    } else if (input.interactive) {
      await interactiveLoop(ctx, session, input.stream, run);
    } else {
      for await (const line of inputLines(input.stream)) if (await run(line, true)) break;
    }
  } finally {
    closeNet(); // the capture holds every frame the session ran (frames replayed by `back` are in it again)
  }
  if (opts.strict && failures > 0) throw new CliError(`${failures} debugger command${failures === 1 ? '' : 's'} failed`);
}

async function interactiveLoop(
  ctx: CliContext,
  session: DebugSession,
  stream: NodeJS.ReadableStream,
  run: (line: string, echo: boolean) => Promise<boolean>,
): Promise<void> {
  const rl = createInterface({ input: stream, output: process.stdout, terminal: true, prompt: '(vl) ' });
  let running = false;
  let last = '';
  rl.on('SIGINT', () => {
    if (running) session.interrupt();
    else {
      ctx.io.out("\n(type 'quit' or press Ctrl-D to leave)\n");
      rl.prompt();
    }
  });
  rl.prompt();
  for await (const typed of rl) {
    const line = typed.trim() === '' && isRepeatable(last) ? last : typed;
    if (line.trim() !== '') last = line;
    running = true;
    const quit = await run(line, false);
    running = false;
    if (quit) break;
    rl.prompt();
  }
  rl.close();
}

/**
 * A session on a host: the VMs of a configuration file or of --vm specs,
 * loaded as `virtlab host` loads them, their consoles captured (the session
 * prints their lines, and `back` restores them), and each slice's end handed
 * to the session.
 */
export function hostSession(
  ctx: CliContext, config: string | undefined, specs: string[], opts: DebugOpts,
  common: Pick<HostSessionOptions, 'maxSteps' | 'history' | 'write' | 'readSource'>,
): DebugSession {
  // A host's VMs take their modes, memory and input from its configuration.
  const lone = [
    ...(opts.mode !== 'native' ? ['--mode'] : []), ...(opts.memory !== DEFAULT_MEMORY_MIB ? ['--memory'] : []),
    ...(opts.input !== undefined ? ['--input'] : []), ...(opts.stdin ? ['--stdin'] : []),
    ...(opts.ept === false ? ['--no-ept'] : []), ...(opts.vpid === false ? ['--no-vpid'] : []),
    ...(opts.postedInterrupts === false ? ['--no-posted-interrupts'] : []),
    ...(['nic', 'peer', 'mac', 'pcap'] as const).filter((k) => opts[k] !== undefined).map((k) => `--${k}`),
  ];
  if (lone.length) {
    throw new UsageError(`${lone.join(', ')} appl${lone.length === 1 ? 'ies' : 'y'} to a lone program; a host's VMs take their modes, memory, input and network cards from its configuration (docs/host.md)`);
  }
  const loaded = loadHost(ctx, config, specs, assemblerInputs(ctx.cwd, opts));
  let session: DebugSession | undefined;
  const host = buildHost({
    vms: loaded.vms, slice: opts.slice ?? loaded.config.slice, ...(loaded.net ? { net: loaded.net } : {}),
    onSlice: (vm) => session?.sliceEnded(vm),
  });
  session = DebugSession.forHost({ host, ...common });
  return session;
}
