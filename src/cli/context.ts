// What every command gets: where to print, the directory relative paths start
// from, and the error types main() turns into `virtlab: <message>` lines.

import { readFileBounded, writeFileChecked } from './files.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface CliContext {
  io: CliIo;
  /** All of standard input (read once, when a command asks for it). */
  readStdin: () => Uint8Array;
  /** Relative paths on the command line are resolved against this. */
  cwd: string;
}

export { CliError, ExitStatus, UsageError } from './errors.js';

/** The bytes of an input file: a regular file, bounded in size (files.ts). */
export function readInput(ctx: CliContext, path: string): Buffer {
  return readFileBounded(ctx.cwd, path);
}

/** Writes an output file whole; a failure is one CliError line (files.ts). */
export function writeOutput(ctx: CliContext, path: string, data: string | Uint8Array): void {
  writeFileChecked(ctx.cwd, path, data);
}
