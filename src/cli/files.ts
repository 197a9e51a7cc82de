// Every file the CLI reads or writes goes through here, so that a bad path is
// one `cannot read/write 'PATH': reason` line in bounded time and memory:
// inputs must be regular files no larger than MAX_INPUT_BYTES (a directory, a
// device such as /dev/zero or a FIFO nobody writes to is refused before it is
// opened); standard input is read in chunks up to the same limit; an output
// that is a FIFO with no reader is refused instead of blocking in open().

import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { fsReason, readRegularFile, RegularFileError } from '../util/regular-file.js';
import { CliError, UsageError } from './errors.js';

export { fsReason };

/** The most any one input (a source, an image, a script, standard input) may hold. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const MIB = 1024 * 1024;

function tooLarge(what: string): CliError {
  return new CliError(`cannot read ${what}: larger than the ${MAX_INPUT_BYTES / MIB} MiB an input may hold`);
}

/** The bytes of a regular file (relative paths from `cwd`). */
export function readFileBounded(cwd: string, path: string): Buffer {
  try {
    return readRegularFile(resolve(cwd, path), MAX_INPUT_BYTES, () => `larger than the ${MAX_INPUT_BYTES / MIB} MiB an input may hold`);
  } catch (e) {
    if (e instanceof RegularFileError) throw new CliError(`cannot read '${path}': ${e.message}`);
    throw e;
  }
}

/** Sleep briefly without an event loop (a non-blocking descriptor said EAGAIN). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Fails when standard input (descriptor `fd`) cannot be read at all: closed, or a directory. */
export function checkStdinReadable(fd = 0): void {
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    throw new CliError(`cannot read standard input: ${fsReason(e)}`);
  }
  if (st.isDirectory()) throw new CliError('cannot read standard input: is a directory');
}

/** All of the file descriptor `fd` (standard input: 0), read in chunks, at most MAX_INPUT_BYTES. */
export function readStdinBounded(fd = 0): Uint8Array {
  checkStdinReadable(fd);
  const chunks: Buffer[] = [];
  const chunk = Buffer.alloc(64 * 1024);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') { pause(5); continue; }
      if (code === 'EOF') break;
      throw new CliError(`cannot read standard input: ${fsReason(e)}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_INPUT_BYTES) throw tooLarge('standard input');
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/**
 * Opens `path` for writing (created or truncated). A FIFO is first opened
 * non-blocking, which fails at once when no process reads it, where a plain
 * open would wait for one forever.
 */
export function openOutput(cwd: string, path: string): number {
  const full = resolve(cwd, path);
  let probe: number | undefined;
  try {
    let st: Stats | undefined;
    try {
      st = statSync(full);
    } catch {
      st = undefined; // a new file
    }
    if (st?.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (st?.isFIFO()) probe = openSync(full, constants.O_WRONLY | constants.O_NONBLOCK);
    return openSync(full, 'w'); // with a reader there, this does not block
  } catch (e) {
    throw new CliError(`cannot write '${path}': ${fsReason(e)}`);
  } finally {
    if (probe !== undefined) closeSync(probe);
  }
}

/** Refuses an output that is the input it is made from: writing it would destroy what is being read. */
export function checkNotInput(cwd: string, output: string, input: string): void {
  if (resolve(cwd, output) === resolve(cwd, input)) throw new UsageError(`output '${output}' would overwrite the input '${input}'`);
}

/** Writes all of `data` to an open descriptor; a failure names `path`. */
export function writeAll(fd: number, path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let done = 0;
  try {
    while (done < bytes.length) {
      try {
        done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        pause(5);
      }
    }
  } catch (e) {
    throw new CliError(`cannot write '${path}': ${fsReason(e)}`);
  }
}

/** Writes a whole file (relative paths from `cwd`). */
export function writeFileChecked(cwd: string, path: string, data: string | Uint8Array): void {
  const fd = openOutput(cwd, path);
  try {
    writeAll(fd, path, data);
  } finally {
    closeSync(fd);
  }
}

/**
 * Fails now, with the message a write would give later, when `path` cannot be
 * written: for outputs written at the end of a long command (bench --json).
 * Creates the file if missing and leaves an existing one as it is. A FIFO is
 * not opened (its reader would see the end of its input) and a device such
 * as /dev/full only fails when written: both are found out at the end.
 */
export function checkWritable(cwd: string, path: string): void {
  const full = resolve(cwd, path);
  let st: Stats | undefined;
  try {
    st = statSync(full);
  } catch {
    st = undefined;
  }
  if (st?.isFIFO()) return; // opening it now would use up its one reader
  try {
    if (st?.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    closeSync(openSync(full, 'a'));
  } catch (e) {
    throw new CliError(`cannot write '${path}': ${fsReason(e)}`);
  }
}
