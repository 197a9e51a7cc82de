// -I DIR: where `.include "name"` looks when a command assembles a .s, after
// the including file's own directory: each -I in the order given, then the
// guests/lib directory of this virtlab installation (docs/assembler.md, "Includes").

import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UsageError } from './context.js';

/**
 * guests/lib of the installation. This file runs as src/cli/ (tests) or
 * dist/src/cli/ (the built CLI), at different depths, so the package root is
 * found as the nearest folder up with a package.json.
 */
export const DEFAULT_INCLUDE_DIR = resolve(installationRoot(), 'guests', 'lib');

function installationRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Adds the repeatable -I option to a command. */
export function addIncludeOption(cmd: Command): Command {
  return cmd.option(
    '-I, --include-dir <DIR>',
    'also look for .include files in DIR (repeatable; searched in order after the including file\'s directory, before the installation\'s guests/lib)',
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );
}

/** The directories an include search tries after the including file's: the -I ones (checked to be directories), then the default. */
export function includeDirs(cwd: string, dirs: readonly string[] | undefined): string[] {
  for (const dir of dirs ?? []) {
    let isDir: boolean;
    try {
      isDir = statSync(resolve(cwd, dir)).isDirectory();
    } catch {
      throw new UsageError(`bad -I '${dir}': no such directory`);
    }
    if (!isDir) throw new UsageError(`bad -I '${dir}': not a directory`);
  }
  return [...(dirs ?? []), DEFAULT_INCLUDE_DIR];
}
