// Macros, conditional assembly with -D defines, includes.
import { describe, expect, it } from 'vitest';
import { asm, errors, ok, symbol, textWords, wordsOf } from './helpers.js';

describe('macros', () => {
  it('substitutes parameters and defaults', () => {
    const src = ['.macro addn rd, n=1', '  addi \\rd, \\rd, \\n', '.endm', 'addn t0', 'addn t1, 7', 'addn t2, n=3'].join('\n');
    expect(textWords(ok(src))).toEqual(wordsOf('addi t0, t0, 1\naddi t1, t1, 7\naddi t2, t2, 3'));
  });
  it('\\@ makes labels unique per expansion', () => {
    const src = ['.macro spin', 'wait\\@: j wait\\@', '.endm', 'spin', 'spin'].join('\n');
    const image = ok(src);
    expect(symbol(image, 'wait0')).toBe(0x1000);
    expect(symbol(image, 'wait1')).toBe(0x1004);
    expect(textWords(image)).toEqual(wordsOf('j 0x1000\nj 0x1004'));
  });
  it('\\() separates a parameter from following text', () => {
    const image = ok(['.macro lbl name', '\\name\\()_end: nop', '.endm', 'lbl foo'].join('\n'));
    expect(symbol(image, 'foo_end')).toBe(0x1000);
  });
  it('arguments may contain memory operands, expressions and strings', () => {
    const src = ['.macro ld2 r, m', '  lw \\r, \\m', '.endm', '.macro str s', '.data', '.asciz \\s', '.text', '.endm', 'ld2 a0, 4(sp)', 'str "a, b"'].join('\n');
    const image = ok(src);
    expect(textWords(image)).toEqual(wordsOf('lw a0, 4(sp)'));
  });
  it('macros can call macros, and can contain conditionals', () => {
    const src = [
      '.macro inner x', '.if \\x > 1', 'addi t0, t0, \\x', '.else', 'nop', '.endif', '.endm',
      '.macro outer y', 'inner \\y', 'inner 1', '.endm',
      'outer 5',
    ].join('\n');
    expect(textWords(ok(src))).toEqual(wordsOf('addi t0, t0, 5\nnop'));
  });
  it('argument count and unknown parameters are diagnosed', () => {
    const def = '.macro two a, b\nadd \\a, \\b, \\c\n.endm\n';
    expect(errors(def + 'two t0')).toEqual(["main.s:4:1: macro two: missing argument for parameter 'b'"]);
    expect(errors(def + 'two t0, t1, t2')).toEqual(['main.s:4:13: macro two takes 2 arguments, got 3']);
    expect(errors(def + 'two t0, t1')).toEqual(['main.s:2:13: unknown macro parameter \\c (in expansion of macro two at main.s:4)']);
  });
  it('errors inside an expansion point at the body line and name the call', () => {
    const src = ['.macro bump r, n', '  addi \\r, \\r, \\n', '.endm', 'nop', 'bump t0, 70000'].join('\n');
    const r = asm(src);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      file: 'main.s', line: 2, column: 16, sourceLine: '  addi \\r, \\r, \\n',
      message: 'immediate 70000 out of range -32768..32767 (in expansion of macro bump at main.s:5)',
    });
  });
  it('a macro may define a macro; the inner parameters belong to the inner macro', () => {
    const src = ['.macro maker name', '.macro \\name x', 'addi t0, t0, \\x', '.endm', '.endm', 'maker add3', 'add3 3'].join('\n');
    expect(textWords(ok(src))).toEqual(wordsOf('addi t0, t0, 3'));
  });
  it('recursive macros stop with a diagnostic', () => {
    const e = errors('.macro r\nr\n.endm\nr');
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/macro expansion nested more than 100 deep \(is macro r recursive\?\)/);
  });
  it('macro redefinition is an error', () => {
    expect(errors('.macro m\n.endm\n.macro m\n.endm')).toEqual(['main.s:3:8: macro m already defined at main.s:1']);
  });
});

