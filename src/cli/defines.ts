// -D NAME[=VALUE]: symbols defined when a command assembles a .s program
// (assembler-options.ts adds it with -I and --max-expansion).

import type { Command } from 'commander';
import { UsageError } from './context.js';
import { parseNumber } from './numbers.js';

/** What the assembler accepts as a symbol name. */
export const SYMBOL_NAME = /^[A-Za-z_.$][0-9A-Za-z_.$]*$/;

/** Adds the repeatable -D option to a command. */
export function addDefineOption(cmd: Command, help = 'define a symbol when assembling a .s program (repeatable)'): Command {
  return cmd.option('-D, --define <NAME[=VALUE]>', help, (value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}

/** -D NAME or -D NAME=VALUE; VALUE is a number when it reads as one, else a string. */
export function parseDefines(specs: readonly string[]): Record<string, number | string> {
  const defines: Record<string, number | string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const value = eq < 0 ? undefined : spec.slice(eq + 1);
    if (!SYMBOL_NAME.test(name)) throw new UsageError(`bad -D '${spec}': expected NAME or NAME=VALUE, NAME an identifier`);
    if (value === '') throw new UsageError(`bad -D '${spec}': empty VALUE (write -D ${name} for 1)`);
    defines[name] = value === undefined ? 1 : parseNumber(value) ?? value;
  }
  return defines;
}
