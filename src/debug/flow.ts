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

  constructor(readonly ring: number, readonly ptbr: number) {}

  observe(rec: StepRecord, ptbrNow: number): void {
    if (this.done) return;
    if (rec.retired && rec.word !== undefined && rec.ring === this.ring && (this.ring !== 3 || ptbrNow === this.ptbr)) {
      const f = classify(rec.word);
      if (f === 'call') this.depth++;
      else if (f === 'return' || f === 'rett') this.depth--;
    }
    if (this.ring === 0) {
      for (const ev of rec.events) {
        if ((ev.kind === 'exception' || ev.kind === 'interrupt') && ev.delivered === 'vector') this.depth++;
      }
    }
    if (this.depth < 0) this.done = true;
  }
}
