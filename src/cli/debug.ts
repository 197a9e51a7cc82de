// `virtlab debug`: the stepping debugger on a program (.s source or ELF image).
// Commands come from --script FILE, or from stdin: interactive with a `(vl) `
// prompt on a terminal, otherwise read line by line and echoed, so the output
// reads as a transcript. See docs/debugger.md.

import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { DebugSession, DEFAULT_HISTORY, isRepeatable } from '../debug/index.js';
import { addAssemblerOptions, collectAssemblerOptions } from './assembler-options.js';
import { escapeControls } from '../asm/diagnostics.js';
import { CliError, readInput, UsageError, type CliContext } from './context.js';
import { addMachineOptions, hideOptions, machineFromOptions, wholeNumberOption, type MachineOptionValues } from './machine-options.js';
import { checkStdinReadable } from './files.js';
import { inputLines } from './input-lines.js';
import { loadProgram } from './program.js';

export interface DebugOpts extends MachineOptionValues {
  script?: string;
  history: number;
  strict?: boolean;
  define?: string[];
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
    .description('step through a program: breakpoints, watchpoints, registers, memory, and reverse stepping')
    .argument('<program>', 'ELF image, or assembler source (.s) to assemble first')
    .option('--script <file>', 'read debugger commands from a file instead of stdin')
    .option('--history <steps>', 'how many steps `back` can undo (0 turns it off)', wholeNumberOption('a number of steps', 0), DEFAULT_HISTORY)
    .option('--strict', 'exit with status 1 if any command failed (a breakpoint or watchpoint condition that could not be evaluated counts)');
  addMachineOptions(addAssemblerOptions(cmd));
  // The session journals every memory write (for `back` and watchpoints), and the jit leaves journaled runs to
  // the interpreter (src/engine/jit/jit.ts): --engine interp is accepted, jit refused with that reason, and the
  // option kept out of the help.
  hideOptions(cmd, '--engine');
  cmd.action(async (file: string, opts: DebugOpts) => {
    // A directory as standard input would read as empty: say so instead (commands come from stdin without --script).
    if (opts.script === undefined) checkStdinReadable();
    await debugCommand(ctx, file, opts, { stream: process.stdin, interactive: process.stdin.isTTY === true });
  });
}

export async function debugCommand(ctx: CliContext, file: string, opts: DebugOpts, input: DebugInput): Promise<void> {
  if (opts.engine !== undefined && opts.engine !== 'interp') {
    throw new UsageError(`debug runs on the interpreter only: it journals every memory write for 'back' and watchpoints, which the jit leaves to the interpreter (drop --engine ${opts.engine})`);
  }
  if (opts.stdin && opts.script === undefined) {
    throw new UsageError('--stdin needs --script: without it the debugger reads its commands from standard input');
  }
  const source = collectAssemblerOptions(ctx, opts, file);
  const image = loadProgram(ctx, file, source.defines, source);
  const script = opts.script === undefined ? undefined : readInput(ctx, opts.script).toString('utf8');
  const { machine, engine, vm } = machineFromOptions(ctx, image, opts, 'capture');
  const session = new DebugSession({
    machine,
    engine,
    image,
    ...(vm.monitor ? { monitor: vm.monitor, reload: () => vm.reset(), directEngine: vm.engine } : {}),
    maxSteps: opts.maxSteps,
    history: opts.history,
    write: ctx.io.out,
    readSource: (f) => {
      try {
        // Shown on the terminal: control bytes in a comment must not drive it (as in diagnostics).
        return readInput(ctx, f).toString('utf8').split('\n').map((line) => escapeControls(line, true)).join('\n');
      } catch {
        return undefined; // `where` then shows no source line
      }
    },
  });
  session.banner(file);

  let failures = 0;
  const run = async (line: string, echo: boolean): Promise<boolean> => {
    if (echo && line.trim() !== '') session.echo(line);
    const r = await session.executeAsync(line);
    if (!r.ok) failures++;
    return r.quit;
  };

  if (script !== undefined) {
    for (const line of script.split(/\r?\n/)) if (await run(line, true)) break;
  } else if (input.interactive) {
    await interactiveLoop(ctx, session, input.stream, run);
  } else {
    for await (const line of inputLines(input.stream)) if (await run(line, true)) break;
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
