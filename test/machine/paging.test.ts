// Paging and the TLB: mappings, user/supervisor and write protection, A/D bits
// written back, page-fault details, and real TLB behaviour (a stale entry is
// used until tlbi/tlbia/PTBR write).

import { describe, expect, test } from 'vitest';
import { CAUSE, CR, EXC, PTE, STATUS } from '../../src/isa/index.js';
import type { Machine } from '../../src/machine/index.js';
import { boot, crs, enterRing, HALTING_HANDLER, li, setTvec, type Row } from './helpers.js';

const DIR = 0x80000;
const P = PTE.P, W = PTE.W, U = PTE.U;

/** Page tables in a 1 MiB machine: identity map of RAM (user, writable) plus extra mappings. */
class Tables {
  private next = 0x81000;
  constructor(private readonly m: Machine) {
    for (let a = 0; a < 0x100000; a += 0x1000) this.map(a, a, P | W | U);
  }
  pdeAddr(va: number): number {
    return DIR + (va >>> 22) * 4;
  }
  pteAddr(va: number): number {
    const pde = this.m.mem.read32(this.pdeAddr(va));
    return (pde & PTE.FRAME_MASK) + ((va >>> 12) & 0x3ff) * 4;
  }
  map(va: number, pa: number, flags: number, pdeFlags = P | W | U): void {
    const pdeAt = this.pdeAddr(va);
    let pde = this.m.mem.read32(pdeAt);
    if ((pde & P) === 0) {
      pde = this.next | pdeFlags;
      this.next += 0x1000;
    }
    this.m.mem.write32(pdeAt, (pde & PTE.FRAME_MASK) | pdeFlags);
    this.m.mem.write32(this.pteAddr(va), (pa & PTE.FRAME_MASK) | flags);
  }
  pte(va: number): number {
    return this.m.mem.read32(this.pteAddr(va)) >>> 0;
  }
  pde(va: number): number {
    return this.m.mem.read32(this.pdeAddr(va)) >>> 0;
  }
}

const PAGING_ON: Row[] = [...li('at', DIR), ['mtcr', 'ptbr', 'at'], ...li('at', STATUS.PG), ['mtcr', 'status', 'at']];

function run(rows: Row[], setup: (t: Tables, m: Machine) => void) {
  const b = boot([...setTvec(), ...PAGING_ON, ...rows, ['halt', 'zero'], ...HALTING_HANDLER]);
  const t = new Tables(b.m);
  setup(t, b.m);
  const r = b.eng.run(10_000);
  return { ...b, t, r };
}

const VA = 0x00400000;
/** Where Tables puts the PTE of VA: the second table (the first maps RAM), identity-mapped. */
const PTE_OF_VA = 0x82000 + ((VA >>> 12) & 0x3ff) * 4;

