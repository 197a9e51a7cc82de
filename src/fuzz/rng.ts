// A small deterministic random generator for the fuzzers: everything a
// campaign generates follows from its seed, so a seed replays a case exactly.

export class Rng {
  private s: number;

  constructor(seed: number) {
    // mulberry32: full 32-bit state, good enough mixing for test generation.
    this.s = (seed >>> 0) ^ 0x9e3779b9;
  }

  /** An unsigned 32-bit number. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** 0 .. n-1. */
  int(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }

  /** lo .. hi inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** A 32-bit value biased to the edges arithmetic gets wrong (0, 1, -1, the sign bit, small numbers). */
  interesting(): number {
    switch (this.int(6)) {
      case 0: return this.pick([0, 1, -1, 2, 0x7fffffff, -0x80000000, 0xffff, 0x8000, -2]);
      case 1: return this.range(-16, 16);
      case 2: return 1 << this.int(32);
      default: return this.u32() | 0;
    }
  }
}

/** Seeds for a campaign: the n-th case of seed S is case seed mix(S, n). */
export function caseSeed(seed: number, n: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x85ebca6b, 0xc2b2ae35) ^ Math.imul(n + 1, 0x27d4eb2f);
  h ^= h >>> 16;
  return Math.imul(h, 0x7feb352d) >>> 0;
}
