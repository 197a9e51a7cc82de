// Guest-virtual buffers that hypercalls name (a console buffer, an mmu_update
// list): checked whole before anything happens, so a call that fails changes
// nothing, then read or written through the guest's own tables as a kernel
// access would be (supervisor; the accessed and dirty bits set as the MMU
// would set them). Only guest RAM is ever reached: a buffer the guest maps to
// anything else (device memory, or nothing) is a bad pointer.

import { CR, STATUS } from '../../isa/index.js';
import { ACCESS } from '../../machine/events.js';
import type { Monitor } from '../monitor.js';
import { markAccessed, walkGuest, type GuestTranslation } from '../shadow/guest-walk.js';

/** A piece of a buffer inside one guest page. */
interface Span {
  gpa: number;
  length: number;
  /** The walk that found it (paging on), to set A/D bits once the whole buffer is known good. */
  walk?: GuestTranslation;
}

export class GuestBuffer {
  private constructor(
    private readonly monitor: Monitor,
    private readonly spans: Span[],
    private readonly write: boolean,
    readonly length: number,
  ) {}

  /**
   * The buffer [va, va + length) as the guest kernel sees it now, or undefined
   * if any byte of it is not guest RAM reachable for a supervisor read (or
   * write). Looks only: nothing is marked until markAccessed() or store().
   */
  static find(m: Monitor, va: number, length: number, write: boolean): GuestBuffer | undefined {
    va >>>= 0;
    if (length < 0 || va + length > 2 ** 32) return undefined;
    const spans: Span[] = [];
    // The guest's paging as it has it: the virtual CPU's, or under hw (PVHVM) its own control registers.
    const pg = (m.guestCr(CR.status) & STATUS.PG) !== 0, ptbr = m.guestCr(CR.ptbr);
    for (let at = va, left = length; left > 0;) {
      const n = Math.min(left, 4096 - (at & 0xfff));
      let gpa = at;
      let walk: GuestTranslation | undefined;
      if (pg) {
        const w = walkGuest(m.guest, ptbr, at, write ? ACCESS.WRITE : ACCESS.READ, false);
        if (!w.ok) return undefined;
        walk = w.t;
        gpa = w.t.gpa;
      }
      if (!m.guest.contains(gpa, n)) return undefined;
      spans.push(walk ? { gpa, length: n, walk } : { gpa, length: n });
      at += n;
      left -= n;
    }
    return new GuestBuffer(m, spans, write, length);
  }

  /** Set the accessed (and for a write, dirty) bits the kernel's access would have set: once the call is sure to succeed. */
  markAccessed(): void {
    for (const s of this.spans) if (s.walk) markAccessed(this.monitor.guest, s.walk, this.write);
  }

  /** The buffer's bytes, read without side effects. */
  read(): Uint8Array {
    const out = new Uint8Array(this.length);
    let i = 0;
    for (const s of this.spans) for (let k = 0; k < s.length; k++) out[i++] = this.monitor.guest.read(s.gpa + k, 1);
    return out;
  }

  /** Store `bytes` (at most the buffer's length) at its start; page-table and code pages stay coherent. */
  store(bytes: Uint8Array, pc: number): void {
    if (!this.write) throw new Error('pv: a buffer found for reading cannot be written');
    if (bytes.length === 0) return;
    this.markAccessed();
    let i = 0;
    for (const s of this.spans) {
      for (let k = 0; k < s.length && i < bytes.length; k++) this.monitor.shadow.guestStore(s.gpa + k, 1, bytes[i++]!, pc);
    }
  }
}
