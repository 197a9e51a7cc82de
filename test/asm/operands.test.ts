// Operand forms: memory and port shorthands, control registers, register names.
import { describe, expect, it } from 'vitest';
import { CR_NAMES, decode } from '../../src/isa/index.js';
import { wordsOf } from './helpers.js';

describe('operand forms', () => {
  it('mem: offset(reg), (reg) and a bare address', () => {
    expect(wordsOf('lw t0, (a1)')).toEqual(wordsOf('lw t0, 0(a1)'));
    expect(wordsOf('sw t0, 0x100')).toEqual(wordsOf('sw t0, 0x100(zero)'));
    expect(wordsOf('lb t0, -1+2*2(sp)')).toEqual(wordsOf('lb t0, 3(sp)'));
    expect(wordsOf('.equ OFF, 8\nlw t0, OFF(sp)')).toEqual(wordsOf('lw t0, 8(sp)'));
    expect(wordsOf('lw t0, (4)(sp)')).toEqual(wordsOf('lw t0, 4(sp)'));
  });
  it('port: the same shapes, unsigned offset', () => {
    expect(wordsOf('in t0, (t1)')).toEqual(wordsOf('in t0, 0(t1)'));
    expect(wordsOf('out a0, 0xfff0')).toEqual(wordsOf('out a0, 0xfff0(zero)'));
  });
  it('every control register by name, in any case', () => {
    CR_NAMES.forEach((name, i) => {
      const [word] = wordsOf(`mfcr a0, ${name.toUpperCase()}`);
      expect(decode(word!)?.b).toBe(i);
    });
  });
  it('rN and ABI names are the same registers', () => {
    expect(wordsOf('add r4, r2, r15')).toEqual(wordsOf('add a0, sp, at'));
    expect(wordsOf('add R4, Sp, AT')).toEqual(wordsOf('add a0, sp, at'));
  });
  it('branch and jump operands are absolute addresses', () => {
    // The same target from two different addresses gives two different offsets.
    const words = wordsOf('beq t0, t1, 0x1000\nbeq t0, t1, 0x1000');
    expect(decode(words[0]!)?.imm).toBe(0);
    expect(decode(words[1]!)?.imm).toBe(-4);
  });
});
