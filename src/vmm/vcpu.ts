// The virtual CPU: the privileged state the guest believes it has. The guest's
// general registers and pc are the real ones (the guest runs directly on the
// CPU); what lives here is everything a deprivileged guest must not touch for
// real: its ring, interrupt flag, saved ring and flag, paging switch and the
// control registers. The STATUS user flags are the exception: any ring may
// write them with wrflags, so they stay in the real STATUS and the virtual
// STATUS borrows them.

import { CR, STATUS } from '../isa/index.js';

export interface VCpuState {
  ring: number;
  ie: boolean;
  ppl: number;
  pie: boolean;
  pg: boolean;
  tvec: number;
  ptbr: number;
  faultaddr: number;
  cause: number;
  epc: number;
  scratch: number;
}

/** What a control-register write changed, for the monitor to act on. */
export interface CrWriteEffect {
  /** Paging switched on or off, or the page-table base written: the shadow address space changes. */
  addressSpace: boolean;
  /** The interrupt flag went from 0 to 1: a pending virtual interrupt may now be delivered. */
  interruptsEnabled: boolean;
}

export class VCpu implements VCpuState {
  ring = 0;
  ie = false;
  ppl = 0;
  pie = false;
  pg = false;
  tvec = 0;
  ptbr = 0;
  faultaddr = 0;
  cause = 0;
  epc = 0;
  scratch = 0;

  reset(): void {
    Object.assign(this, VCpu.initial());
  }

  static initial(): VCpuState {
    return { ring: 0, ie: false, ppl: 0, pie: false, pg: false, tvec: 0, ptbr: 0, faultaddr: 0, cause: 0, epc: 0, scratch: 0 };
  }

  /** The virtual STATUS, with the user flags taken from the real STATUS. */
  status(realStatus: number): number {
    return (this.ring & STATUS.CPL_MASK)
      | (this.ie ? STATUS.IE : 0)
      | (this.ppl << STATUS.PPL_SHIFT)
      | (this.pie ? STATUS.PIE : 0)
      | (this.pg ? STATUS.PG : 0)
      | (realStatus & STATUS.USER_MASK);
  }

  /** mfcr: the control register as the guest sees it (int32). */
  readCr(n: number, realStatus: number): number {
    switch (n) {
      case CR.status: return this.status(realStatus);
      case CR.tvec: return this.tvec;
      case CR.ptbr: return this.ptbr;
      case CR.faultaddr: return this.faultaddr;
      case CR.cause: return this.cause;
      case CR.epc: return this.epc;
      case CR.scratch: return this.scratch;
    }
    throw new RangeError(`control register ${n} does not exist`);
  }

  /**
   * mtcr: write a control register as the hardware would (STATUS: only the
   * writable fields; CPL stays). The user flags of a STATUS write are the
   * caller's to put into the real STATUS.
   */
  writeCr(n: number, value: number): CrWriteEffect {
    const effect: CrWriteEffect = { addressSpace: false, interruptsEnabled: false };
    switch (n) {
      case CR.status: {
        const wasIe = this.ie, wasPg = this.pg;
        this.ie = (value & STATUS.IE) !== 0;
        this.ppl = (value & STATUS.PPL_MASK) >>> STATUS.PPL_SHIFT;
        this.pie = (value & STATUS.PIE) !== 0;
        this.pg = (value & STATUS.PG) !== 0;
        effect.addressSpace = wasPg !== this.pg;
        effect.interruptsEnabled = !wasIe && this.ie;
        break;
      }
      case CR.tvec: this.tvec = value | 0; break;
      // As on the real machine, writing PTBR flushes the TLB even with paging off
      // or with the same value: the shadow is re-validated either way.
      case CR.ptbr: this.ptbr = value | 0; effect.addressSpace = true; break;
      case CR.faultaddr: this.faultaddr = value | 0; break;
      case CR.cause: this.cause = value | 0; break;
      case CR.epc: this.epc = value | 0; break;
      case CR.scratch: this.scratch = value | 0; break;
      default: throw new RangeError(`control register ${n} does not exist`);
    }
    return effect;
  }

  /** Architectural trap entry on the virtual CPU (what Machine.enterTrap does to the real one). */
  enterTrap(cause: number, epc: number, faultaddr: number | undefined): void {
    this.epc = epc | 0;
    this.cause = cause | 0;
    if (faultaddr !== undefined) this.faultaddr = faultaddr | 0;
    this.ppl = this.ring;
    this.pie = this.ie;
    this.ie = false;
    this.ring = 0;
  }

  /** rett on the virtual CPU; returns the pc to continue at. */
  rett(): number {
    this.ring = this.ppl;
    this.ie = this.pie;
    return this.epc;
  }

  save(): VCpuState {
    return { ring: this.ring, ie: this.ie, ppl: this.ppl, pie: this.pie, pg: this.pg, tvec: this.tvec, ptbr: this.ptbr,
      faultaddr: this.faultaddr, cause: this.cause, epc: this.epc, scratch: this.scratch };
  }

  restore(s: VCpuState): void {
    Object.assign(this, s);
  }
}
