// The options of every command that assembles a .s program (asm, run, trace,
// debug, bt-dump): -D NAME[=VALUE], -I DIR and --max-expansion LINES, added by
// one helper and collected into what program.ts passes to the assembler.

import type { Command } from 'commander';
import { DEFAULT_MAX_EXPANSION_LINES } from '../asm/limits.js';
import { UsageError, type CliContext } from './context.js';
import { addDefineOption, parseDefines } from './defines.js';
import { addIncludeOption, includeDirs } from './include-path.js';
import { parseWhole } from './numbers.js';
import { isAssemblySource } from './program.js';

/** The most --max-expansion accepts: each expanded line costs about a kilobyte while assembling. */
export const MAX_EXPANSION_CEILING = 10_000_000;

export interface AssemblerOptionValues {
  define?: string[];
  includeDir?: string[];
  maxExpansion?: string;
}

/** -I and --max-expansion. */
export interface IncludeSearch {
  /** After the including file's directory: the -I directories, then the installation's guests/lib. */
  includeDirs: readonly string[];
  maxExpansion?: number;
}

/** What the assembler gets from the command line. */
export interface AssemblerInputs extends IncludeSearch {
  defines: Record<string, number | string>;
}

/** Adds -D, -I and --max-expansion to a command. */
export function addAssemblerOptions(cmd: Command, defineHelp?: string): Command {
  addIncludeOption(addDefineOption(cmd, defineHelp));
  return cmd.option(
    '--max-expansion <LINES>',
    `bound on the lines macro expansion may produce in all (default ${DEFAULT_MAX_EXPANSION_LINES}, at most ${MAX_EXPANSION_CEILING})`,
  );
}

/** The assembler inputs of a command assembling `file` from the working directory `cwd`. */
export function assemblerInputs(cwd: string, opts: AssemblerOptionValues): AssemblerInputs {
  const inputs: AssemblerInputs = { defines: parseDefines(opts.define ?? []), includeDirs: includeDirs(cwd, opts.includeDir) };
  if (opts.maxExpansion !== undefined) {
    try {
      inputs.maxExpansion = parseWhole(opts.maxExpansion, 'a number of lines', 1, MAX_EXPANSION_CEILING);
    } catch (e) {
      throw new UsageError(`bad --max-expansion '${opts.maxExpansion}': ${(e as Error).message}`);
    }
  }
  return inputs;
}

/** Like assemblerInputs, for a command that runs `file`: only an assembler source can take these options. */
export function collectAssemblerOptions(ctx: CliContext, opts: AssemblerOptionValues, file: string): AssemblerInputs {
  const given = [opts.define?.length && '-D', opts.includeDir?.length && '-I', opts.maxExpansion !== undefined && '--max-expansion'].filter(Boolean);
  if (given.length && !isAssemblySource(file)) throw new UsageError(`${given.join(', ')} appl${given.length === 1 ? 'ies' : 'y'} to assembler sources (.s), not '${file}'`);
  return assemblerInputs(ctx.cwd, opts);
}
