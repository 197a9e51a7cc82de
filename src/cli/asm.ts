// `virtlab asm`: assemble a source file into an ELF image.

import type { Command } from 'commander';
import { dirname, extname, join, basename, resolve } from 'node:path';
import { formatListing } from '../asm/index.js';
import { writeElf } from '../elf/index.js';
import { defineDiff, formatDefineDiff } from '../vmm/pv/define-diff.js';
import { readInput, UsageError, writeOutput, type CliContext } from './context.js';
import { assembleOrFail, includeReader } from './program.js';
import { SYMBOL_NAME } from './defines.js';
import { addAssemblerOptions, assemblerInputs, type AssemblerInputs, type AssemblerOptionValues } from './assembler-options.js';

interface AsmOpts extends AssemblerOptionValues { output?: string; listing?: string; reportDefine?: string }

export function registerAsm(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('asm')
    .description('assemble a source file into an ELF32 image')
    .argument('<file>', 'assembler source (.s)');
  addAssemblerOptions(cmd, 'define a symbol for conditional assembly (repeatable; VALUE defaults to 1)')
    .option('-o, --output <file>', 'image to write (default: the source path with .elf)')
    .option('--listing <file>', 'also write a listing: addresses and words beside the source')
    .option('--report-define <NAME>', 'also print how many source lines differ between the builds with and without NAME (e.g. PV)')
    .action((file: string, opts: AsmOpts) => {
      const inputs = assemblerInputs(ctx.cwd, opts);
      if (opts.reportDefine !== undefined && !SYMBOL_NAME.test(opts.reportDefine)) {
        throw new UsageError(`bad --report-define '${opts.reportDefine}': expected a symbol name`);
      }
      const output = opts.output ?? defaultOutput(file);
      if (resolve(ctx.cwd, output) === resolve(ctx.cwd, file)) throw new UsageError(`output '${output}' would overwrite the source`);
      if (opts.listing !== undefined && resolve(ctx.cwd, opts.listing) === resolve(ctx.cwd, file)) throw new UsageError(`listing '${opts.listing}' would overwrite the source`);
      const result = assembleOrFail(ctx, file, inputs.defines, inputs);
      writeOutput(ctx, output, writeElf(result.image, output));
      if (opts.listing) writeOutput(ctx, opts.listing, formatListing(result.listing));
      if (opts.reportDefine !== undefined) ctx.io.out(reportDefine(ctx, file, opts.reportDefine, inputs));
    });
}

/** The --report-define line: source lines assembled only with NAME defined, or only without it. */
function reportDefine(ctx: CliContext, file: string, name: string, { defines, includeDirs }: AssemblerInputs): string {
  return formatDefineDiff(defineDiff({
    file, source: readInput(ctx, file).toString('utf8'), name, defines,
    ...(defines[name] === undefined ? {} : { value: defines[name] }),
    readFile: includeReader(ctx),
    includeDirs,
  }));
}

/** `prog.s` -> `prog.elf`, in the source's directory. */
export function defaultOutput(file: string): string {
  const ext = extname(file);
  return join(dirname(file), basename(file, ext) + '.elf');
}

