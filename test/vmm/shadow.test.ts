// Shadow paging: the real MMU walks shadow tables built from the guest's, and
// the guest must not be able to tell: mappings, staleness without tlbi,
// accessed/dirty bits, page-fault causes, address-space switches, all as on
// the bare machine. Plus the monitor's own bookkeeping, seen in its counters.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CAUSE, EXC, PTE } from '../../src/isa/index.js';
import type { MonitorEvent } from '../../src/vmm/index.js';
import { both, imageOfFile, peekWords, runVm, symbol, VMM_GUESTS } from './helpers.js';

const image = (name: string) => imageOfFile(join(VMM_GUESTS, name));
const PF = EXC.PAGE_FAULT;

describe('the shadow behaves as the guest\'s TLB', () => {
  const img = image('shadow-tlb.s');
  const { native, trap } = both(img);
  const va = 0x400000;
  const frame = (name: string) => symbol(img, name);
  const expected = [
    0xaaaa0000, // r0
    frame('frame_a') | PTE.P | PTE.W | PTE.A, // r1: accessed
    0xaaaa0000, // r2: stale without tlbi
    frame('frame_b') | PTE.P | PTE.W, // r3: the guest sees its write
    0xbbbb0000, // r4: after tlbi
    frame('frame_b') | PTE.P | PTE.W | PTE.A, // r5
    frame('frame_b') | PTE.P | PTE.W | PTE.A | PTE.D, // r6: dirty after a store
    0x88, // r7: the stale dirty entry still allows the store
    1, // r8
    0, // r9
    0xbbbb0000, // r10: stale directory entry
    0xcccc0000, // r11
    va + 12, // r12
    PF | CAUSE.WRITE | CAUSE.PRESENT, // r13
  ];

  test('natively the guest sees these values', () => {
    expect(native.out.code).toBe(0);
    expect(peekWords(native.vm, symbol(img, 'results'), expected.length)).toEqual(expected);
  });

  test('under trap it sees exactly the same', () => {
    expect(trap.out).toEqual(native.out);
    expect(peekWords(trap.vm, symbol(img, 'results'), expected.length)).toEqual(expected);
  });

  test('the monitor traced the page-table writes, honoured tlbi/tlbia, reflected the fault', () => {
    const c = trap.vm.monitor!.counters;
    // pt1 twice and the directory once while paging was on (the earlier writes built tables no shadow used yet).
    expect(c.tracedWrites).toBe(3);
    expect(c.emuSw).toBe(3);
    expect(c.emuTlbi).toBe(1);
    expect(c.emuTlbia).toBe(2);
    expect(c.reflectPageFault).toBe(1);
    expect(c.shadowInvalidations).toBeGreaterThanOrEqual(3);
    expect(c.shadowRegionDrops).toBe(1); // the directory entry change, at the second tlbia
    expect(c.tracedPages).toBeGreaterThanOrEqual(3); // dir, pt0, pt1 (then pt2)
  });
});

describe('guest page faults are reflected with the cause its tables imply', () => {
  test('faults of a ring-3 process: cause, faultaddr and epc as natively', () => {
    const img = image('user-faults.s');
    const { native, trap } = both(img);
    expect(native.out.code).toBe(0);
    expect(trap.out).toEqual(native.out);
    const results = symbol(img, 'results');
    const words = peekWords(native.vm, results, 12);
    const unmapped = 0x800000;
    expect(words).toEqual([
      PF | CAUSE.USER | CAUSE.PRESENT, symbol(img, 'kernel_page'), symbol(img, 'stage0') + 8,
      PF | CAUSE.WRITE | CAUSE.USER | CAUSE.PRESENT, symbol(img, 'ro_page'), symbol(img, 'stage1') + 8,
      PF | CAUSE.FETCH | CAUSE.USER, unmapped, unmapped,
      PF | CAUSE.USER, unmapped + 4, symbol(img, 'stage3') + 8,
    ]);
    expect(peekWords(trap.vm, results, 12)).toEqual(words);
    expect(trap.vm.monitor!.counters.reflectPageFault).toBe(4);
  });
});

