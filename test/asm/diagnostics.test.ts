// Every diagnostic the assembler promises, with its exact position; several
// errors in one run; never an exception on garbage.
import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostic } from '../../src/asm/index.js';
import { asm, errors } from './helpers.js';

describe('diagnostics', () => {
  it('unknown mnemonic suggests the closest name', () => {
    expect(errors('  addd t0, t0, t1')).toEqual(["main.s:1:3: unknown mnemonic 'addd' (did you mean add?)"]);
    expect(errors('pussh t0')).toEqual(["main.s:1:1: unknown mnemonic 'pussh' (did you mean push?)"]);
    expect(errors('frobnicate')).toEqual(["main.s:1:1: unknown mnemonic 'frobnicate'"]);
  });
  it('unknown directive suggests the closest directive', () => {
    expect(errors('.wrod 1')).toEqual(["main.s:1:1: unknown directive '.wrod' (did you mean .word?)"]);
  });
  it('wrong operand count', () => {
    expect(errors('add t0, t1')).toEqual(['main.s:1:1: add expects 3 operands (reg, reg, reg), got 2']);
    expect(errors('add t0, t1, t2, t3')).toEqual(['main.s:1:17: add expects 3 operands (reg, reg, reg), got 4']);
    expect(errors('lw t0')).toEqual(['main.s:1:1: lw expects 2 operands (reg, offset(reg)), got 1']);
  });
  it('wrong operand kind', () => {
    expect(errors('add t0, t1, 5')).toEqual(['main.s:1:13: expected a register, got immediate']);
    expect(errors('addi t0, t1, t2')).toEqual(['main.s:1:14: expected an immediate, got register t2']);
    expect(errors('add t0, t1, foo')).toEqual(["main.s:1:13: expected a register, got symbol 'foo'"]);
    expect(errors('lw t0, t1')).toEqual(['main.s:1:8: expected a memory operand such as 0(sp), got register t1']);
    expect(errors('lw t0, 4(8)')).toEqual(['main.s:1:10: expected a base register, got immediate']);
    expect(errors('mfcr t0, bogus')).toEqual(["main.s:1:10: expected a control register (status, tvec, ptbr, faultaddr, cause, epc, scratch), got symbol 'bogus'"]);
    expect(errors('jal ra, t0')).toEqual(['main.s:1:9: expected a jump target, got register t0']);
  });
  it('immediates out of range state the range', () => {
    expect(errors('addi t0, t0, 70000')).toEqual(['main.s:1:14: immediate 70000 out of range -32768..32767']);
    expect(errors('ori t0, t0, -1')).toEqual(['main.s:1:13: immediate -1 out of range 0..65535']);
    expect(errors('slli t0, t0, 32')).toEqual(['main.s:1:14: shift amount 32 out of range 0..31']);
    expect(errors('lw t0, 40000(sp)')).toEqual(['main.s:1:8: offset 40000 out of range -32768..32767']);
    expect(errors('in t0, 0x10000(zero)')).toEqual(['main.s:1:8: port offset 65536 out of range 0..65535']);
  });
  it('branch targets: range and alignment', () => {
    expect(errors('beq t0, t1, 0x1000 + 200000')).toEqual(['main.s:1:13: branch target out of range: offset 200000 not in -131072..131068']);
    expect(errors('beq t0, t1, 0x1002')).toEqual(['main.s:1:13: branch target 0x1002 is not word-aligned']);
    expect(errors('jal ra, 0x1000 + 0x200000')).toEqual(['main.s:1:9: jump target out of range: offset 2097152 not in -2097152..2097148']);
    expect(errors('j 0x1001')).toEqual(['main.s:1:3: jump target 0x1001 is not word-aligned']);
  });
  it('undefined symbol, with a suggestion when one is close', () => {
    expect(errors('loop: nop\nj lop\nj nowhere')).toEqual([
      "main.s:2:3: undefined symbol 'lop' (did you mean loop?)",
      "main.s:3:3: undefined symbol 'nowhere'",
    ]);
  });
  it('duplicate symbol mentions the first definition', () => {
    expect(errors('x: nop\n\n  x: nop')).toEqual(["main.s:3:3: duplicate symbol 'x' (first defined at main.s:1)"]);
  });
  it('unterminated string and bad characters', () => {
    expect(errors('.data\n.ascii "abc')).toEqual(['main.s:2:8: unterminated string']);
    expect(errors('add t0, t0, @')).toEqual(["main.s:1:13: bad character '@'"]);
    expect(errors('li t0, 12ab')).toEqual(["main.s:1:8: bad number '12ab'"]);
    expect(errors(".data\n.ascii \"\\q\"")).toEqual(["main.s:2:9: unknown escape '\\q'"]);
    expect(errors("li t0, 'ab'")).toEqual(['main.s:1:8: bad character literal (one character or escape between single quotes)']);
  });
  it('syntax errors say what was expected', () => {
    expect(errors('add t0, t0,')).toEqual(['main.s:1:12: syntax error: unexpected end of line (expected an operand)']);
    expect(errors('lw t0, 4(sp')).toEqual(["main.s:1:12: syntax error: unexpected end of line (expected ')')"]);
    expect(errors('add t0 t1')).toEqual(["main.s:1:8: syntax error: unexpected 't1' (expected ',' between operands)"]);
  });
  it('unterminated macro points at the .macro', () => {
    expect(errors('nop\n  .macro m\nnop')).toEqual(['main.s:2:3: unterminated macro: .macro m without .endm']);
  });
  it('unterminated conditional points at the .if', () => {
    expect(errors('nop\n.if 1\n  .ifdef X\n.endif')).toEqual(['main.s:2:1: unterminated conditional: .if without .endif']);
  });
  it('.else, .elif and .endif without .if', () => {
    expect(errors('.else\n.endif\n.elif 1')).toEqual(['main.s:1:1: .else without .if', 'main.s:2:1: .endif without .if', 'main.s:3:1: .elif without .if']);
    expect(errors('.if 1\n.else\n.else\n.endif')).toEqual(['main.s:3:1: .else after .else']);
    expect(errors('.endm')).toEqual(['main.s:1:1: .endm without .macro']);
  });
  it('a label that is a register name, and local labels that are not numbers', () => {
    expect(errors('t0: nop')).toEqual(['main.s:1:1: t0 is a register name; it cannot be a label']);
    expect(errors('0x10: nop')).toEqual(["main.s:1:1: local label must be a decimal number, got '0x10'"]);
  });
  it('circular .equ definitions', () => {
    expect(errors('.equ A, B\n.equ B, A + 1')).toEqual([
      'main.s:1:9: cannot evaluate .equ A: its definition is circular',
      'main.s:2:9: cannot evaluate .equ B: its definition is circular',
    ]);
  });
  it('bad -D values are reported against the command line', () => {
    expect(errors('nop', {}, { X: 'not valid (' })).toEqual(['<command line>:1:1: -D X=not valid (: the value is not an expression']);
  });
  it('reports every error of a run, in source order, without cascades', () => {
    const src = [
      'start: addd t0, t0, t1', // unknown mnemonic: the label is still defined
      '       j start', // fine
      '       addi t0, t0, 99999',
      '       .ascii "oops',
      '       beq t0, t1, nowhere',
      '       lw t0, t1',
    ].join('\n');
    expect(errors(src)).toEqual([
      "main.s:1:8: unknown mnemonic 'addd' (did you mean add?)",
      'main.s:3:21: immediate 99999 out of range -32768..32767',
      'main.s:4:15: unterminated string',
      "main.s:5:20: undefined symbol 'nowhere'",
      'main.s:6:15: expected a memory operand such as 0(sp), got register t1',
    ]);
  });
  it('the image is undefined iff there is an error; warnings keep it', () => {
    expect(asm('nop\n.warning "careful"').image).toBeDefined();
    expect(asm('nop\n.warning "careful"').diagnostics).toMatchObject([{ severity: 'warning', message: 'careful', line: 2 }]);
    expect(asm('bogus').image).toBeUndefined();
  });
  it('formatDiagnostic prints location, source line and caret (tabs kept)', () => {
    const [d] = asm('\taddi\tt0, t0, 70000').diagnostics;
    expect(formatDiagnostic(d!)).toBe('main.s:1:15: error: immediate 70000 out of range -32768..32767\n  \taddi\tt0, t0, 70000\n  \t    \t        ^');
  });
  it('assembleFile reports an unreadable file', async () => {
    const { assembleFile } = await import('../../src/asm/index.js');
    const r = assembleFile('/nonexistent/dir/x.s');
    expect(r.image).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ file: '/nonexistent/dir/x.s', line: 1, column: 1 });
    expect(r.diagnostics[0]!.message).toMatch(/^cannot read \/nonexistent\/dir\/x.s: /);
  });
});

