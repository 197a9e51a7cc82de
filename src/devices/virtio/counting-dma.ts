// A Dma that counts the bytes it moves (for a device's dmaBytes counter):
// every successful read and write, rings and buffers alike. Reachability
// probes are passed through uncounted: they move nothing.

import type { Dma } from '../../machine/dma.js';
import { reachable, readInto } from '../dma-into.js';

export class CountingDma implements Dma {
  constructor(private readonly inner: Dma, private readonly count: (bytes: number) => void) {}

  read(addr: number, length: number): Uint8Array | undefined {
    const bytes = this.inner.read(addr, length);
    if (bytes) this.count(bytes.length);
    return bytes;
  }

  readInto(addr: number, out: Uint8Array): boolean {
    const ok = readInto(this.inner, addr, out);
    if (ok) this.count(out.length);
    return ok;
  }

  write(addr: number, bytes: Uint8Array): boolean {
    const ok = this.inner.write(addr, bytes);
    if (ok) this.count(bytes.length);
    return ok;
  }

  /** Whether [addr, addr + length) is reachable, without counting (WindowDma and the bus answer without copying). */
  reaches(addr: number, length: number): boolean {
    return reachable(this.inner, addr, length);
  }
}