describe('switching address spaces', () => {
  const img = image('address-spaces.s');
  const expected = [0xa, 0xb, 0xa, 0xb, 0xa, 0xb, 0xc, 0xd];

  test('the cached shadow of the address space not in use follows edits to its tables', () => {
    const { native, trap } = both(img);
    expect(peekWords(native.vm, symbol(img, 'results'), 8)).toEqual(expected);
    expect(peekWords(trap.vm, symbol(img, 'results'), 8)).toEqual(expected);
    const c = trap.vm.monitor!.counters;
    expect(c.shadowsCreated).toBe(3); // paging off, A, B: every switch after that hits the cache
    expect(c.shadowSwitches).toBe(native.vm.machine.counters.tlbFlushes);
  });

  test('edits to a cached shadow\'s tables drop its entries at once', () => {
    const vm = runVm(img, 'trap', 0).vm;
    const events: MonitorEvent[] = [];
    vm.monitor!.listener = (e) => events.push(e);
    vm.run(100_000);
    const dropped = events.filter((e) => e.kind === 'shadow-invalidate' && e.reason === 'traced-write');
    expect(dropped).toEqual([
      { kind: 'shadow-invalidate', vaddr: 0x400000, region: false, reason: 'traced-write' },
      { kind: 'shadow-invalidate', vaddr: 0x400000, region: true, reason: 'traced-write' },
    ]);
  });

  test('with a cache of one, every switch rebuilds: same results, more fills', () => {
    const cached = runVm(img, 'trap');
    const rebuilt = runVm(img, 'trap', 100_000, { shadowCache: 1 });
    expect(peekWords(rebuilt.vm, symbol(img, 'results'), 8)).toEqual(expected);
    const a = cached.vm.monitor!.counters, b = rebuilt.vm.monitor!.counters;
    expect(b.shadowsCreated).toBe(b.shadowSwitches); // every switch here changes the address space but the first
    expect(b.shadowFills).toBeGreaterThan(a.shadowFills);
  });
});

describe('the shadow\'s own structure', () => {
  test('shadow tables live in monitor memory and map only guest RAM, never the page tables writable', () => {
    const img = image('shadow-tlb.s');
    const { vm } = runVm(img, 'trap');
    const mon = vm.monitor!, layout = vm.layout!, mem = vm.machine.mem;
    const inMonitor = (a: number) => a >= layout.monitorBase && a < layout.monitorBase + layout.monitorSize;
    const state = mon.shadow.save();
    expect(state.shadows.length).toBe(2);
    let leaves = 0;
    for (const sh of state.shadows) {
      expect(inMonitor(sh.dirHpa)).toBe(true);
      for (let i = 0; i < 1024; i++) {
        const pde = mem.read32(sh.dirHpa + 4 * i);
        if ((pde & PTE.P) === 0) continue;
        const table = (pde & PTE.FRAME_MASK) >>> 0;
        expect(inMonitor(table)).toBe(true);
        for (let j = 0; j < 1024; j++) {
          const leaf = mem.read32(table + 4 * j);
          if ((leaf & PTE.P) === 0) continue;
          leaves++;
          const gpa = mon.guest.guestOf((leaf & PTE.FRAME_MASK) >>> 0);
          expect(gpa).toBeGreaterThanOrEqual(0);
          if (mon.shadow.isTraced(gpa >>> 12)) expect(leaf & PTE.W).toBe(0);
        }
      }
    }
    expect(leaves).toBeGreaterThan(5);
    expect(mon.shadow.isTraced(symbol(img, 'dir') >>> 12)).toBe(true);
    expect(mon.shadow.isTraced(symbol(img, 'frame_b') >>> 12)).toBe(false);
  });
});
