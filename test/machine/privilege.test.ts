// Sensitive-but-unprivileged instructions behave as the table says at ring 0
// and at rings 1-3 (the Popek-Goldberg holes), and mtcr respects STATUS.WRITABLE.

import { describe, expect, test } from 'vitest';
import { STATUS } from '../../src/isa/index.js';
import { boot, crs, enterRing, HALTING_HANDLER, li, setTvec } from './helpers.js';

const USER_FLAGS = 0x5a00;

describe('rdflags / wrflags', () => {
  test('rdflags shows the real ring and IE at ring 3', () => {
    const { m, eng } = boot([...setTvec(), ...enterRing(3, 'user', STATUS.PIE), 'user:', ['rdflags', 's0'], ['syscall'], ...HALTING_HANDLER]);
    eng.run(100);
    expect(m.cpu.regs[12]! & (STATUS.CPL_MASK | STATUS.IE)).toBe(3 | STATUS.IE);
  });
  test('wrflags at ring 0 writes IE and the user flags, nothing else', () => {
    const { m, eng } = boot([...li('a0', 0xffffffff), ['wrflags', 'a0'], ['rdflags', 's0'], ['halt', 'zero']]);
    eng.run(100);
    expect(crs(m).status).toBe(STATUS.IE | STATUS.USER_MASK);
    expect(m.cpu.regs[12]! >>> 0).toBe(STATUS.IE | STATUS.USER_MASK);
  });
  test('wrflags at ring 3 changes the user flags and silently keeps IE (no fault)', () => {
    const { m, eng } = boot([
      ...setTvec(),
      ...enterRing(3, 'user', STATUS.PIE), // IE = 1 at ring 3
      'user:',
      ...li('a0', USER_FLAGS), // IE bit clear in the value
      ['wrflags', 'a0'],
      ['rdflags', 's0'],
      ['ori', 'a0', 'a0', STATUS.IE],
      ['syscall'],
      ...HALTING_HANDLER,
    ]);
    eng.run(100);
    const seen = m.cpu.regs[12]!;
    expect(seen & STATUS.USER_MASK).toBe(USER_FLAGS);
    expect(seen & STATUS.IE).toBe(STATUS.IE); // kept, not cleared
    expect(m.counters.exceptions).toBe(1); // only the syscall
  });
  test('wrflags at ring 1 cannot set IE either', () => {
    const { m, eng } = boot([...setTvec(), ...enterRing(1, 'kern'), 'kern:', ['ori', 'a0', 'zero', STATUS.IE], ['wrflags', 'a0'], ['rdflags', 's0'], ['syscall'], ...HALTING_HANDLER]);
    eng.run(100);
    expect(m.cpu.regs[12]! & (STATUS.IE | STATUS.CPL_MASK)).toBe(1);
  });
});

describe('rdtvec / rdptbr', () => {
  test('work at ring 3 and read the real registers', () => {
    const { m, eng, labels } = boot([
      ...setTvec(),
      ...li('a0', 0x00abc000), ['mtcr', 'ptbr', 'a0'],
      ...enterRing(3, 'user'),
      'user:', ['rdtvec', 's0'], ['rdptbr', 's1'], ['syscall'],
      ...HALTING_HANDLER,
    ]);
    eng.run(100);
    expect(m.cpu.regs[12]).toBe(labels.get('handler'));
    expect(m.cpu.regs[13]).toBe(0x00abc000);
    expect(m.counters.exceptions).toBe(1);
  });
});

describe('mtcr / mfcr', () => {
  test('mtcr status writes only STATUS.WRITABLE: CPL and reserved bits stay', () => {
    const { m, eng } = boot([...li('a0', 0xffffffff & ~STATUS.PG), ['mtcr', 'status', 'a0'], ['mfcr', 's0', 'status'], ['halt', 'zero']]);
    expect(eng.run(100).stop.kind).toBe('halted'); // still ring 0: halt works
    expect(m.cpu.regs[12]! >>> 0).toBe(STATUS.WRITABLE & ~STATUS.PG);
  });
  test('the other control registers hold any value', () => {
    const { m, eng } = boot([...li('a0', 0xdeadbeef), ['mtcr', 'scratch', 'a0'], ['mtcr', 'epc', 'a0'], ['mfcr', 's0', 'scratch'], ['halt', 'zero']]);
    eng.run(100);
    expect(m.cpu.regs[12]! >>> 0).toBe(0xdeadbeef);
    expect(crs(m).epc).toBe(0xdeadbeef);
  });
  test('cli and sti', () => {
    const { m, eng } = boot([['sti'], ['rdflags', 's0'], ['cli'], ['rdflags', 's1'], ['halt', 'zero']]);
    eng.run(100);
    expect(m.cpu.regs[12]! & STATUS.IE).toBe(STATUS.IE);
    expect(m.cpu.regs[13]! & STATUS.IE).toBe(0);
  });
});

describe('halt', () => {
  test('stops with the exit code from the register and counts as retired', () => {
    const { m, eng } = boot([['addi', 'a0', 'zero', -3], ['halt', 'a0']]);
    const r = eng.run(100);
    expect(r).toEqual({ stop: { kind: 'halted', code: -3, pc: 0x1004 }, steps: 2 });
    expect(m.counters.instructions).toBe(2);
  });
});
