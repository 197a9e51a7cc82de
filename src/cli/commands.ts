// Every `virtlab` command. Adding one: write src/cli/<name>.ts exporting a
// `register<Name>(program, ctx)` that calls `program.command(...)`, and add it here.

import type { Command } from 'commander';
import { registerAsm } from './asm.js';
import { registerBench } from './bench.js';
import { registerBtDump } from './bt-dump.js';
import type { CliContext } from './context.js';
import { registerDebug } from './debug.js';
import { registerDisasm } from './disasm.js';
import { registerHost } from './host.js';
import { registerIsa } from './isa.js';
import { registerProfiles } from './profiles.js';
import { registerRun } from './run.js';
import { registerTrace } from './trace.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerAsm,
  registerDisasm,
  registerIsa,
  registerRun,
  registerTrace,
  registerDebug,
  registerBtDump,
  registerBench,
  registerHost,
  registerProfiles,
];
