// A fetch window: a monitor-only facility of the machine, not part of the ISA
// (no instruction reads or writes it). While set, an instruction fetch at a
// supervisor ring (CPL 0-2) from the virtual range [base, base + size) is
// served from host-physical [phys, phys + size), bypassing the page tables;
// data accesses to the same virtual range still go through the MMU.
//
// It is virtlab's analogue of the segment truncation VMware's binary
// translator relied on (Adams & Agesen 2006, section 3.2): the monitor's code
// segment reaches the translation cache while the guest's data segments are
// truncated short of it, so translated kernel code can run from the cache
// although no guest load or store can see or change it. A page-based MMU has
// no execute-only mapping, hence a window of its own.

export interface FetchWindow {
  /** Virtual start, page-aligned. */
  readonly base: number;
  /** Bytes, a positive multiple of 4096. */
  readonly size: number;
  /** Host-physical address the window's first byte is fetched from. */
  readonly phys: number;
}

/** Host-physical address a supervisor fetch at `va` reads through `w`, or undefined outside it. */
export function fetchWindowPaddr(w: FetchWindow | undefined, va: number): number | undefined {
  if (!w) return undefined;
  const off = (va - w.base) >>> 0;
  return off < w.size ? w.phys + off : undefined;
}
