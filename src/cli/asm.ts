// `virtlab asm`: assemble a source file into an ELF image.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, extname, join, basename, resolve } from 'node:path';
import { formatListing } from '../asm/index.js';
import { writeElf } from '../elf/index.js';
import { defineDiff, formatDefineDiff } from '../vmm/pv/define-diff.js';
import { readInput, UsageError, writeOutput, type CliContext } from './context.js';
import { assembleOrFail } from './program.js';
import { parseNumber } from './numbers.js';

interface AsmOpts { output?: string; define?: string[]; listing?: string; reportDefine?: string }

const NAME = /^[A-Za-z_.$][0-9A-Za-z_.$]*$/;

export function registerAsm(program: Command, ctx: CliContext): void {
  program
    .command('asm')
    .description('assemble a source file into an ELF32 image')
    .argument('<file>', 'assembler source (.s)')
    .option('-o, --output <file>', 'image to write (default: the source path with .elf)')
    .option('-D, --define <NAME[=VALUE]>', 'define a symbol for conditional assembly (repeatable; VALUE defaults to 1)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--listing <file>', 'also write a listing: addresses and words beside the source')
    .option('--report-define <NAME>', 'also print how many source lines differ between the builds with and without NAME (e.g. PV)')
    .action((file: string, opts: AsmOpts) => {
      const defines = parseDefines(opts.define ?? []);
      if (opts.reportDefine !== undefined && !NAME.test(opts.reportDefine)) {
        throw new UsageError(`bad --report-define '${opts.reportDefine}': expected a symbol name`);
      }
      const output = opts.output ?? defaultOutput(file);
      if (resolve(ctx.cwd, output) === resolve(ctx.cwd, file)) throw new UsageError(`output '${output}' would overwrite the source`);
      const result = assembleOrFail(ctx, file, defines);
      writeOutput(ctx, output, writeElf(result.image, output));
      if (opts.listing) writeOutput(ctx, opts.listing, formatListing(result.listing));
      if (opts.reportDefine !== undefined) ctx.io.out(reportDefine(ctx, file, opts.reportDefine, defines));
    });
}

/** The --report-define line: source lines assembled only with NAME defined, or only without it. */
function reportDefine(ctx: CliContext, file: string, name: string, defines: Record<string, number | string>): string {
  return formatDefineDiff(defineDiff({
    file, source: readInput(ctx, file).toString('utf8'), name, defines,
    ...(defines[name] === undefined ? {} : { value: defines[name] }),
    readFile: (p) => readFileSync(resolve(ctx.cwd, p), 'utf8'),
  }));
}

/** `prog.s` -> `prog.elf`, in the source's directory. */
export function defaultOutput(file: string): string {
  const ext = extname(file);
  return join(dirname(file), basename(file, ext) + '.elf');
}

/** -D NAME or -D NAME=VALUE; VALUE is a number when it reads as one, else a string. */
export function parseDefines(specs: readonly string[]): Record<string, number | string> {
  const defines: Record<string, number | string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const value = eq < 0 ? undefined : spec.slice(eq + 1);
    if (!NAME.test(name)) throw new UsageError(`bad -D '${spec}': expected NAME or NAME=VALUE, NAME an identifier`);
    if (value === '') throw new UsageError(`bad -D '${spec}': empty VALUE (write -D ${name} for 1)`);
    defines[name] = value === undefined ? 1 : parseNumber(value) ?? value;
  }
  return defines;
}
