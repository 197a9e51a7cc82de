// ALU semantics checked against reference implementations written here
// independently of the table's expressions (BigInt for the 64-bit products).

import { describe, expect, test } from 'vitest';
import { INSTRUCTIONS } from '../../src/isa/index.js';
import { boot, li, type Row } from './helpers.js';

const MIN = -0x80000000;
const VALUES = [0, 1, -1, 2, 7, -7, 31, 32, 33, 0x7fffffff, MIN, 0x12345678, -0x12345678, 0x0000ffff, 0xffff0000 | 0];

const s32 = (x: bigint): number => Number(BigInt.asIntN(32, x));
const u = (x: number): bigint => BigInt(x >>> 0);
const sb = (x: number): bigint => BigInt(x | 0);

const REF: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => s32(sb(a) + sb(b)),
  sub: (a, b) => s32(sb(a) - sb(b)),
  and: (a, b) => s32(sb(a) & sb(b)),
  or: (a, b) => s32(sb(a) | sb(b)),
  xor: (a, b) => s32(sb(a) ^ sb(b)),
  sll: (a, b) => s32(u(a) << BigInt(b & 31)),
  srl: (a, b) => s32(u(a) >> BigInt(b & 31)),
  sra: (a, b) => s32(sb(a) >> BigInt(b & 31)),
  slt: (a, b) => (a < b ? 1 : 0),
  sltu: (a, b) => (u(a) < u(b) ? 1 : 0),
  mul: (a, b) => s32(sb(a) * sb(b)),
  mulh: (a, b) => s32((sb(a) * sb(b)) >> 32n),
  mulhu: (a, b) => s32((u(a) * u(b)) >> 32n),
  // Toward zero; INT_MIN / -1 wraps to INT_MIN, INT_MIN % -1 is 0 (BigInt division truncates).
  div: (a, b) => s32(sb(a) / sb(b)),
  divu: (a, b) => s32(u(a) / u(b)),
  rem: (a, b) => s32(sb(a) % sb(b)),
  remu: (a, b) => s32(u(a) % u(b)),
};

/** Run `op rd=a2, a0, a1` (or with an immediate) and return a2. */
function runR(mnemonic: string, a: number, b: number): number {
  const { m, eng } = boot([...li('a0', a), ...li('a1', b), [mnemonic, 'a2', 'a0', 'a1'], ['halt', 'zero']]);
  expect(eng.run(100).stop.kind).toBe('halted');
  return m.cpu.regs[6]!;
}

function runI(mnemonic: string, a: number, imm: number): number {
  const { m, eng } = boot([...li('a0', a), [mnemonic, 'a2', 'a0', imm], ['halt', 'zero']]);
  expect(eng.run(100).stop.kind).toBe('halted');
  return m.cpu.regs[6]!;
}

describe('register-register ALU instructions', () => {
  const rows = INSTRUCTIONS.filter((d) => d.sem.kind === 'alu' && d.format === 'R');
  test('every R-format ALU row has a reference here', () => {
    expect(rows.map((d) => d.mnemonic).sort()).toEqual(Object.keys(REF).sort());
  });
  for (const def of rows) {
    test(def.mnemonic, () => {
      const divides = def.sem.kind === 'alu' && def.sem.trapsOnZero;
      for (const a of VALUES) {
        for (const b of [1, -1, 3, 31, 32, MIN, 0x7fffffff, 0x10000]) {
          if (divides && b === 0) continue;
          expect(runR(def.mnemonic, a, b), `${def.mnemonic} ${a}, ${b}`).toBe(REF[def.mnemonic]!(a, b));
        }
      }
    });
  }
});

describe('edge cases named in the ISA', () => {
  test('add and sub wrap', () => {
    expect(runR('add', 0x7fffffff, 1)).toBe(MIN);
    expect(runR('sub', MIN, 1)).toBe(0x7fffffff);
  });
  test('div and rem of INT_MIN by -1', () => {
    expect(runR('div', MIN, -1)).toBe(MIN);
    expect(runR('rem', MIN, -1)).toBe(0);
    expect(runR('divu', MIN, -1)).toBe(0);
    expect(runR('remu', MIN, -1)).toBe(MIN);
  });
  test('signed division truncates toward zero and rem takes the sign of rs1', () => {
    expect(runR('div', -7, 2)).toBe(-3);
    expect(runR('rem', -7, 2)).toBe(-1);
    expect(runR('rem', 7, -2)).toBe(1);
  });
  test('shifts use the low 5 bits of rs2', () => {
    expect(runR('sll', 1, 33)).toBe(2);
    expect(runR('srl', -1, 32)).toBe(-1);
    expect(runR('sra', MIN, 31)).toBe(-1);
    expect(runR('srl', MIN, 31)).toBe(1);
  });
  test('mulh and mulhu differ by sign', () => {
    expect(runR('mulh', -1, -1)).toBe(0);
    expect(runR('mulhu', -1, -1)).toBe(-2);
    expect(runR('mulh', MIN, MIN)).toBe(0x40000000);
    expect(runR('mulh', MIN, 0x7fffffff)).toBe(-0x40000000);
    expect(runR('mulhu', MIN, 2)).toBe(1);
    expect(runR('mulh', -2, 3)).toBe(-1);
  });
});

