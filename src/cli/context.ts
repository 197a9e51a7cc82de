// What every command gets: where to print, the directory relative paths start
// from, and the two error types main() turns into `virtlab: <message>` lines.

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

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

/** A failure to report on one line; exit code 1 unless given. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Bad command-line usage: exit code 2, like commander's own usage errors. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Ends a command with an exit code and nothing more to say (e.g. `run` passing on the guest's halt code). */
export class ExitStatus extends Error {
  constructor(readonly exitCode: number) {
    super(`exit status ${exitCode}`);
  }
}

export function readInput(ctx: CliContext, path: string): Buffer {
  try {
    return readFileSync(resolve(ctx.cwd, path));
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${fsReason(e)}`);
  }
}

export function writeOutput(ctx: CliContext, path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(resolve(ctx.cwd, path), data);
  } catch (e) {
    throw new CliError(`cannot write '${path}': ${fsReason(e)}`);
  }
}

/** A short reason for a file-system error, without the path and syscall Node puts in its message. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a path component is not a directory';
    default: return code ?? (e instanceof Error ? e.message : String(e));
  }
}
