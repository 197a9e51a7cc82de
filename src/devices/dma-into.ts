// What a device asks its Dma per frame without a copy of its own: whether a
// range is reachable, and small reads (ring indexes, descriptors) into a
// buffer it keeps. Dma.read returns a fresh copy, which for 2 or 16 bytes costs
// more than the copy itself, and for a reachability check copied the whole
// buffer; those copies were a good part of what the host allocated per frame.
// A Dma that can answer without copying has `reaches` and `readInto`
// (WindowDma, the PCI bus's gate, CountingDma); any other is read.

import type { Dma } from '../machine/dma.js';

type Into = (addr: number, out: Uint8Array) => boolean;
type Reaches = (addr: number, length: number) => boolean;

/** Whether DMA reaches [addr, addr + len): a Dma with `reaches` answers without copying; any other is asked to read. */
export function reachable(dma: Dma, addr: number, len: number): boolean {
  const probe = (dma as { reaches?: Reaches }).reaches;
  return probe ? probe.call(dma, addr, len) : dma.read(addr, len) !== undefined;
}

/** Copy `out.length` bytes at bus address `addr` into `out`; false (out unspecified) if Dma.read would refuse them. */
export function readInto(dma: Dma, addr: number, out: Uint8Array): boolean {
  const into = (dma as { readInto?: Into }).readInto;
  if (into) return into.call(dma, addr, out);
  const bytes = dma.read(addr, out.length);
  if (!bytes) return false;
  out.set(bytes);
  return true;
}
