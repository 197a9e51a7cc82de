// Sections, data directives, .org, .align, .equ/.set, .global, entry point.
import { describe, expect, it } from 'vitest';
import { bytesOf, errors, ok, section, symbol, textWords, wordsOf } from './helpers.js';

const NOP = wordsOf('nop')[0]!;

describe('sections and layout', () => {
  it('places .text at 0x1000 and .data/.bss on the following page boundaries', () => {
    const image = ok('.text\nnop\nnop\n.data\nd: .byte 1\n.bss\nb: .space 8\n');
    expect(section(image, '.text').addr).toBe(0x1000);
    expect(section(image, '.data').addr).toBe(0x2000);
    expect(section(image, '.bss')).toMatchObject({ addr: 0x3000, size: 8 });
    expect(section(image, '.bss').data.length).toBe(0);
    expect(section(image, '.text').flags).toEqual({ read: true, write: false, exec: true });
    expect(section(image, '.data').flags).toEqual({ read: true, write: true, exec: false });
  });
  it('a long .text pushes .data to the next page', () => {
    const image = ok('.space 0x1001\n.data\nd: .byte 1');
    expect(symbol(image, 'd')).toBe(0x3000);
  });
  it('an empty section is left out of the image unless a label points into it', () => {
    expect(ok('nop').sections.map((s) => s.name)).toEqual(['.text']);
    const image = ok('nop\n.data\nend_of_data:');
    expect(section(image, '.data')).toMatchObject({ addr: 0x2000, size: 0 });
    expect(symbol(image, 'end_of_data')).toBe(0x2000);
  });
  it('CRLF line endings and a missing final newline are fine', () => {
    expect(textWords(ok('nop\r\nret\r\n'))).toEqual(wordsOf('nop\nret'));
    expect(textWords(ok('nop\nret'))).toEqual(wordsOf('nop\nret\n'));
  });
  it('sections may be entered several times; content accumulates', () => {
    const image = ok('.text\nnop\n.data\n.byte 1\n.text\nret\n.data\n.byte 2');
    expect(textWords(image)).toEqual([NOP, ...wordsOf('ret')]);
    expect(bytesOf(image, '.data')).toEqual([1, 2]);
  });
  it('.org before content places the section; later .org pads with zeros', () => {
    const image = ok('.org 0x8000\nstart: nop\n.org 0x8010\nnext: nop');
    expect(section(image, '.text').addr).toBe(0x8000);
    expect(symbol(image, 'next')).toBe(0x8010);
    expect(textWords(image)).toEqual([NOP, 0, 0, 0, NOP]);
  });
  it('.org in .data before content gives it an absolute address', () => {
    const image = ok('nop\n.data\n.org 0x10000\nx: .word 7');
    expect(section(image, '.data').addr).toBe(0x10000);
    expect(symbol(image, 'x')).toBe(0x10000);
  });
  it('.org may not move backwards', () => {
    expect(errors('nop\nnop\n.org 0x1004')).toEqual(['main.s:3:6: .org 0x1004 would move backwards (the location is already 0x1008)']);
  });
  it('overlapping sections are an error', () => {
    expect(errors('nop\nnop\n.data\n.org 0x1004\n.word 1')[0]).toMatch(/main.s:4:1: section .data \(0x1004..0x1007\) overlaps .text/);
  });
});

