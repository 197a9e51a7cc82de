// Primary fault logging (VT-d chapter 7, and §10.4.9-10.4.14): a small ring of
// fault-recording registers. A fault is written at FSTS.FRI if that record is
// free (F clear); otherwise, or while the overflow bit PFO is set, it is lost
// (counted). Software reads a record and clears its F bit (write 1) to free
// it. The fault event (FECTL.IP) is pending while any record is full or PFO is
// set; the interrupt line is high while it is pending and unmasked.

import { FECTL, FRCD, FSTS, type Access, type FaultReason } from './format.js';

/** One fault record, as the registers hold it (the address keeps its page offset, which VT-d leaves reserved). */
export interface FaultRecord {
  /** Routing ID of the requester (VT-d's source ID). */
  requester: number;
  addr: number;
  /** The VT-d fault reason code (format.ts FAULT). */
  code: number;
  reason: FaultReason;
  access: Access;
}

export interface FaultLogState {
  records: (FaultRecord | null)[];
  next: number;
  overflow: boolean;
  masked: boolean;
  line: number;
}

export class FaultLog {
  private records: (FaultRecord | undefined)[];
  /** FSTS.FRI: where the next fault goes. */
  private next = 0;
  /** FSTS.PFO. */
  private overflow = false;
  /** FECTL.IM. */
  masked = true;
  /** FEDATA: the interrupt line of the fault event (virtlab has no APIC: the data names the line, as MSI-X data does). */
  line = 0;

  constructor(readonly size: number) {
    this.records = new Array<FaultRecord | undefined>(size).fill(undefined);
  }

  reset(): void {
    this.records.fill(undefined);
    this.next = 0;
    this.overflow = false;
    this.masked = true;
    this.line = 0;
  }

  /** Log a fault; false when it was lost (the ring is full or has overflowed). */
  record(f: FaultRecord): boolean {
    if (this.overflow) return false;
    if (this.records[this.next] !== undefined) {
      this.overflow = true;
      return false;
    }
    this.records[this.next] = f;
    this.next = (this.next + 1) % this.size;
    return true;
  }

  /** FECTL.IP: a record is full or the ring overflowed. */
  get pending(): boolean {
    return this.overflow || this.records.some((r) => r !== undefined);
  }

  /** The interrupt line's level: pending and not masked. */
  get raised(): boolean {
    return this.pending && !this.masked;
  }

  /** Full records, oldest first (starting after the write position and wrapping). */
  list(): FaultRecord[] {
    const out: FaultRecord[] = [];
    for (let i = 0; i < this.size; i++) {
      const r = this.records[(this.next + i) % this.size];
      if (r) out.push({ ...r });
    }
    return out;
  }

  /** Free every record and clear the overflow (what a driver's fault handler does once it has read them). */
  clear(): void {
    this.records.fill(undefined);
    this.overflow = false;
  }

  readStatus(): number {
    return (this.overflow ? FSTS.PFO : 0) | (this.records.some((r) => r !== undefined) ? FSTS.PPF : 0) | (this.next << FSTS.FRI_SHIFT);
  }

  /** FSTS write: PFO is write-1-to-clear. */
  writeStatus(v: number): void {
    if (v & FSTS.PFO) this.overflow = false;
  }

  readControl(): number {
    return (this.masked ? FECTL.IM : 0) | (this.pending ? FECTL.IP : 0);
  }

  writeControl(v: number): void {
    this.masked = (v & FECTL.IM) !== 0;
  }

  /** Dword `dw` (0..3) of fault-recording register `i`. */
  readRecord(i: number, dw: number): number {
    const r = this.records[i];
    if (!r) return 0;
    if (dw === 0) return r.addr >>> 0;
    if (dw === 2) return r.requester & 0xffff;
    if (dw === 3) return ((r.code & FRCD.FR_MASK) | (r.access === 'read' ? FRCD.T : 0) | FRCD.F) >>> 0;
    return 0;
  }

  /** Writing 1 to F (dword 3, bit 31) frees the record. */
  writeRecord(i: number, dw: number, v: number): void {
    if (dw === 3 && (v & FRCD.F) !== 0) this.records[i] = undefined;
  }

  save(): FaultLogState {
    return { records: this.records.map((r) => (r ? { ...r } : null)), next: this.next, overflow: this.overflow, masked: this.masked, line: this.line };
  }

  restore(s: FaultLogState): void {
    if (s.records.length !== this.size) throw new Error(`iommu: the snapshot has ${s.records.length} fault records, this IOMMU ${this.size}`);
    this.records = s.records.map((r) => (r ? { ...r } : undefined));
    this.next = s.next;
    this.overflow = s.overflow;
    this.masked = s.masked;
    this.line = s.line;
  }
}
