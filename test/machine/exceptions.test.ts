// Every exception: its CAUSE (with detail bits), EPC and FAULTADDR, trap entry
// and exit, preciseness (nothing of the faulting instruction is committed),
// and the "unhandled trap" stop when TVEC is 0.

import { describe, expect, test } from 'vitest';
import { CAUSE, EXC, INSTRUCTIONS, STATUS, lookupMnemonic, encode } from '../../src/isa/index.js';
import { loadImage, Machine } from '../../src/machine/index.js';
import { Interpreter } from '../../src/engine/interp/index.js';
import { boot, crs, enterRing, HALTING_HANDLER, li, setTvec, textImage, type Row } from './helpers.js';

/** Run a program whose handler halts with 0x7e; return the machine after the trap. */
function trapOf(body: Row[], tail: Row[] = []): { m: Machine; labels: Map<string, number> } {
  const { m, eng, labels } = boot([...setTvec(), ...body, ['halt', 'zero'], ...tail, ...HALTING_HANDLER]);
  const r = eng.run(1000);
  expect(r.stop, 'the handler ran').toMatchObject({ kind: 'halted', code: 0x7e });
  return { m, labels };
}

describe('undefined instruction', () => {
  function undefinedWord(word: number): Machine {
    const m = new Machine({ memorySize: 1 << 20 });
    const setTvecWords = [encode(lookupMnemonic('ori')!, [15, 0, 0x100c]), encode(lookupMnemonic('mtcr')!, [1, 15])];
    const handler = [encode(lookupMnemonic('halt')!, [0])];
    loadImage(m, textImage([...setTvecWords, word, ...handler]));
    const r = new Interpreter(m).run(100);
    expect(r.stop.kind).toBe('halted');
    return m;
  }
  const cases: [string, number][] = [
    ['all-zero word', 0x00000000],
    ['unassigned opcode', 0x12000000],
    ['VMX-range opcode', 0xe0000000],
    ['reserved bit set in an R-format word', encode(lookupMnemonic('add')!, [1, 2, 3]) | 1],
    ['shift amount 32', (encode(lookupMnemonic('slli')!, [1, 2, 0]) | 32) >>> 0],
    ['control register 7', (encode(lookupMnemonic('mfcr')!, [1, 0]) | (7 << 16)) >>> 0],
    ['hcall on bare metal', encode(lookupMnemonic('hcall')!, [42])],
  ];
  for (const [what, word] of cases) {
    test(what, () => {
      const m = undefinedWord(word);
      expect(crs(m)).toMatchObject({ cause: EXC.UNDEFINED, epc: 0x1008 });
      expect(m.counters.excUndefined).toBe(1);
    });
  }
});

describe('protection fault', () => {
  const privileged = INSTRUCTIONS.filter((d) => d.klass === 'privileged');
  test('there are privileged instructions', () => expect(privileged.length).toBeGreaterThan(5));
  for (const def of privileged) {
    test(`${def.mnemonic} at ring 3`, () => {
      const operands = def.operands.map((o) => (o.kind === 'port' ? { offset: 0x10, base: 0 } : 0));
      const { m, labels } = trapOf([...enterRing(3, 'user')], ['user:', [def.mnemonic, ...operands] as Row]);
      expect(crs(m)).toMatchObject({ cause: EXC.PROTECTION, epc: labels.get('user') });
      expect((crs(m).status & STATUS.PPL_MASK) >>> STATUS.PPL_SHIFT).toBe(3);
      expect(m.counters.excProtection).toBe(1);
    });
  }
  test('ring 1 is not ring 0 for privileged instructions', () => {
    const { m } = trapOf([...enterRing(1, 'kern')], ['kern:', ['cli']]);
    expect(crs(m).cause).toBe(EXC.PROTECTION);
  });
});

