// The VF<->PF mailbox (igb/igbvf): per VF, 16 words of memory both sides see
// (the VF at its VMBMEM, the PF at VMBMEM(n)) and a control register on each
// side. Ownership: a side takes the buffer by writing its "mine" bit (VF: VFU,
// PF: PFU) and gets it only if the other side does not hold it; memory writes
// of a side that does not hold the buffer are ignored; any control write
// without the bit lets go. Signals: VF REQ (a message) and ACK (the PF's was
// read) set the PF's MBVFICR bits and ICR.VMMB; PF STS and ACK set the VF's
// PFSTS and PFACK and its mailbox interrupt. PFSTS, PFACK and RSTD are read to
// clear (a driver keeps what it read, as igbvf does).
//
// The device never answers a message: PfMailbox is the PF driver's side.

import { VfBitmap } from './bitmap.js';
import { MAILBOX_WORDS, P2V, V2P } from './registers.js';
import type { VfCounters } from './types.js';

export interface MailboxState {
  mem: number[];
  /** VFU, PFU, PFSTS, PFACK, RSTI, RSTD as the VF's V2PMAILBOX shows them. */
  bits: number;
}

/** What a mailbox signals: the PF's cause bits, the VF's interrupt. */
export interface MailboxLink {
  /** VF `vf` wrote REQ ('req') or ACK ('ack'). */
  toPf(vf: number, what: 'req' | 'ack'): void;
  /** The VF's mailbox interrupt cause. */
  toVf(vf: number): void;
  counters(vf: number): VfCounters;
}

export class Mailbox {
  readonly mem = new Uint32Array(MAILBOX_WORDS);
  private bits = 0;

  constructor(readonly vf: number, private readonly link: MailboxLink) {}

  // --- the VF's side ----------------------------------------------------------

  /** V2PMAILBOX: the bits; the read clears PFSTS, PFACK and RSTD. */
  vfRead(): number {
    const v = this.bits;
    this.bits &= ~V2P.R2C;
    return v;
  }

  vfWrite(value: number): void {
    const c = this.link.counters(this.vf);
    if (value & V2P.VFU) {
      if (this.bits & V2P.PFU) c.mailboxBusy++;
      else this.bits |= V2P.VFU;
    } else {
      this.bits &= ~V2P.VFU;
    }
    if (value & V2P.REQ) {
      c.mailboxRequests++;
      this.link.toPf(this.vf, 'req');
    }
    if (value & V2P.ACK) {
      c.mailboxAcks++;
      this.link.toPf(this.vf, 'ack');
    }
  }

  vfWriteMem(i: number, value: number): void {
    if ((this.bits & V2P.VFU) !== 0 && i >= 0 && i < MAILBOX_WORDS) this.mem[i] = value >>> 0;
  }

  // --- the PF's side ----------------------------------------------------------

  /** P2VMAILBOX: VFU and PFU (STS, ACK and RVFU are actions and read 0). */
  pfRead(): number {
    return this.bits & (P2V.VFU | P2V.PFU);
  }

  pfWrite(value: number): void {
    if (value & P2V.RVFU) this.bits &= ~V2P.VFU;
    if (value & P2V.PFU) {
      if (this.bits & V2P.VFU) this.link.counters(this.vf).mailboxBusy++;
      else this.bits |= V2P.PFU;
    } else {
      this.bits &= ~V2P.PFU;
    }
    if (value & P2V.STS) {
      this.link.counters(this.vf).mailboxReplies++;
      this.bits |= V2P.PFSTS;
      this.link.toVf(this.vf);
    }
    if (value & P2V.ACK) {
      this.bits |= V2P.PFACK;
      this.link.toVf(this.vf);
    }
  }

  pfWriteMem(i: number, value: number): void {
    if ((this.bits & V2P.PFU) !== 0 && i >= 0 && i < MAILBOX_WORDS) this.mem[i] = value >>> 0;
  }

  get pfOwns(): boolean {
    return (this.bits & V2P.PFU) !== 0;
  }

  // --- resets -----------------------------------------------------------------

  /** The VF's reset: memory and bits cleared, then RSTD (igbvf polls for it before its VF_RESET message; no interrupt: its causes were just cleared). */
  resetByVf(): void {
    this.mem.fill(0);
    this.bits = V2P.RSTD;
  }

  /** The PF is resetting (RSTI) or has said it is done (RSTI becomes RSTD). */
  pfResetting(on: boolean): void {
    if (on) {
      this.mem.fill(0);
      this.bits = V2P.RSTI;
    } else if (this.bits & V2P.RSTI) {
      this.bits = (this.bits & ~V2P.RSTI) | V2P.RSTD;
      this.link.toVf(this.vf);
    }
  }

  clear(): void {
    this.mem.fill(0);
    this.bits = 0;
  }

  isClear(): boolean {
    return this.bits === 0 && this.mem.every((w) => w === 0);
  }

  save(): MailboxState {
    return { mem: Array.from(this.mem), bits: this.bits };
  }

  restore(s: MailboxState): void {
    this.mem.set(s.mem);
    this.bits = s.bits;
  }
}

/**
 * The PF driver's side of every VF's mailbox, as igb's PF driver uses it
 * (check_for_msg, read_mbx, write_mbx), in TypeScript for the monitor. The
 * registers (MBVFICR, P2VMAILBOX, VMBMEM in the PF's BAR) reach the same state.
 */
export class PfMailbox {
  /** MBVFICR's request and acknowledgement bits. */
  readonly requests = new VfBitmap();
  readonly acks = new VfBitmap();
  /**
   * The PF driver's handler: when set, each message a VF posts is taken at once
   * (receive(): read and acknowledged) and handed here; answer with reply().
   * Unset: messages wait (pending()) until the driver receives them.
   */
  onMessage: ((vf: number, words: Uint32Array) => void) | undefined;

  constructor(private readonly boxes: (vf: number) => Mailbox | undefined) {}

  /** The VFs with a message waiting (MBVFICR REQ bits), in order. */
  pending(): number[] {
    return this.requests.list();
  }

  /**
   * Take VF `vf`'s message: the 16 words, the REQ bit cleared and the message
   * acknowledged (the VF's PFACK). Undefined when none is waiting or the VF
   * holds the buffer.
   */
  receive(vf: number): Uint32Array | undefined {
    const box = this.boxes(vf);
    if (!box || !this.requests.has(vf)) return undefined;
    box.pfWrite(P2V.PFU);
    if (!box.pfOwns) return undefined;
    this.requests.set(vf, false);
    const words = box.mem.slice();
    box.pfWrite(P2V.ACK); // releases the buffer too
    return words;
  }

  /** Send `words` (at most 16; the rest of the buffer is zeroed) to VF `vf`: PFSTS and its interrupt. False if the VF holds the buffer. */
  reply(vf: number, words: ArrayLike<number>): boolean {
    const box = this.boxes(vf);
    if (!box) return false;
    if (words.length > MAILBOX_WORDS) throw new RangeError(`mailbox: a message is at most ${MAILBOX_WORDS} words, not ${words.length}`);
    box.pfWrite(P2V.PFU);
    if (!box.pfOwns) return false;
    for (let i = 0; i < MAILBOX_WORDS; i++) box.pfWriteMem(i, i < words.length ? words[i]! : 0);
    box.pfWrite(P2V.STS);
    return true;
  }

  /** Whether VF `vf` acknowledged a PF message since the last call (clears MBVFICR's ACK bit). */
  takeAck(vf: number): boolean {
    const had = this.acks.has(vf);
    this.acks.set(vf, false);
    return had;
  }
}
