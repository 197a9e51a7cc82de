// Reading a file in bounded time and memory, shared by the assembler (its
// sources and includes) and the CLI (images, scripts): only regular files are
// read. A directory, a FIFO (whose open() would wait for a writer) or a device
// such as /dev/zero (which never ends) is refused before anything is read from
// it, and a file past the caller's size limit is refused, not read whole.

import fs from 'node:fs';

/** A file that cannot be read, with a short reason; `missing` when it does not exist. */
export class RegularFileError extends Error {
  constructor(message: string, readonly missing = false) {
    super(message);
  }
}

/** A short reason for a file-system error, without the path and syscall Node puts in its message. */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a path component is not a directory';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'read-only file system';
    case 'ENXIO': return 'a FIFO that no process is reading';
    case 'ENAMETOOLONG': return 'file name too long';
    case 'ELOOP': return 'too many symbolic links';
    case 'EPIPE': return 'the reading end was closed';
    case 'EBADF': return 'not open';
    default: return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/** What a file that is not regular is, as the end of "cannot read 'x': ...". */
export function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a FIFO, not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return 'not a regular file';
}

function failure(e: unknown): RegularFileError {
  if (e instanceof RegularFileError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new RegularFileError(fsReason(e), code === 'ENOENT' || code === 'ENOTDIR');
}

/**
 * The bytes of the regular file `file`, at most `maxBytes`; throws
 * RegularFileError (`tooLarge(size)` gives the reason past the limit: the
 * size, or undefined for a file that grew while it was read). Checked before
 * the open and again on the open descriptor (the file may be replaced in
 * between), which is opened non-blocking so that even then a FIFO cannot
 * stall the open.
 */
export function readRegularFile(file: string, maxBytes: number, tooLarge: (size: number | undefined) => string): Buffer {
  let fd: number;
  try {
    // stat first: a device is refused without being opened (opening some has effects).
    const st = fs.statSync(file);
    if (!st.isFile()) throw new RegularFileError(fileKind(st));
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw failure(e);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new RegularFileError(fileKind(st));
    if (st.size > maxBytes) throw new RegularFileError(tooLarge(st.size));
    // Read up to one byte past the limit: a file that grew since fstat (or a /proc file of size 0) is caught too.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) {
        if (n > maxBytes) throw new RegularFileError(tooLarge(undefined));
        break; // the file is exactly its stat size; a grown tail would have filled the spare byte
      }
    }
    return buf.subarray(0, n);
  } catch (e) {
    throw failure(e);
  } finally {
    fs.closeSync(fd);
  }
}
