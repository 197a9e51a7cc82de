// Architectural CPU state: the register file, pc and control registers. Plain
// typed arrays, so an engine can hold them in locals and a snapshot is a copy.

import { CR, NUM_REGS, STATUS, CR_NAMES } from '../isa/index.js';

export class Cpu {
  /** r0..r15 as int32; r0 is kept at 0 by every engine. */
  readonly regs = new Int32Array(NUM_REGS);
  /** Control registers indexed by their number (CR.status = 0, ...), as int32. */
  readonly cr = new Int32Array(CR_NAMES.length);
  /** Virtual address of the next instruction (int32 bit pattern). */
  pc = 0;

  get status(): number { return this.cr[CR.status]!; }
  get cpl(): number { return this.cr[CR.status]! & STATUS.CPL_MASK; }
  get ie(): boolean { return (this.cr[CR.status]! & STATUS.IE) !== 0; }
  get paging(): boolean { return (this.cr[CR.status]! & STATUS.PG) !== 0; }

  reset(pc: number): void {
    this.regs.fill(0);
    this.cr.fill(0);
    this.pc = pc | 0;
  }
}