describe('misaligned accesses', () => {
  test('lw: FAULTADDR is the address, rd not written', () => {
    const { m, labels } = trapOf([...li('a0', 0x2002), ['addi', 'a1', 'zero', 9], 'bad:', ['lw', 'a1', { offset: 0, base: 'a0' }]]);
    expect(crs(m)).toMatchObject({ cause: EXC.MISALIGNED, epc: labels.get('bad'), faultaddr: 0x2002 });
    expect(m.cpu.regs[5]).toBe(9);
  });
  test('sh sets the WRITE bit and writes nothing', () => {
    const { m } = trapOf([...li('a0', 0x2001), ['addi', 'a1', 'zero', -1], ['sh', 'a1', { offset: 0, base: 'a0' }]]);
    expect(crs(m)).toMatchObject({ cause: EXC.MISALIGNED | CAUSE.WRITE, faultaddr: 0x2001 });
    expect(m.mem.read32(0x2000)).toBe(0);
  });
  test('byte accesses are never misaligned', () => {
    const { m, eng } = boot([...li('a0', 0x2003), ['addi', 'a1', 'zero', 0x5a], ['sb', 'a1', { offset: 0, base: 'a0' }], ['lbu', 'a2', { offset: 0, base: 'a0' }], ['halt', 'a2']]);
    expect(eng.run(100).stop).toMatchObject({ kind: 'halted', code: 0x5a });
    expect(m.mem.read8(0x2003)).toBe(0x5a);
  });
  test('jalr to a misaligned target faults on the jump: FETCH bit, FAULTADDR = target, rd not written', () => {
    const { m, labels } = trapOf([...li('a0', 0x3002), ['addi', 'ra', 'zero', 7], 'jump:', ['jalr', 'ra', 'a0', 0]]);
    expect(crs(m)).toMatchObject({ cause: EXC.MISALIGNED | CAUSE.FETCH, epc: labels.get('jump'), faultaddr: 0x3002 });
    expect(m.cpu.regs[1]).toBe(7);
  });
  test('jalr at ring 3 adds the USER bit', () => {
    const { m } = trapOf([...enterRing(3, 'user')], ['user:', ['addi', 'a0', 'zero', 1], ['jalr', 'ra', 'a0', 0]]);
    expect(crs(m)).toMatchObject({ cause: EXC.MISALIGNED | CAUSE.FETCH | CAUSE.USER, faultaddr: 1 });
  });
  test('rett to a misaligned EPC faults on the fetch with EPC = FAULTADDR = that pc', () => {
    const { m } = trapOf([...li('a0', 0x1006), ['mtcr', 'epc', 'a0'], ['rett']]);
    expect(crs(m)).toMatchObject({ cause: EXC.MISALIGNED | CAUSE.FETCH, epc: 0x1006, faultaddr: 0x1006 });
  });
});

describe('divide by zero', () => {
  for (const op of ['div', 'divu', 'rem', 'remu']) {
    test(`${op}: rd unchanged`, () => {
      const { m, labels } = trapOf([['addi', 'a0', 'zero', 10], ['addi', 'a2', 'zero', 3], 'bad:', [op, 'a2', 'a0', 'zero']]);
      expect(crs(m)).toMatchObject({ cause: EXC.DIVIDE_BY_ZERO, epc: labels.get('bad') });
      expect(m.cpu.regs[6]).toBe(3);
      expect(m.counters.excDivideByZero).toBe(1);
    });
  }
});

describe('breakpoint and system call', () => {
  test('brk saves its own pc', () => {
    const { m, labels } = trapOf(['b:', ['brk']]);
    expect(crs(m)).toMatchObject({ cause: EXC.BREAKPOINT, epc: labels.get('b') });
  });
  test('syscall saves the next pc', () => {
    const { m, labels } = trapOf(['s:', ['syscall']]);
    expect(crs(m)).toMatchObject({ cause: EXC.SYSCALL, epc: labels.get('s')! + 4 });
  });
  test('a trap does not retire the instruction', () => {
    const { m } = trapOf([['syscall']]);
    // ori, mtcr (tvec) retired; syscall did not; addi and halt of the handler retired.
    expect(m.counters).toMatchObject({ instructions: 4, steps: 5, exceptions: 1, excSyscall: 1 });
  });
});

