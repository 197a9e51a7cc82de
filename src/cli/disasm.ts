// `virtlab disasm`: an ELF image (or a flat binary) back to assembler source.

import type { Command } from 'commander';
import { disassembleImage, disassembleRaw } from '../disasm/index.js';
import { readElf } from '../elf/index.js';
import { CliError, type CliContext, readInput, UsageError, writeOutput } from './context.js';
import { checkNotInput } from './files.js';
import { parseAddress } from './numbers.js';

/** Where a flat binary is assumed to load without --base: the assembler's default .text address. */
const DEFAULT_RAW_BASE = 0x1000;

interface DisasmOpts { raw?: boolean; base?: string; addresses?: boolean; output?: string }

export function registerDisasm(program: Command, ctx: CliContext): void {
  program
    .command('disasm')
    .description('disassemble an image into assembler source that reassembles to the same bytes')
    .argument('<image>', 'ELF image (or a flat binary with --raw)')
    .option('--raw', 'the file is a flat binary of instruction words, not ELF')
    .option('--base <addr>', 'load address of a --raw binary (default 0x1000)')
    .option('--addresses', 'annotate each line with its address and hex word')
    .option('-o, --output <file>', 'write the source to a file instead of stdout')
    .action((file: string, opts: DisasmOpts) => {
      if (opts.base !== undefined && !opts.raw) throw new UsageError('--base only applies with --raw');
      const base = opts.base === undefined ? DEFAULT_RAW_BASE : parseAddress(opts.base);
      if (base === undefined) throw new UsageError(`bad --base '${opts.base}': expected an address such as 0x1000`);
      if (base % 4 !== 0) throw new UsageError(`bad --base 0x${base.toString(16)}: instructions must be 4-aligned`);
      if (opts.output) checkNotInput(ctx.cwd, opts.output, file);
      const bytes = new Uint8Array(readInput(ctx, file));
      const options = { addresses: opts.addresses === true, name: file };
      let text: string;
      if (opts.raw) {
        if (base + bytes.length > 2 ** 32) throw new CliError(`'${file}' does not fit below 4 GiB at base 0x${base.toString(16)}`);
        text = disassembleRaw(bytes, base, options);
      } else {
        text = disassembleImage(readElf(bytes, file), options);
      }
      if (opts.output) writeOutput(ctx, opts.output, text);
      else ctx.io.out(text);
    });
}
