/// <reference lib="dom" />
// The page's parts that need no browser: the editor's tokenizer for virtlab assembly and the top bar's -D parsing.
import { StringStream } from '@codemirror/language';
import { describe, expect, it } from 'vitest';
import { asmParser } from '../../playground/asm-language.js';
import { parseDefines } from '../../playground/controls.js';

/** A line as the editor colours it: [text, token style] for each token, blanks left out. */
function tokens(line: string): [string, string | null][] {
  const state = asmParser.startState();
  const stream = new StringStream(line, 8, 8);
  const out: [string, string | null][] = [];
  while (!stream.eol()) {
    stream.start = stream.pos;
    const style = asmParser.token(stream, state);
    const text = line.slice(stream.start, stream.pos);
    if (text.trim()) out.push([text, style]);
  }
  return out;
}

describe('the editor highlighter', () => {
  it('tells labels, mnemonics, registers, numbers, symbols and comments apart', () => {
    expect(tokens('loop:   addi    t0, t0, -0x10       ; count down')).toEqual([
      ['loop:', 'labelName'], ['addi', 'keyword'], ['t0', 'variableName.special'], [',', null], ['t0', 'variableName.special'],
      [',', null], ['-', 'operator'], ['0x10', 'number'], ['; count down', 'comment'],
    ]);
    expect(tokens('1:      lw      a0, 8(sp)')).toEqual([
      ['1:', 'labelName'], ['lw', 'keyword'], ['a0', 'variableName.special'], [',', null], ['8', 'number'], ['(', 'operator'],
      ['sp', 'variableName.special'], [')', 'operator'],
    ]);
    expect(tokens('        beqz    t0, 2f')).toEqual([['beqz', 'keyword'], ['t0', 'variableName.special'], [',', null], ['2f', 'number']]);
  });

  it('colours directives, control registers, strings with their escapes, and case-insensitive names', () => {
    expect(tokens('msg:    .asciz  "a; \\"b\\" # c"   # note')).toEqual([
      ['msg:', 'labelName'], ['.asciz', 'meta'], ['"a; \\"b\\" # c"', 'string'], ['# note', 'comment'],
    ]);
    expect(tokens('        MFCR    T1, Cause')).toEqual([['MFCR', 'keyword'], ['T1', 'variableName.special'], [',', null], ['Cause', 'typeName']]);
    // A symbol operand is not a mnemonic, and a register-like prefix of a longer name is not a register.
    expect(tokens('        la      a0, a0_buffer')).toEqual([['la', 'keyword'], ['a0', 'variableName.special'], [',', null], ['a0_buffer', 'variableName']]);
  });
});

describe('the top bar\'s -D', () => {
  it('reads NAME and NAME=VALUE as the CLI does: numbers in any base, text otherwise', () => {
    expect(parseDefines('PV NET=1, COUNT=0x10 N=-3 B=0b101 O=0o17 S=abc')).toEqual({ PV: 1, NET: 1, COUNT: 16, N: -3, B: 5, O: 15, S: 'abc' });
    expect(parseDefines('  ')).toEqual({});
  });

  it('refuses a malformed define in one line naming it', () => {
    expect(() => parseDefines('PV 9bad')).toThrow(/^-D 9bad: a define is NAME or NAME=VALUE$/);
    expect(() => parseDefines('=1')).toThrow(/^-D =1: /);
  });
});