describe('trap entry and rett', () => {
  test('entry saves CPL and IE into PPL and PIE, clears IE, enters ring 0; rett undoes it', () => {
    const { m, eng } = boot([
      ...setTvec(),
      ...enterRing(3, 'user', STATUS.PIE), // rett to ring 3 with IE = PIE = 1
      'user:',
      ['rdflags', 's0'], // STATUS seen at ring 3
      ['syscall'],
      ['rdflags', 's2'], // back at ring 3 after rett
      ['syscall'],
      'handler:',
      ['mfcr', 's1', 'status'], // STATUS inside the handler
      ['bne', 's2', 'zero', '@done'],
      ['rett'],
      'done:',
      ['halt', 'zero'],
    ]);
    expect(eng.run(1000).stop.kind).toBe('halted');
    const [user, inHandler, back] = [m.cpu.regs[12]!, m.cpu.regs[13]!, m.cpu.regs[14]!];
    expect(user & STATUS.CPL_MASK).toBe(3);
    expect(user & STATUS.IE).toBe(STATUS.IE);
    expect(inHandler & STATUS.CPL_MASK).toBe(0);
    expect(inHandler & STATUS.IE).toBe(0);
    expect((inHandler & STATUS.PPL_MASK) >>> STATUS.PPL_SHIFT).toBe(3);
    expect(inHandler & STATUS.PIE).toBe(STATUS.PIE);
    expect(back & (STATUS.CPL_MASK | STATUS.IE)).toBe(3 | STATUS.IE);
  });
  test('FAULTADDR is left alone by traps without an address', () => {
    const { m } = trapOf([...li('a0', 0x1234), ['mtcr', 'faultaddr', 'a0'], ['brk']]);
    expect(crs(m).faultaddr).toBe(0x1234);
  });
});

describe('unhandled traps', () => {
  test('TVEC = 0 stops the machine naming the cause and pc, with the state untouched', () => {
    const { m, eng } = boot([['addi', 'a0', 'zero', 1], ['div', 'a1', 'a0', 'zero']]);
    const r = eng.run(100);
    expect(r.stop).toMatchObject({ kind: 'trap', cause: EXC.DIVIDE_BY_ZERO, pc: 0x1004 });
    expect(r.stop.kind === 'trap' && r.stop.message).toBe('unhandled trap: divide by zero (cause 0x00000005) at pc 0x00001004 (TVEC is 0)');
    expect(m.cpu.pc).toBe(0x1004);
    expect(crs(m).cause).toBe(0);
    // The machine stays stopped.
    expect(eng.run(100)).toMatchObject({ stop: { kind: 'trap' }, steps: 0 });
  });
  test('the message of a fault with an address includes it', () => {
    const b = boot([...li('a0', 0x2002), ['lw', 'a1', { offset: 0, base: 'a0' }]]);
    const r = b.eng.run(100);
    expect(r.stop.kind === 'trap' && r.stop.message).toContain('misaligned access (cause 0x00000004) at pc 0x00001008, faultaddr 0x00002002');
  });
  test('fetching outside RAM is an undefined instruction', () => {
    const { eng } = boot([...li('a0', 0x7000_0000), ['jalr', 'zero', 'a0', 0]]);
    const r = eng.run(100);
    expect(r.stop).toMatchObject({ kind: 'trap', cause: EXC.UNDEFINED, pc: 0x7000_0000 });
  });
  test('falling off the program into zeroed memory is an undefined instruction', () => {
    const { eng } = boot([['addi', 'a0', 'zero', 1]]);
    expect(eng.run(100).stop).toMatchObject({ kind: 'trap', cause: EXC.UNDEFINED, pc: 0x1004 });
  });
});