describe('conditional assembly', () => {
  const src = [
    '.ifdef PV',
    '  hcall 1',
    '.elif MODE == 2',
    '  nop',
    '.elif MODE',
    '  .if MODE > 5',
    '    brk',
    '  .else',
    '    syscall',
    '  .endif',
    '.else',
    '  cli',
    '.endif',
  ].join('\n');
  it('selects branches with nested .if and -D defines', () => {
    expect(textWords(ok(src, {}, { PV: 1, MODE: 0 }))).toEqual(wordsOf('hcall 1'));
    expect(textWords(ok(src, {}, { MODE: 0 }))).toEqual(wordsOf('cli'));
    expect(textWords(ok(src, {}, { MODE: '3' }))).toEqual(wordsOf('syscall'));
    expect(textWords(ok(src, {}, { MODE: '2*3' }))).toEqual(wordsOf('brk'));
  });
  it('.ifndef and .equ-defined symbols', () => {
    expect(textWords(ok('.equ X, 1\n.ifndef X\nbrk\n.endif\n.ifndef Y\nnop\n.endif'))).toEqual(wordsOf('nop'));
  });
  it('a -D define behaves like .equ', () => {
    expect(textWords(ok('li t0, SIZE', {}, { SIZE: 64 }))).toEqual(wordsOf('addi t0, zero, 64'));
    expect(errors('.equ SIZE, 1', {}, { SIZE: 64 })).toEqual(["main.s:1:6: duplicate symbol 'SIZE' (first defined on the command line)"]);
  });
  it('.error reports its message, only where assembled', () => {
    expect(errors('.ifndef PV\n.error "PV must be defined"\n.endif')).toEqual(['main.s:2:1: PV must be defined']);
    expect(errors('.ifndef PV\n.error "PV must be defined"\n.endif', {}, { PV: 1 })).toEqual([]);
  });
  it('skipped lines may contain anything', () => {
    expect(textWords(ok('.if 0\n@@@ "unterminated\n.bogus\n.endif\nnop'))).toEqual(wordsOf('nop'));
  });
  it('a forward reference in .if is an error', () => {
    expect(errors('.if LATER\n.endif\n.equ LATER, 1')).toEqual(["main.s:1:5: symbol 'LATER' is not defined before this point; its value is needed here"]);
  });
});

describe('includes', () => {
  it('includes relative to the including file', () => {
    const files = { 'lib/a.s': '.include "b.s"\nnop', 'lib/b.s': 'ret' };
    const image = ok('.include "lib/a.s"\nbrk', files);
    expect(textWords(image)).toEqual(wordsOf('ret\nnop\nbrk'));
    expect(image.lines.map((l) => `${l.file}:${l.line}`)).toEqual(['lib/b.s:1', 'lib/a.s:2', 'main.s:2']);
  });
  it('macros and symbols cross include boundaries', () => {
    const files = { 'defs.s': '.equ K, 9\n.macro kk\nli a0, K\n.endm' };
    expect(textWords(ok('.include "defs.s"\nkk', files))).toEqual(wordsOf('addi a0, zero, 9'));
  });
  it('errors in an included file are reported there', () => {
    expect(errors('nop\n.include "x.s"', { 'x.s': 'nop\naddd t0, t0, t0' })).toEqual(["x.s:2:1: unknown mnemonic 'addd' (did you mean add?)"]);
  });
  it('missing include file', () => {
    expect(errors('.include "nope.s"')).toEqual(["main.s:1:10: include file 'nope.s' not found (looked for nope.s)"]);
  });
  it('include cycles name the chain', () => {
    const files = { 'a.s': '.include "b.s"', 'b.s': '.include "a.s"' };
    expect(errors('.include "a.s"', files)).toEqual(['b.s:1:10: include cycle: a.s -> b.s -> a.s']);
    expect(errors('.include "main.s"', { 'main.s': '' })).toEqual(['main.s:1:10: include cycle: main.s -> main.s']);
  });
});