describe('immediate ALU instructions', () => {
  test('addi sign-extends, andi/ori/xori zero-extend', () => {
    expect(runI('addi', 10, -11)).toBe(-1);
    expect(runI('addi', 0x7fffffff, 1)).toBe(MIN);
    expect(runI('andi', -1, 0xffff)).toBe(0xffff);
    expect(runI('ori', MIN, 0x8000)).toBe(MIN | 0x8000);
    expect(runI('xori', -1, 0xffff)).toBe(-0x10000);
  });
  test('shift immediates', () => {
    expect(runI('slli', 3, 31)).toBe(MIN);
    expect(runI('srli', MIN, 4)).toBe(0x08000000);
    expect(runI('srai', MIN, 4)).toBe(0xf8000000 | 0);
    expect(runI('srli', 5, 0)).toBe(5);
  });
  test('slti compares signed, sltiu compares the sign-extended immediate unsigned', () => {
    expect(runI('slti', -5, -4)).toBe(1);
    expect(runI('slti', 5, -4)).toBe(0);
    expect(runI('sltiu', 5, -1)).toBe(1); // 5 < 0xffffffff
    expect(runI('sltiu', -2, -1)).toBe(1);
    expect(runI('sltiu', -1, -1)).toBe(0);
  });
  test('lui and auipc', () => {
    const { m, eng } = boot([['lui', 'a0', 0xabcd], ['auipc', 'a1', 0x0002], ['halt', 'zero']]);
    eng.run(10);
    expect(m.cpu.regs[4]).toBe(0xabcd0000 | 0);
    expect(m.cpu.regs[5]).toBe(0x1004 + 0x20000);
  });
  test('writes to r0 are discarded', () => {
    const { m, eng } = boot([['addi', 'zero', 'zero', 5], ['add', 'a0', 'zero', 'zero'], ['lui', 'zero', 1], ['halt', 'zero']]);
    eng.run(10);
    expect(m.cpu.regs[0]).toBe(0);
    expect(m.cpu.regs[4]).toBe(0);
  });
});

describe('branches and jumps', () => {
  const cases: [string, number, number, boolean][] = [
    ['beq', 5, 5, true], ['beq', 5, 6, false], ['bne', 5, 6, true], ['bne', -1, -1, false],
    ['blt', -1, 0, true], ['blt', 0, -1, false], ['bge', 0, 0, true], ['bge', -1, 0, false],
    ['bltu', 0, -1, true], ['bltu', -1, 0, false], ['bgeu', -1, 0, true], ['bgeu', 0, -1, false],
  ];
  for (const [op, a, b, taken] of cases) {
    test(`${op} ${a}, ${b} ${taken ? 'taken' : 'not taken'}`, () => {
      const rows: Row[] = [...li('a0', a), ...li('a1', b), [op, 'a0', 'a1', '@yes'], ['halt', 'zero'], 'yes:', ['addi', 'a2', 'zero', 1], ['halt', 'a2']];
      const { eng } = boot(rows);
      const r = eng.run(100);
      expect(r.stop).toMatchObject({ kind: 'halted', code: taken ? 1 : 0 });
    });
  }
  test('backward branch, jal links pc+4, jalr jumps to rs1+imm and may link into its own source', () => {
    const { m, eng, labels } = boot([
      ['jal', 'ra', '@f'], // 0x1000
      ['halt', 'a0'], // 0x1004
      'f:',
      ['addi', 'a0', 'ra', 0], // a0 = 0x1004
      ['ori', 't0', 'zero', '@g'],
      ['jalr', 't0', 't0', 0], // t0 = return address, pc = g
      ['halt', 'zero'],
      'g:',
      ['jalr', 'zero', 'ra', 0],
    ]);
    expect(eng.run(100).stop).toMatchObject({ kind: 'halted', code: 0x1004 });
    expect(m.cpu.regs[8]).toBe(labels.get('f')! + 12);
  });
});