describe('data directives', () => {
  it('.word .half .byte are little-endian and range-checked', () => {
    const image = ok('.data\n.word 0x11223344, -1\n.half 0xbeef, -2\n.byte 255, -128, 7');
    expect(bytesOf(image, '.data')).toEqual([0x44, 0x33, 0x22, 0x11, 0xff, 0xff, 0xff, 0xff, 0xef, 0xbe, 0xfe, 0xff, 255, 128, 7]);
    expect(errors('.data\n.byte 256, -129\n.half 65536, -32769')).toEqual([
      'main.s:2:7: value 256 out of range -128..255 for .byte',
      'main.s:2:12: value -129 out of range -128..255 for .byte',
      'main.s:3:7: value 65536 out of range -32768..65535 for .half',
      'main.s:3:14: value -32769 out of range -32768..65535 for .half',
    ]);
  });
  it('.ascii and .asciz with escapes', () => {
    const image = ok('.data\n.ascii "a\\n\\t\\r\\0\\\\\\"\\x41"\n.asciz "z", "y"');
    expect(bytesOf(image, '.data')).toEqual([97, 10, 9, 13, 0, 92, 34, 0x41, 122, 0, 121, 0]);
  });
  it('.space with and without fill', () => {
    const image = ok('.data\n.space 3\n.space 2, 0xab\n.byte 1');
    expect(bytesOf(image, '.data')).toEqual([0, 0, 0, 0xab, 0xab, 1]);
  });
  it('.align pads data with zeros and code with nops', () => {
    const data = ok('.data\n.byte 1\n.align 4\n.byte 2\n.align 8\nx: .byte 3');
    expect(bytesOf(data, '.data')).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3]);
    expect(symbol(data, 'x')).toBe(0x2008);
    const code = ok('nop\n.align 16\nx: ret');
    expect(textWords(code)).toEqual([NOP, NOP, NOP, NOP, ...wordsOf('ret')]);
    expect(symbol(code, 'x')).toBe(0x1010);
  });
  it('.align needs a power of two', () => {
    expect(errors('.align 3')).toEqual(['main.s:1:8: .align needs a power of two, got 3']);
  });
  it('.bss accepts only .space and .align', () => {
    const image = ok('.bss\na: .space 5\n.align 8\nb: .space 4');
    expect(section(image, '.bss').size).toBe(12);
    expect(symbol(image, 'b')).toBe(0x3008); // the empty .data still has its page
    expect(errors('.bss\n.word 1\nnop\n.ascii "x"')).toEqual([
      'main.s:2:1: .word puts data in .bss, which may only hold .space and .align',
      'main.s:3:1: instructions are not allowed in .bss (only .space and .align)',
      'main.s:4:1: .ascii puts data in .bss, which may only hold .space and .align',
    ]);
  });
});

describe('symbols', () => {
  it('.equ and .set; .set may redefine and .equ may not', () => {
    const image = ok('.equ A, 5\n.set B, 1\n.set B, B + 1\nli t0, A\nli t1, B');
    expect(textWords(image)).toEqual(wordsOf('addi t0, zero, 5\naddi t1, zero, 2'));
    expect(errors('.equ A, 1\n.equ A, 2')).toEqual(["main.s:2:6: duplicate symbol 'A' (first defined at main.s:1)"]);
    expect(errors('.set A, 1\n.equ A, 2')).toEqual(["main.s:2:6: duplicate symbol 'A' (first defined at main.s:1)"]);
    expect(errors('A: nop\n.set A, 2')).toEqual(["main.s:2:6: duplicate symbol 'A' (first defined at main.s:1)"]);
  });
  it('.equ may refer forward, even to .data labels', () => {
    const image = ok('.equ LEN, end - start\nli t0, LEN\n.data\nstart: .word 1, 2\nend:');
    expect(symbol(image, 'LEN')).toBe(8);
    expect(textWords(image)).toEqual(wordsOf('lui t0, 0\nori t0, t0, 8'));
  });
  it('.global marks the symbol global in the image', () => {
    const image = ok('.global main\nmain: nop\nlocal: nop');
    expect(image.symbols.find((s) => s.name === 'main')).toMatchObject({ global: true, kind: 'func', section: '.text' });
    expect(image.symbols.find((s) => s.name === 'local')).toMatchObject({ global: false });
    expect(errors('.global nowhere')).toEqual(['main.s:1:9: .global nowhere: symbol is never defined']);
  });
  it('symbol kinds: func in .text, object in .data, abs for constants', () => {
    const image = ok('f: nop\n.data\no: .word 0\n.equ K, 3');
    expect(image.symbols.map((s) => [s.name, s.kind])).toEqual([['f', 'func'], ['o', 'object'], ['K', 'abs']]);
  });
  it('entry is _start if defined, else the start of .text', () => {
    expect(ok('nop\n_start: nop').entry).toBe(0x1004);
    expect(ok('.org 0x4000\nnop').entry).toBe(0x4000);
  });
  it('labels are case-sensitive, mnemonics and registers are not', () => {
    const image = ok('Loop: NOP\nloop: ADDI T0, ZERO, 1\nJ Loop');
    expect(symbol(image, 'Loop')).toBe(0x1000);
    expect(symbol(image, 'loop')).toBe(0x1004);
  });
  it('several labels may precede a statement', () => {
    const image = ok('a: b: c: nop');
    expect([symbol(image, 'a'), symbol(image, 'b'), symbol(image, 'c')]).toEqual([0x1000, 0x1000, 0x1000]);
  });
  it('the line table maps every instruction word and data item to its line', () => {
    const image = ok('nop\nli t0, 0x12345678\n.data\n.word 1');
    expect(image.lines).toEqual([
      { addr: 0x1000, file: 'main.s', line: 1 },
      { addr: 0x1004, file: 'main.s', line: 2 },
      { addr: 0x1008, file: 'main.s', line: 2 },
      { addr: 0x2000, file: 'main.s', line: 4 },
    ]);
  });
});
