// Numbers, characters, operators and precedence, %hi/%lo, `.`, local labels.
import { describe, expect, it } from 'vitest';
import { bytesOf, errors, ok, symbol, textWords, wordsOf } from './helpers.js';

function value(expr: string, prelude = ''): number {
  const image = ok(`${prelude}\n.data\n.word ${expr}`);
  const b = bytesOf(image, '.data');
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

describe('expressions', () => {
  it('number bases and character literals', () => {
    expect(value('42')).toBe(42);
    expect(value('0x2A')).toBe(42);
    expect(value('0b101010')).toBe(42);
    expect(value('0o52')).toBe(42);
    expect(value("'a'")).toBe(97);
    expect(value("'\\n'")).toBe(10);
    expect(value("'\\\\'")).toBe(92);
    expect(value("'\\''")).toBe(39);
    expect(value("'\\x41'")).toBe(0x41);
    expect(value("'#'")).toBe(35); // not a comment inside quotes
  });
  it('C precedence', () => {
    expect(value('1 + 2 * 3')).toBe(7);
    expect(value('(1 + 2) * 3')).toBe(9);
    expect(value('1 << 2 + 1')).toBe(8);
    expect(value('6 & 3 | 8')).toBe(10);
    expect(value('1 | 6 ^ 3')).toBe(5);
    expect(value('7 - 2 - 1')).toBe(4);
    expect(value('100 / 10 / 5')).toBe(2);
    expect(value('-7 / 2') | 0).toBe(-3);
    expect(value('-7 % 3') | 0).toBe(-1);
    expect(value('~0')).toBe(0xffffffff);
    expect(value('-(2 + 3)') | 0).toBe(-5);
    expect(value('-8 >> 1') | 0).toBe(-4);
  });
  it('comparisons and logical operators give 1 or 0 (signed), below arithmetic in precedence', () => {
    expect(value('1 + 1 == 2')).toBe(1);
    expect(value('3 != 3')).toBe(0);
    expect(value('-1 < 0')).toBe(1);
    expect(value('2 <= 1 | 4')).toBe(4); // (2 <= 1) | 4, as in C: comparisons bind tighter than |
    expect(value('5 > 4 && 0 >= 1')).toBe(0);
    expect(value('0 || 7')).toBe(1);
    expect(value('!0 + !5')).toBe(1);
  });
  it('32-bit wrapping arithmetic', () => {
    expect(value('0xffffffff + 2')).toBe(1);
    expect(value('0x10000 * 0x10000')).toBe(0);
    expect(errors('.data\n.word 0x100000000')).toEqual(['main.s:2:7: number 0x100000000 does not fit in 32 bits']);
  });
  it('%hi and %lo build any constant with lui + ori', () => {
    expect(value('%hi(0x12345678)')).toBe(0x1234);
    expect(value('%lo(0x12345678)')).toBe(0x5678);
    expect(value('%hi(-1)')).toBe(0xffff);
    expect(wordsOf('lui t0, %hi(0xdeadbeef)\nori t0, t0, %lo(0xdeadbeef)')).toEqual(wordsOf('li t0, 0xdeadbeef'));
  });
  it('division by zero is a diagnostic', () => {
    expect(errors('.data\n.word 1 / 0, 5 % 0')).toEqual([
      'main.s:2:9: division by zero in expression',
      'main.s:2:16: division by zero in expression',
    ]);
  });
  it('. is the current address', () => {
    const image = ok('nop\nhere: .word ., . + 4');
    expect(textWords(image).slice(1)).toEqual([0x1004, 0x100c]);
    expect(symbol(image, 'here')).toBe(0x1004);
  });
  it('local labels: nearest backward and forward', () => {
    const words = textWords(ok(['1: nop', 'j 1b', 'j 1f', '1: nop', 'j 1b', '1: j 1b'].join('\n')));
    expect(words).toEqual(wordsOf(['nop', 'j 0x1000', 'j 0x100c', 'nop', 'j 0x100c', 'j 0x1014'].join('\n')));
  });
  it('undefined local labels', () => {
    expect(errors('j 1f\nj 2b')).toEqual(['main.s:1:3: undefined local label 1f', 'main.s:2:3: undefined local label 2b']);
  });
  it('registers cannot appear inside expressions', () => {
    expect(errors('addi t0, t0, t1 + 1')).toEqual(['main.s:1:14: register t1 cannot be used in an expression']);
  });
});
