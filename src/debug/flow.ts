// Control flow as `next` and `finish` see it: which instructions call, which
// return, and the call-depth counter `finish` runs on.

import { decode, REG } from '../isa/index.js';
import type { StepRecord } from '../machine/index.js';

/**
 * 'call': jal/jalr that write ra (`call`, `callr`); 'return': jalr zero, ra
 * (`ret`); 'rett': return from trap; 'syscall': traps and comes back to the
 * next instruction.
 */
export type Flow = 'call' | 'return' | 'rett' | 'syscall';

export function classify(word: number): Flow | undefined {
  const d = decode(word >>> 0);
  if (!d) return undefined;
  const sem = d.def.sem;
  if (sem.kind === 'jal') return d.a === REG.ra ? 'call' : undefined;
  if (sem.kind === 'jalr') {
    if (d.a === REG.ra) return 'call';
    return d.a === REG.zero && d.b === REG.ra ? 'return' : undefined;
  }
  if (sem.kind === 'system' && sem.op === 'rett') return 'rett';
  if (sem.kind === 'system' && sem.op === 'syscall') return 'syscall';
  return undefined;
}

/**
 * `finish`: counts calls and returns made in the ring where it started; the
 * function has returned when a return brings the count below zero. In ring 0
 * a trap taken counts as a call and `rett` as its return, so an interrupt
 * handler running in the middle does not end it (traps always enter ring 0).
 * In ring 3 only the starting address space (PTBR) counts, so another
 * process's returns do not either.
 */
export class FinishTracker {
  depth = 0;
  done = false;

  /**
   * `countsTraps`: traps entering the guest count as calls and `rett` as
   * their return (natively in ring 0; under a monitor wherever the guest's
   * kernel runs, since its real ring is not 0).
   */
  constructor(readonly ring: number, readonly ptbr: number, readonly countsTraps = ring === 0) {}

  observe(rec: StepRecord, ptbrNow: number): void {
    if (this.done) return;
    let traps = 0;
    for (const ev of rec.events) {
      if ((ev.kind === 'exception' || ev.kind === 'interrupt') && ev.delivered === 'vector') traps++;
    }
    this.count(rec.retired ? rec.word : undefined, rec.ring, ptbrNow, traps);
  }

  /**
   * One step: `retiredWord` is the instruction that completed (undefined if
   * none did), `traps` the traps that entered the guest during the step.
   */
  count(retiredWord: number | undefined, ring: number, ptbrNow: number, traps: number): void {
    if (this.done) return;
    if (retiredWord !== undefined && ring === this.ring && (this.ring !== 3 || ptbrNow === this.ptbr)) {
      const f = classify(retiredWord);
      if (f === 'call') this.depth++;
      else if (f === 'return' || f === 'rett') this.depth--;
    }
    if (this.countsTraps) this.depth += traps;
    if (this.depth < 0) this.done = true;
  }
}