describe('garbage input never throws', () => {
  // A small deterministic generator, so failures reproduce.
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 0x100000000);
  }
  const FRAGMENTS = ['add', 'li', '.macro', '.endm', '.if', '.else', '.endif', '.include', '"x', "'", '\\', '(', ')', ',', ':', '1b', '2f',
    '0x', 'sp', 't0', '%hi(', '.word', '.org', '-', '<<', '.', 'x:', '1:', '\t', ' ', '#', ';', '\\@', '.set', '.equ', '.space', '99999999999'];
  it('random bytes', () => {
    const next = rng(1);
    for (let n = 0; n < 200; n++) {
      const len = Math.floor(next() * 200);
      const src = Array.from({ length: len }, () => String.fromCharCode(Math.floor(next() * 128))).join('');
      expect(() => assemble(src, { file: 'fuzz.s', readFile: () => 'nop' })).not.toThrow();
    }
  });
  it('random token soup', () => {
    const next = rng(2);
    for (let n = 0; n < 300; n++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 8) }, () =>
        Array.from({ length: Math.floor(next() * 8) }, () => FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]).join(next() < 0.5 ? ' ' : ''));
      const src = lines.join('\n');
      let r;
      expect(() => (r = assemble(src, { file: 'fuzz.s', readFile: () => src }))).not.toThrow();
      for (const d of r!.diagnostics) {
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.column).toBeGreaterThanOrEqual(1);
      }
    }
  });
});
