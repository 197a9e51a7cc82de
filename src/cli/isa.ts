// `virtlab isa`: print the instruction table.

import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { UsageError } from './context.js';
import { isaJson, isaMarkdown, isaText } from './isa-table.js';

export function registerIsa(program: Command, ctx: CliContext): void {
  program
    .command('isa')
    .description('print the instruction table: mnemonic, opcode, format, operands, virtualization class, meaning')
    .option('--json', 'machine-readable JSON')
    .option('--markdown', 'the Markdown table embedded in docs/isa.md')
    .action((opts: { json?: boolean; markdown?: boolean }) => {
      if (opts.json && opts.markdown) throw new UsageError('--json and --markdown cannot be combined');
      ctx.io.out(opts.json ? isaJson() : opts.markdown ? isaMarkdown() : isaText());
    });
}
