// Lines of any length and nesting depth assemble (or fail with one diagnostic)
// instead of overflowing the stack. How the cost grows is measured by
// bench/asm-scaling.ts, not here: these tests check results only.
import { describe, expect, it } from 'vitest';
import { asm, bytesOf, errors, ok, symbol } from './helpers.js';

function le32(values: number[]): number[] {
  return values.flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
}

function firstWord(source: string): number {
  const b = bytesOf(ok(source), '.data');
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

describe('long lines', () => {
  // Sources are at most 1 MiB (docs/assembler.md, "Limits"): the lines below stay under it.
  it('a .word of 200,000 items assembles to the right bytes', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 10_007);
    expect(bytesOf(ok(`.data\n.word ${values.join(',')}`), '.data')).toEqual(le32(values));
  });

  it('.half and .byte lists of 60,000 and 100,000 items, with expressions as items', () => {
    const half = bytesOf(ok(`.data\n.half ${Array.from({ length: 60_000 }, (_, i) => `${i}/2`).join(',')}`), '.data');
    expect(half.length).toBe(2 * 60_000);
    expect(half.slice(2 * 50_000, 2 * 50_000 + 2)).toEqual([25_000 & 0xff, 25_000 >> 8]);
    const bytes = bytesOf(ok(`.data\n.byte ${Array.from({ length: 100_000 }, (_, i) => `${i}%256`).join(',')}`), '.data');
    expect(bytes).toEqual(Array.from({ length: 100_000 }, (_, i) => i % 256));
  });

  it('a sum of 30,000 terms, and one of 100,000 symbols', () => {
    expect(firstWord(`.data\n.word ${Array(30_000).fill('1').join('+')}`)).toBe(30_000);
    expect(firstWord(`.equ k, 3\n.data\n.word ${Array(100_000).fill('k').join(' + ')}`)).toBe(300_000);
  });

  it('a 300,000-character .ascii / .asciz string', () => {
    const text = 'abc\\n'.repeat(75_000);
    const bytes = bytesOf(ok(`.data\n.asciz "${text}"`), '.data');
    expect(bytes.length).toBe(4 * 75_000 + 1);
    expect(bytes.slice(0, 5)).toEqual([97, 98, 99, 10, 97]);
    expect(bytes.at(-1)).toBe(0);
  });

  it('a number literal of 500,000 digits is one error, and leading zeros do not count', () => {
    expect(errors(`.data\n.word 1${'0'.repeat(500_000)}`)).toEqual([`main.s:2:7: number 1${'0'.repeat(56)}... does not fit in 32 bits`]);
    expect(firstWord(`.data\n.word 0x${'0'.repeat(500_000)}2a`)).toBe(42);
  });

  it('long tokens and names are cut in messages (the column locates them)', () => {
    const name = `x${'y'.repeat(100_000)}`;
    expect(errors(`.data\n.word 1 "${'s'.repeat(300_000)}"\n.word ${name}`)).toEqual([
      `main.s:2:9: syntax error: unexpected string "${'s'.repeat(56)}... (expected ',' between operands)`,
      `main.s:3:7: undefined symbol '${name.slice(0, 57)}...'`,
    ]);
  });

  it('every problem of a long line is reported at its own column', () => {
    const items = Array.from({ length: 50_000 }, (_, i) => (i === 40_000 ? 'nope' : '1'));
    const line = `.word ${items.join(',')}`;
    expect(errors(`.data\n${line}`)).toEqual([`main.s:2:${line.indexOf('nope') + 1}: undefined symbol 'nope'`]);
  });
});

