// The IOTLB (VT-d chapter 6, "IOTLB"): successful second-level translations, tagged by
// domain ID and page, so one domain's entries never serve another's requests
// and a domain can be dropped alone. Only successful translations are cached
// (CAP.CM = 0: not-present entries are not), so a page newly mapped is seen at
// once, while a page remapped or revoked is seen only after an invalidation.
// Bounded: the oldest entry goes first (a Map keeps insertion order, so the
// choice is deterministic and survives save/restore).

export interface IotlbEntry {
  /** Host-physical frame (bits 31:12). */
  frame: number;
  /** Effective SL.R | SL.W of both levels. */
  perm: number;
}

/** [domain, page, frame, perm] per entry, oldest first. */
export type IotlbState = [number, number, number, number][];

export const DEFAULT_IOTLB_ENTRIES = 64;

const PAGES = 0x10_0000; // 2^20 pages in 32 bits

export class Iotlb {
  private readonly map = new Map<number, IotlbEntry>();

  constructor(readonly capacity = DEFAULT_IOTLB_ENTRIES) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`iommu: IOTLB size ${capacity} must be a positive integer`);
  }

  get size(): number {
    return this.map.size;
  }

  lookup(domain: number, page: number): IotlbEntry | undefined {
    return this.map.get(domain * PAGES + page);
  }

  fill(domain: number, page: number, entry: IotlbEntry): void {
    const key = domain * PAGES + page;
    this.map.delete(key);
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, entry);
  }

  /** Drop everything (global), one domain's entries, or one page of one domain; returns how many went. */
  invalidate(domain?: number, page?: number): number {
    if (domain === undefined) {
      const n = this.map.size;
      this.map.clear();
      return n;
    }
    if (page !== undefined) return this.map.delete(domain * PAGES + page) ? 1 : 0;
    let n = 0;
    for (const key of [...this.map.keys()]) {
      if (Math.floor(key / PAGES) === domain) {
        this.map.delete(key);
        n++;
      }
    }
    return n;
  }

  save(): IotlbState {
    return [...this.map].map(([k, e]) => [Math.floor(k / PAGES), k % PAGES, e.frame, e.perm]);
  }

  restore(s: IotlbState): void {
    this.map.clear();
    for (const [d, p, frame, perm] of s) this.map.set(d * PAGES + p, { frame, perm });
  }
}