describe('translation', () => {
  test('a mapped page reaches its frame; loads and stores of every width', () => {
    const { m, r } = run([
      ...li('a0', VA + 0x10),
      ...li('a1', 0x11223344),
      ['sw', 'a1', { offset: 0, base: 'a0' }],
      ['lhu', 's0', { offset: 2, base: 'a0' }],
      ['lb', 's1', { offset: 3, base: 'a0' }],
      ['sb', 'a1', { offset: 5, base: 'a0' }],
    ], (t) => t.map(VA, 0x30000, P | W));
    expect(r.stop.kind).toBe('halted');
    expect(m.mem.read32(0x30010) >>> 0).toBe(0x11223344);
    expect(m.mem.read8(0x30015)).toBe(0x44);
    expect(m.cpu.regs[12]).toBe(0x1122);
    expect(m.cpu.regs[13]).toBe(0x11);
  });

  test('the walk sets A on both levels for a read, and D on the table entry for a write', () => {
    const { t, r } = run([...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }], ['lw', 's0', { offset: 0x1000, base: 'a0' }], ['sw', 's0', { offset: 0x1000, base: 'a0' }]], (t) => {
      t.map(VA, 0x30000, P | W);
      t.map(VA + 0x1000, 0x31000, P | W);
      t.map(VA + 0x2000, 0x32000, P | W);
    });
    expect(r.stop.kind).toBe('halted');
    expect(t.pde(VA) & (PTE.A | PTE.D)).toBe(PTE.A);
    expect(t.pte(VA) & (PTE.A | PTE.D)).toBe(PTE.A);
    expect(t.pte(VA + 0x1000) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
    expect(t.pte(VA + 0x2000) & (PTE.A | PTE.D)).toBe(0);
  });

  test('MMIO through paging: a page mapping the console registers', () => {
    const { m, r } = run([...li('a0', VA), ['addi', 'a1', 'zero', 0x41], ['sw', 'a1', { offset: 0, base: 'a0' }], ['lw', 's0', { offset: 4, base: 'a0' }]], (t) => {
      t.map(VA, 0xf0000000, P | W);
    });
    expect(r.stop.kind).toBe('halted');
    expect(m.console!.text()).toBe('A');
    expect(m.cpu.regs[12]).toBe(0); // status: no input
    expect(m.counters).toMatchObject({ mmioWrites: 1, mmioReads: 1 });
  });
});

describe('page faults', () => {
  test('table entry not present: no PRESENT bit, FAULTADDR and EPC', () => {
    const { m, labels, r } = run([...li('a0', VA + 0x123), 'bad:', ['lbu', 's0', { offset: 0, base: 'a0' }]], (t) => t.map(VA, 0x30000, 0));
    expect(r.stop.kind).toBe('halted');
    expect(crs(m)).toMatchObject({ cause: EXC.PAGE_FAULT, faultaddr: VA + 0x123, epc: labels.get('bad') });
  });
  test('directory entry not present', () => {
    const { m } = run([...li('a0', 0x00c00000), ['sw', 'a0', { offset: 0, base: 'a0' }]], () => {});
    expect(crs(m)).toMatchObject({ cause: EXC.PAGE_FAULT | CAUSE.WRITE, faultaddr: 0x00c00000 });
  });
  test('a store to a read-only page faults at ring 0 too (W applies at every ring)', () => {
    const { m } = run([...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }], ['sw', 's0', { offset: 0, base: 'a0' }]], (t) => t.map(VA, 0x30000, P));
    expect(crs(m)).toMatchObject({ cause: EXC.PAGE_FAULT | CAUSE.WRITE | CAUSE.PRESENT, faultaddr: VA });
  });
  test('W must be set at both levels', () => {
    const { m } = run([...li('a0', VA), ['sw', 'a0', { offset: 0, base: 'a0' }]], (t) => t.map(VA, 0x30000, P | W, P | U));
    expect(crs(m).cause).toBe(EXC.PAGE_FAULT | CAUSE.WRITE | CAUSE.PRESENT);
  });
  test('ring 3 may not read a supervisor page: USER and PRESENT', () => {
    const { m } = run([...enterRing(3, 'user', STATUS.PG), 'user:', ...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }]], (t) => t.map(VA, 0x30000, P | W));
    expect(crs(m)).toMatchObject({ cause: EXC.PAGE_FAULT | CAUSE.USER | CAUSE.PRESENT, faultaddr: VA });
  });
  test('U must be set at both levels for ring 3', () => {
    const { m } = run([...enterRing(3, 'user', STATUS.PG), 'user:', ...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }]], (t) => t.map(VA, 0x30000, P | W | U, P | W));
    expect(crs(m).cause).toBe(EXC.PAGE_FAULT | CAUSE.USER | CAUSE.PRESENT);
  });
  test('ring 3 fetching from a supervisor page: FETCH, USER, PRESENT; EPC = FAULTADDR = target', () => {
    const { m } = run([...enterRing(3, 'user', STATUS.PG), 'user:', ...li('a0', VA), ['jalr', 'zero', 'a0', 0]], (t) => t.map(VA, 0x30000, P | W));
    expect(crs(m)).toMatchObject({ cause: EXC.PAGE_FAULT | CAUSE.FETCH | CAUSE.USER | CAUSE.PRESENT, faultaddr: VA, epc: VA });
  });
  test('rings 1 and 2 are supervisor: they reach supervisor pages', () => {
    for (const ring of [1, 2]) {
      const { m, r } = run([...enterRing(ring, 'kern', STATUS.PG), 'kern:', ...li('a0', VA), ['sw', 'a0', { offset: 0, base: 'a0' }], ['syscall']], (t) => t.map(VA, 0x30000, P | W));
      expect(r.stop.kind).toBe('halted');
      expect(crs(m).cause).toBe(EXC.SYSCALL);
      expect(m.mem.read32(0x30000)).toBe(VA);
    }
  });
  test('a directory table outside RAM reads as not present', () => {
    const { m } = run([...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }]], (t, mm) => {
      mm.mem.write32(t.pdeAddr(VA), 0x7000_0000 | P | W);
    });
    expect(crs(m).cause).toBe(EXC.PAGE_FAULT);
  });
});

