// Loads and stores of every width (sign and zero extension, little-endian
// byte order), the write journal on its own, and the counter names.

import { describe, expect, test } from 'vitest';
import { EXC } from '../../src/isa/index.js';
import { createCounters, EXC_COUNTER, MemoryJournal, PhysicalMemory } from '../../src/machine/index.js';
import { boot, li } from './helpers.js';

describe('loads and stores', () => {
  test('little-endian, with sign and zero extension', () => {
    const { m, eng } = boot([
      ...li('a0', 0x2000),
      ...li('a1', 0x80f1_7f82),
      ['sw', 'a1', { offset: 0, base: 'a0' }],
      ['lb', 's0', { offset: 0, base: 'a0' }], // 0x82 -> -126
      ['lbu', 's1', { offset: 0, base: 'a0' }], // 0x82
      ['lb', 's2', { offset: 1, base: 'a0' }], // 0x7f
      ['lh', 't0', { offset: 2, base: 'a0' }], // 0x80f1 -> negative
      ['lhu', 't1', { offset: 2, base: 'a0' }],
      ['lw', 't2', { offset: 0, base: 'a0' }],
      ['halt', 'zero'],
    ]);
    eng.run(100);
    const r = m.cpu.regs;
    expect([r[12], r[13], r[14], r[8], r[9], r[10]]).toEqual([-126, 0x82, 0x7f, 0x80f1 - 0x10000, 0x80f1, 0x80f1_7f82 | 0]);
    expect(Array.from(m.mem.slice(0x2000, 4))).toEqual([0x82, 0x7f, 0xf1, 0x80]);
  });
  test('sh and sb write only their bytes', () => {
    const { m, eng } = boot([
      ...li('a0', 0x2000), ...li('a1', 0x11223344), ['sw', 'a1', { offset: 0, base: 'a0' }],
      ...li('a2', 0xaabbccdd), ['sh', 'a2', { offset: 2, base: 'a0' }], ['sb', 'a2', { offset: 0, base: 'a0' }],
      ['halt', 'zero'],
    ]);
    eng.run(100);
    expect(m.mem.read32(0x2000) >>> 0).toBe(0xccdd33dd);
  });
  test('negative offsets and address wrap-around below zero', () => {
    const { m, eng } = boot([...li('a0', 0x2010), ['addi', 'a1', 'zero', 5], ['sw', 'a1', { offset: -16, base: 'a0' }], ['lw', 's0', { offset: -16, base: 'a0' }], ['halt', 'zero']]);
    eng.run(100);
    expect(m.mem.read32(0x2000)).toBe(5);
    expect(m.cpu.regs[12]).toBe(5);
  });
  test('stores into code are seen by the next fetch (no stale decoded copy)', () => {
    // Overwrite the instruction at `patch` (halt zero) with `halt a0` before reaching it.
    const { eng, labels } = boot([
      ['addi', 'a0', 'zero', 9],
      ['ori', 'a1', 'zero', '@patch'],
      ['ori', 'a2', 'zero', '@template'],
      ['lw', 'a3', { offset: 0, base: 'a2' }],
      ['sw', 'a3', { offset: 0, base: 'a1' }],
      'patch:', ['halt', 'zero'],
      'template:', ['halt', 'a0'],
    ]);
    expect(eng.run(100).stop).toMatchObject({ kind: 'halted', code: 9, pc: labels.get('patch') });
  });
});

describe('MemoryJournal', () => {
  test('records old values of every width and undoes newest first', () => {
    const mem = new PhysicalMemory(4096);
    mem.write32(0, 0x11223344);
    const j = new MemoryJournal(mem);
    mem.journal = j;
    const mark = j.mark();
    mem.write8(1, 0xaa);
    mem.write16(2, 0xbbbb);
    mem.write32(0, 0);
    mem.write8(1, 0xcc);
    expect(j.length).toBe(4);
    const middle = 2;
    j.undoTo(middle);
    expect(mem.read32(0) >>> 0).toBe(0xbbbbaa44);
    j.undoTo(mark);
    expect(mem.read32(0) >>> 0).toBe(0x11223344);
    expect(j.length).toBe(0);
  });
  test('physical accessors refuse addresses outside RAM', () => {
    const mem = new PhysicalMemory(4096);
    expect(() => mem.read32(4096)).toThrow(RangeError);
    expect(() => mem.write16(1, 0)).toThrow(/misaligned/);
  });
});

describe('counters', () => {
  test('every exception code has its own counter', () => {
    const c = createCounters();
    for (const code of Object.values(EXC)) {
      const name = EXC_COUNTER[code];
      expect(name && name in c, `code ${code}`).toBe(true);
    }
    expect(EXC_COUNTER[EXC.PAGE_FAULT]).toBe('excPageFault');
    expect(EXC_COUNTER[EXC.DIVIDE_BY_ZERO]).toBe('excDivideByZero');
  });
});
