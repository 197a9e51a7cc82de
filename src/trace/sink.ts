// Where trace lines go: a text callback (stdout) or a file, buffered so that a
// long trace is a few large writes rather than one per record.

import { closeSync, openSync, writeSync } from 'node:fs';

export interface TraceSink {
  line(text: string): void;
  /** Write out what is buffered; the sink stays usable. */
  flush(): void;
  /** Flush and release the sink. */
  close(): void;
}

const BUFFER_LIMIT = 64 * 1024;

class BufferedSink implements TraceSink {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly write: (text: string) => void, private readonly release: () => void = () => {}) {}

  line(text: string): void {
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= BUFFER_LIMIT) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.write(text);
  }

  close(): void {
    this.flush();
    this.release();
  }
}

/** Lines handed to `write` (e.g. the CLI's stdout) in chunks. */
export function callbackSink(write: (text: string) => void): TraceSink {
  return new BufferedSink(write);
}

/** Lines written to a file, created or truncated now. Throws the fs error if it cannot be opened. */
export function fileSink(path: string): TraceSink {
  const fd = openSync(path, 'w');
  return new BufferedSink((text) => { writeSync(fd, text); }, () => closeSync(fd));
}

/** Lines kept in memory (tests, tools). */
export function memorySink(): TraceSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, line: (t) => { lines.push(t); }, flush: () => {}, close: () => {} };
}