describe('TLB', () => {
  // Read VA (cached -> frame A), repoint the PTE at frame B with a store, read again.
  const repoint = (after: Row[]): Row[] => [
    ...li('a0', VA),
    ['lw', 's0', { offset: 0, base: 'a0' }],
    ...li('a1', PTE_OF_VA), // PTE address (first extra table, identity-mapped)
    ...li('a2', 0x31000 | P | W),
    ['sw', 'a2', { offset: 0, base: 'a1' }],
    ...after,
    ['lw', 's1', { offset: 0, base: 'a0' }],
  ];
  const frames = (t: Tables, m: Machine) => {
    t.map(VA, 0x30000, P | W);
    m.mem.write32(0x30000, 0xaaaa);
    m.mem.write32(0x31000, 0xbbbb);
  };
  test('the extra table sits where the test program expects it', () => {
    const b = boot([]);
    const t = new Tables(b.m);
    t.map(VA, 0x30000, P);
    expect(t.pteAddr(VA)).toBe(PTE_OF_VA);
  });
  test('editing a PTE without tlbi leaves the stale mapping in use', () => {
    const { m, t } = run(repoint([]), frames);
    expect(t.pte(VA) & PTE.FRAME_MASK).toBe(0x31000);
    expect(m.cpu.regs[12]).toBe(0xaaaa);
    expect(m.cpu.regs[13]).toBe(0xaaaa);
  });
  test('tlbi of the page makes the new mapping visible', () => {
    const { m } = run(repoint([['tlbi', 'a0']]), frames);
    expect(m.cpu.regs[13]).toBe(0xbbbb);
    expect(m.counters.tlbInvalidations).toBe(1);
  });
  test('tlbi of another page does not', () => {
    const { m } = run(repoint([['addi', 'a3', 'a0', 0x7ff], ['slli', 'a3', 'a3', 1], ['tlbi', 'a3']]), frames);
    expect(m.cpu.regs[13]).toBe(0xaaaa);
  });
  test('tlbia and writing PTBR flush everything', () => {
    expect(run(repoint([['tlbia']]), frames).m.cpu.regs[13]).toBe(0xbbbb);
    const viaPtbr = run(repoint([['mfcr', 'a3', 'ptbr'], ['mtcr', 'ptbr', 'a3']]), frames);
    expect(viaPtbr.m.cpu.regs[13]).toBe(0xbbbb);
    expect(viaPtbr.m.counters.tlbFlushes).toBe(3); // PTBR write and PG on at boot, then this one
  });
  test('stale permissions: a page made read-only without tlbi stays writable while cached dirty', () => {
    const { m, r } = run([
      ...li('a0', VA),
      ['sw', 'a0', { offset: 0, base: 'a0' }], // caches the entry with D set
      ...li('a1', PTE_OF_VA),
      ...li('a2', 0x30000 | P | PTE.A | PTE.D), // read-only now
      ['sw', 'a2', { offset: 0, base: 'a1' }],
      ['sw', 'a2', { offset: 4, base: 'a0' }], // still allowed: stale entry
      ['tlbi', 'a0'],
      ['sw', 'a2', { offset: 8, base: 'a0' }], // now faults
    ], (t) => t.map(VA, 0x30000, P | W));
    expect(r.stop.kind).toBe('halted');
    expect(m.mem.read32(0x30004) >>> 0).toBe(0x30000 | P | PTE.A | PTE.D);
    expect(crs(m).cause).toBe(EXC.PAGE_FAULT | CAUSE.WRITE | CAUSE.PRESENT);
    expect(m.mem.read32(0x30008)).toBe(0);
  });
  test('a store through a cached entry without D re-walks and sets D', () => {
    const { m, t } = run([...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }], ['sw', 's0', { offset: 0, base: 'a0' }], ['sw', 's0', { offset: 4, base: 'a0' }]], (t) => t.map(VA, 0x30000, P | W));
    expect(t.pte(VA) & PTE.D).toBe(PTE.D);
    // Walks: the code page, the data read, the dirty re-walk; the second store hits.
    expect(m.counters.tlbWalks).toBe(3);
  });
  test('the dirty re-walk sees the current PTE: made read-only in memory, the store faults', () => {
    const { m } = run([
      ...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }],
      ...li('a1', PTE_OF_VA), ...li('a2', 0x30000 | P),
      ['sw', 'a2', { offset: 0, base: 'a1' }],
      ['sw', 's0', { offset: 0, base: 'a0' }],
    ], (t) => t.map(VA, 0x30000, P | W));
    expect(crs(m).cause).toBe(EXC.PAGE_FAULT | CAUSE.WRITE | CAUSE.PRESENT);
  });
  test('a page fault drops the entry (x86): fixing the PTE and retrying works without tlbi', () => {
    const { m, r } = run([
      ...setTvec('fixer'),
      ...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }], // cached read-only
      ...li('a1', PTE_OF_VA),
      'retry:',
      ['sw', 'a0', { offset: 0, base: 'a0' }], // faults once; the handler makes it writable
      ['halt', 's1'],
      'fixer:',
      ...li('a2', 0x30000 | P | W), ['sw', 'a2', { offset: 0, base: 'a1' }],
      ['addi', 's1', 's1', 1],
      ['rett'],
    ], (t) => t.map(VA, 0x30000, P));
    expect(r.stop).toMatchObject({ kind: 'halted', code: 1 });
    expect(m.counters.excPageFault).toBe(1);
    expect(m.mem.read32(0x30000)).toBe(VA);
  });
  test('counters: hits, misses, walks, flushes', () => {
    const { m } = run([...li('a0', VA), ['lw', 's0', { offset: 0, base: 'a0' }], ['lw', 's0', { offset: 4, base: 'a0' }], ['tlbia'], ['lw', 's0', { offset: 8, base: 'a0' }]], (t) => t.map(VA, 0x30000, P | W));
    const c = m.counters;
    // Misses: code page after PG on, VA, code again after tlbia, VA again.
    expect(c.tlbMisses).toBe(4);
    expect(c.tlbWalks).toBe(4);
    expect(c.tlbFlushes).toBe(3); // PTBR write, PG on, tlbia
    // Every fetch and data access with paging on is one lookup: the first 8 instructions
    // (up to the mtcr that sets PG) were fetched with paging off; then 3 loads.
    expect(c.instructions).toBe(15);
    expect(c.tlbHits + c.tlbMisses).toBe(15 - 8 + 3);
  });
});
