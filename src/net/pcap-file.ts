// A capture written to an open file descriptor (what `--pcap FILE` opens),
// buffered so that a run is a few large writes rather than two per frame.
// A write error does not interrupt the run that produced the frame: it is
// kept, later frames are discarded, and flush() or close() throws it as one
// NetError line ("cannot write 'FILE': no space left on the device").

import { closeSync, writeSync } from 'node:fs';
import { fsReason } from '../util/regular-file.js';
import { NetError } from './errors.js';
import { PcapWriter } from './pcap.js';

const BUFFER_LIMIT = 64 * 1024;

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class PcapFile {
  readonly writer: PcapWriter;
  private parts: Uint8Array[] = [];
  private size = 0;
  private failure: string | undefined;
  private closed = false;

  /** `fd` open for writing; `name` is the path as the user gave it, for messages. */
  constructor(private readonly fd: number, private readonly name: string) {
    this.writer = new PcapWriter((bytes) => this.take(bytes));
  }

  /** Write out what is buffered; throws the first write error, if any. */
  flush(): void {
    if (this.failure === undefined && this.parts.length > 0) {
      const all = Buffer.concat(this.parts);
      this.parts = [];
      this.size = 0;
      this.writeAll(all);
    }
    if (this.failure !== undefined) throw new NetError(`cannot write '${this.name}': ${this.failure}`);
  }

  /** Flush and close the descriptor (once); throws the first write error, if any. */
  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }

  private take(bytes: Uint8Array): void {
    if (this.failure !== undefined || this.closed) return;
    this.parts.push(bytes);
    this.size += bytes.length;
    if (this.size >= BUFFER_LIMIT) {
      try {
        this.flush();
      } catch {
        // kept in this.failure: reported by the caller's flush() or close()
      }
    }
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    try {
      while (done < bytes.length) {
        try {
          done += writeSync(this.fd, bytes, done, bytes.length - done);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          pause(5); // a non-blocking pipe that is full
        }
      }
    } catch (e) {
      this.failure = fsReason(e);
    }
  }
}
