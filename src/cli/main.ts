// Entry point of the `virtlab` command line (bin/virtlab.js calls main).
// Every failure ends here as one line on stderr and an exit code:
//   0 success, 1 error, 2 usage error, 70 internal error (a bug: EX_SOFTWARE).

import { Command, CommanderError } from 'commander';
import { ElfError } from '../elf/error.js';
import { COMMANDS } from './commands.js';
import { CliError, ExitStatus, type CliContext, type CliIo } from './context.js';
import { readStdinBounded } from './files.js';
import { packageVersion } from './version.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** How every number on the command line is written (numbers.ts), shown under every --help. */
const NUMBERS_HELP = [
  'Numbers (option values, -D values, addresses) are written in decimal, 0x hex,',
  '0b binary or 0o octal, with an optional sign: 100000, 0x186a0, 0b1010, 0o17.',
  'Not accepted: exponents (1e5), fractions, digit separators (100_000). Leading',
  'zeros are decimal (010 is ten).',
].join('\n');

export interface MainOptions extends Partial<CliIo> {
  cwd?: string;
  /** Standard input for --stdin (default: the process's, read to the end). */
  stdin?: () => Uint8Array;
}

/** Run the CLI on `argv` as process.argv spells it (node, script, args...); resolves to the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const ctx: CliContext = {
    io: {
      out: options.out ?? ((s) => { process.stdout.write(s); }),
      err: options.err ?? ((s) => { process.stderr.write(s); }),
    },
    cwd: options.cwd ?? process.cwd(),
    readStdin: options.stdin ?? (() => readStdinBounded()),
  };
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'node' });
    return EXIT_OK;
  } catch (e) {
    const { message, code } = describeFailure(e);
    if (message !== undefined) ctx.io.err(`virtlab: ${message}\n`);
    return code;
  }
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('virtlab')
    .description('a laboratory for CPU virtualization: assembler, emulator and monitor for a small 32-bit ISA')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: ctx.io.out,
      writeErr: ctx.io.err,
      outputError: () => {}, // main() prints commander's errors itself, on one line
    })
    .showSuggestionAfterError(true);
  // Subcommands created by program.command() inherit the settings above.
  for (const register of COMMANDS) register(program, ctx);
  program.addHelpText('afterAll', `\n${NUMBERS_HELP}`);
  return program;
}

function describeFailure(e: unknown): { message?: string; code: number } {
  if (e instanceof CommanderError) {
    switch (e.code) {
      case 'commander.helpDisplayed': case 'commander.version': return { code: EXIT_OK };
      // Help asked for (`virtlab help asm`) exits 0; help shown because no command was given exits as a usage error.
      case 'commander.help': return { code: e.exitCode === 0 ? EXIT_OK : EXIT_USAGE };
      default: return { message: oneLine(e.message.replace(/^error: /, '')), code: EXIT_USAGE };
    }
  }
  if (e instanceof ExitStatus) return { code: e.exitCode };
  if (e instanceof CliError) return { message: oneLine(e.message), code: e.exitCode };
  if (e instanceof ElfError) return { message: oneLine(e.message), code: EXIT_ERROR };
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { message: `internal error: ${oneLine(detail)}`, code: EXIT_INTERNAL };
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}
