import { describe, expect, test } from 'vitest';
import { evaluate as asmEvaluate } from '../../src/asm/expr.js';
import { parseLine } from '../../src/asm/parse.js';
import { DebugError, evaluate, parseExpr, type ExprEnv } from '../../src/debug/index.js';

const scope = {
  value: (name: string) => ({ loop: 0x1004, total: 0x2000, big: 0xfffffff0 } as Record<string, number>)[name],
  names: () => ['loop', 'total', 'big'],
};

function env(regs: Record<number, number> = {}, mem: Record<number, number> = {}): ExprEnv {
  return {
    reg: (n) => regs[n] ?? 0,
    pc: () => 0x1010,
    cr: (n) => n * 0x100,
    ring: () => 3,
    step: () => 42,
    readWord: (a) => {
      if (!(a in mem)) throw new DebugError(`cannot read ${a}`);
      return mem[a]!;
    },
  };
}

const ev = (text: string, e = env()) => evaluate(parseExpr(text, scope), e);

describe('debugger expressions', () => {
  test('numbers in every base, characters, and precedence as in C', () => {
    expect(ev('42 + 0x10 + 0b11 + 0o10')).toBe(42 + 16 + 3 + 8);
    expect(ev("'a' + '\\n'")).toBe(97 + 10);
    expect(ev('1 + 2 * 3 << 1')).toBe(14);
    expect(ev('1 | 2 ^ 3 & 4')).toBe(1 | (2 ^ (3 & 4)));
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('-7 / 2')).toBe(-3);
    expect(ev('-7 % 2')).toBe(-1);
    expect(ev('~0')).toBe(-1);
    expect(ev('!0 + !5')).toBe(1);
  });

  test('registers by ABI and rN name, pc, ring, step, control registers, symbols', () => {
    const e = env({ 4: 3, 2: 0x8000 });
    expect(ev('a0', e)).toBe(3);
    expect(ev('r4 == a0', e)).toBe(1);
    expect(ev('A0 + SP', e)).toBe(0x8003);
    expect(ev('pc - loop', e)).toBe(12);
    expect(ev('ring * 100 + step', e)).toBe(342);
    expect(ev('cause', e)).toBe(0x400);
    expect(ev('total', e)).toBe(0x2000);
  });

  test('memory words, nested', () => {
    const e = env({ 2: 0x100 }, { 0x100: 0x2000, 0x2000: 7 });
    expect(ev('[sp]', e)).toBe(0x2000);
    expect(ev('[[sp]] + 1', e)).toBe(8);
    expect(() => ev('[sp + 4]', e)).toThrow('cannot read 260');
  });

  test('32-bit patterns: == on bit patterns, signed comparisons, >> vs >>>', () => {
    expect(ev('0xffffffff == -1')).toBe(1);
    expect(ev('big < 0')).toBe(1);
    expect(ev('0x80000000 >> 31')).toBe(-1);
    expect(ev('0x80000000 >>> 31')).toBe(1);
    expect(ev('0x7fffffff + 1')).toBe(-0x80000000);
    expect(ev('0x10000 * 0x10000')).toBe(0);
    expect(ev('0x80000000 / -1')).toBe(-0x80000000);
  });

  test('&& and || short-circuit (a right side that cannot be read is not read)', () => {
    expect(ev('0 && [0x1234]')).toBe(0);
    expect(ev('1 || [0x1234]')).toBe(1);
    expect(() => ev('1 && [0x1234]')).toThrow(DebugError);
    expect(ev('2 && 3')).toBe(1);
  });

  test('errors name the problem and the column', () => {
    expect(() => parseExpr('a0 +', scope)).toThrow("bad expression 'a0 +': expected a value, found end of input (column 5)");
    expect(() => parseExpr('[a0', scope)).toThrow("bad expression '[a0': expected ']' to close '[' at column 1, found end of input (column 4)");
    expect(() => parseExpr('lop + 1', scope)).toThrow("unknown name 'lop' in 'lop + 1' (did you mean loop?)");
    expect(() => parseExpr('12abc', scope)).toThrow("'12abc' is not a number");
    expect(() => parseExpr('', scope)).toThrow('expected an expression');
    expect(() => ev('1 % 0')).toThrow('division by zero');
  });

  test('long and deeply nested expressions: right values, no stack overflow', () => {
    expect(ev(`${'('.repeat(10_000)}41 + 1${')'.repeat(10_000)}`)).toBe(42);
    expect(ev(Array(100_000).fill('1').join('+'))).toBe(100_000);
    expect(ev(`${'-~'.repeat(50_000)}0`)).toBe(50_000); // -~x is x + 1
    expect(ev(`${'1 - ('.repeat(20_000)}1${')'.repeat(20_000)}`)).toBe(1);
    const e = env({ 2: 0x100 }, { 0x100: 0x100 });
    expect(ev(`${'['.repeat(10_000)}sp${']'.repeat(10_000)}`, e)).toBe(0x100); // the word at 0x100 is 0x100
    // Short-circuit holds deep in a long chain: the unreadable word is never read.
    expect(ev(`${Array(50_000).fill('1').join(' && ')} && 0 && [0x1234]`)).toBe(0);
  });

  test('errors in long and deep expressions are one line with the column', () => {
    const open = '('.repeat(10_000);
    expect(() => parseExpr(`${open}1`, scope)).toThrow(/^bad expression '.*': expected '\)' to close '\(' at column 10000, found end of input \(column 10002\)$/);
    expect(() => parseExpr(`${Array(50_000).fill('1').join('+')} +`, scope)).toThrow(/^bad expression '1\+1\+[1+]*\.\.\.': expected a value, found end of input \(column 100002\)$/);
    expect(() => parseExpr(`${open}1]`, scope)).toThrow(/expected '\)' to close '\(' at column 10000, found '\]' \(column 10002\)$/);
  });

  test('the same values as the assembler on random expressions (shared operators)', () => {
    let seed = 99;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
    const ops = ['||', '&&', '|', '^', '&', '==', '!=', '<', '<=', '>', '>=', '<<', '>>', '+', '-', '*'];
    const leaves = ['0', '1', '7', '31', '0x7fffffff', '0xffffffff', "'a'"];
    for (let n = 0; n < 300; n++) {
      let parts = ['x'];
      for (let k = Math.floor(next() * 15); k > 0; k--) {
        const i = parts.indexOf('x', Math.floor(next() * parts.length));
        const at = i < 0 ? parts.indexOf('x') : i;
        const r = next();
        const repl = r < 0.6 ? ['x', ops[Math.floor(next() * ops.length)]!, 'x'] : r < 0.8 ? ['(', 'x', ')'] : [['-', '~', '!', '+'][Math.floor(next() * 4)]!, 'x'];
        parts = [...parts.slice(0, at), ...repl, ...parts.slice(at + 1)];
      }
      const text = parts.map((p) => (p === 'x' ? leaves[Math.floor(next() * leaves.length)]! : p)).join(' ');
      const parsed = parseLine(`.word ${text}`);
      if (!parsed.ok || parsed.line.statement?.operands[0]?.kind !== 'expr') throw new Error(`assembler cannot parse ${text}`);
      const fail = () => { throw new Error(text); };
      const want = asmEvaluate(parsed.line.statement.operands[0].expr, { symbol: fail, local: fail, dot: fail, error: fail });
      expect(ev(text), text).toBe(want);
    }
  });
});
