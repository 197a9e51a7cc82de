// Where the VMs of a host live in its one physical RAM: after the guard below
// GUEST_BASE, each VM's window in turn (its guest-physical RAM, then its
// monitor memory: shadow tables, EPT, translation cache), page-aligned and
// disjoint. Each VmLayout is what a lone VM's would be, at another base; the
// monitor of each reaches only its own (GuestMemory, FramePool, EPT and shadow
// tables built from it), which is what keeps VMs apart.

import { GUEST_BASE, makeLayout, type VmLayout } from '../vmm/layout.js';

export interface WindowRequest {
  guestSize: number;
  monitorSize: number;
  tcSize: number;
}

/** One layout per request, in order; the host's RAM is the last one's end. */
export function allocateLayouts(requests: readonly WindowRequest[]): { layouts: VmLayout[]; ramSize: number } {
  const layouts: VmLayout[] = [];
  let base = GUEST_BASE;
  for (const r of requests) {
    const l = makeLayout(r.guestSize, r.monitorSize, r.tcSize, base);
    layouts.push(l);
    base = l.ramSize;
  }
  return { layouts, ramSize: base };
}
