// `virtlab profiles`: the virtualization profiles `run --profile` and a host
// configuration's "profile" accept (docs/profiles.md).

import type { Command } from 'commander';
import { formatProfiles } from '../profiles/format.js';
import type { CliContext } from './context.js';

export function registerProfiles(program: Command, ctx: CliContext): void {
  program
    .command('profiles')
    .description('list the virtualization profiles (after the rows of "AWS EC2 Virtualization 2017") for run --profile and host configurations')
    .action(() => {
      ctx.io.out(formatProfiles());
    });
}