describe('deep nesting', () => {
  it('10,000 nested parentheses give the right value', () => {
    expect(firstWord(`.data\n.word ${'('.repeat(10_000)}41 + 1${')'.repeat(10_000)}`)).toBe(42);
  });

  it('100,000 nested unary operators give the right value', () => {
    expect(firstWord(`.data\n.word ${'-~'.repeat(50_000)}0`)).toBe(50_000); // -~x is x + 1
    expect(firstWord(`.data\n.word ${'!'.repeat(100_001)}0`)).toBe(1);
  });

  it('deeply nested %hi/%lo and right-nested operators', () => {
    expect(firstWord(`.data\n.word ${'%lo('.repeat(5_000)}0x12345678${')'.repeat(5_000)}`)).toBe(0x5678);
    // 1 - (1 - (1 - ...)): a tree nested to the right as deep as the line is long.
    const n = 20_001;
    expect(firstWord(`.data\n.word ${'1 - ('.repeat(n - 1)}1${')'.repeat(n - 1)}`)).toBe(1);
  });

  it('an unclosed parenthesis 10,000 deep is one error at the end of the line', () => {
    const line = `.word ${'('.repeat(10_000)}1${')'.repeat(9_999)}`;
    expect(errors(`.data\n${line}`)).toEqual([`main.s:2:${line.length + 1}: syntax error: unexpected end of line (expected ')')`]);
  });

  it('deep expressions in every place an expression may stand', () => {
    const deep = (v: string) => `${'('.repeat(10_000)}${v}${')'.repeat(10_000)}`;
    const image = ok([
      `.equ e, ${deep('3')}`,
      `.set s, ${deep('e + 1')}`,
      `.if ${deep('s == 4')}`,
      `.equ taken, 1`,
      `.endif`,
      `.data`,
      `.org ${deep('0x2000')}`,
      `.space ${deep('2')}, ${deep('7')}`,
      `.align ${deep('4')}`,
      `lbl: .word ${deep('.')}`,
      `.text`,
      `lw t0, ${deep('4')}(sp)`,
      `addi t0, t0, ${deep('-1')}`,
      `li t1, ${deep('0x12345678')}`,
    ].join('\n'));
    expect(symbol(image, 'taken')).toBe(1);
    expect(bytesOf(image, '.data')).toEqual([7, 7, 0, 0, 0x04, 0x20, 0, 0]);
    expect(symbol(image, 'lbl')).toBe(0x2004);
  });

  it('a long circular .equ is reported once', () => {
    const r = asm(`.equ a, ${Array(50_000).fill('b').join('+')}\n.equ b, a`);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'cannot evaluate .equ a: its definition is circular',
      'cannot evaluate .equ b: its definition is circular',
    ]);
  });

  it('a chain of 20,000 forward .equ written backwards resolves', () => {
    const n = 20_000;
    const lines = Array.from({ length: n }, (_, i) => `.equ k_${i}, k_${i + 1} + 1`);
    expect(bytesOf(ok([...lines, `.equ k_${n}, 5`, '.data', '.word k_0'].join('\n')), '.data')).toEqual(le32([n + 5]));
    // Broken at the end: one error for the undefined name, nothing for the .equ that wait on it.
    expect(errors([...lines, '.data', '.word k_0'].join('\n'))).toEqual([`main.s:${n}:${`.equ k_${n - 1}, `.length + 1}: undefined symbol 'k_${n}' (did you mean k_${n / 10}?)`]);
  });

  it('20,000 local labels of the same number resolve to their neighbours', () => {
    const n = 20_000;
    const image = ok(['.data', '.org 0x10000', ...Array(n).fill('1: .word 1b, 1f'), '1: .word 0'].join('\n'));
    const words = le32(Array.from({ length: n }, (_, i) => [0x10000 + 8 * i, 0x10000 + 8 * (i + 1)]).flat());
    expect(bytesOf(image, '.data').slice(0, 8 * n)).toEqual(words);
  });

  it('a -D value with a deep expression', () => {
    const image = ok('.data\n.word N', {}, { N: `${'('.repeat(10_000)}6 * 7${')'.repeat(10_000)}` });
    expect(bytesOf(image, '.data')).toEqual([42, 0, 0, 0]);
  });
});
