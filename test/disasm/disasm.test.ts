import { describe, expect, test } from 'vitest';
import { disassembleImage, disassembleRaw } from '../../src/disasm/index.js';
import type { Image } from '../../src/elf/image.js';
import { disassembleWord, encode, INSTRUCTIONS, lookupMnemonic } from '../../src/isa/index.js';
import { sampleImage, TEXT_ADDR, wordsToBytes } from '../elf/sample-image.js';

/** Source lines without comments and indentation, blank lines dropped; operands re-spaced like disassembleWord. */
function statements(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/;.*$/, '').trim().replace(/^(\S+)\s+/, '$1 ')).filter(Boolean);
}

const text = (words: number[], addr = TEXT_ADDR): Image['sections'][number] =>
  ({ name: '.text', addr, data: wordsToBytes(words), size: words.length * 4, flags: { read: true, write: false, exec: true } });

describe('disassembleImage', () => {
  const image = sampleImage();
  const out = statements(disassembleImage(image));
  const section = (name: string) => out.slice(out.indexOf(name));

  test('every instruction word comes out as the ISA disassembler formats it, labels as branch targets', () => {
    const lines = section('.text');
    const view = new DataView(image.sections[0]!.data.buffer);
    const nameAt = (a: number) => image.symbols.find((s) => s.value === a && s.section === '.text')?.name;
    for (let i = 0; i < INSTRUCTIONS.length + 2; i++) {
      const pc = TEXT_ADDR + 4 * i;
      expect(lines).toContain(disassembleWord(view.getUint32(4 * i, true), pc, nameAt));
    }
    expect(lines).toContain('bne a1, t0, _start');
    expect(lines).toContain('.word 0x0');
    expect(lines).toContain('.word 0xe0000000');
  });

  test('sections open with their directive and an .org; labels sit before the first word at their address', () => {
    expect(out.slice(out.indexOf('.text'), out.indexOf('.text') + 5)).toEqual(['.text', '.org 0x1000', '.global _start', '_start:', 'add zero, fp, a2']);
    expect(out.slice(out.indexOf('middle:') - 1, out.indexOf('middle:') + 2)).toEqual(['sub ra, a0, a3', 'middle:', 'and sp, a1, t0']);
    expect(out[out.indexOf('.data') - 1]).toBe('text_end:'); // an end label follows the last word
  });

  test('data: whole words as .word, a label at an odd address splits off .byte runs', () => {
    const at = out.indexOf('.data');
    expect(out.slice(at, at + 7)).toEqual([
      '.data', '.org 0x2000', '.global msg', 'msg:', '.word 0x6c6c6568, 0xa6f, 0xdeadbeef', '.byte 0x01', 'odd:',
    ]);
    expect(out[at + 7]).toBe('.byte 0x02, 0x03');
  });

  test('bss: .space runs between labels add up to the section size', () => {
    const at = out.indexOf('.bss');
    expect(out.slice(at, at + 7)).toEqual(['.bss', '.org 0x3000', '.global buf', 'buf:', '.space 64', 'buf2:', '.space 192']);
  });

  test('absolute symbols become .equ (and .global when global) before any section', () => {
    const first = out.indexOf('.text');
    expect(out.slice(0, first)).toEqual(['.equ UART, 0x10', '.global UART', '.equ MASK, 0xffff0000']);
  });

  test('--addresses annotates each line with its address and word, without changing the statements', () => {
    const annotated = disassembleImage(image, { addresses: true });
    expect(annotated).toMatch(/^\s+add\s+zero, fp, a2\s+; 00001000: 01036000$/m);
    expect(annotated).toMatch(/^\s+\.word\s+0x6c6c6568, 0xa6f, 0xdeadbeef\s+; 00002000$/m);
    expect(statements(annotated)).toEqual(out);
  });
});

describe('edge cases', () => {
  test('code at an address that is not word aligned starts with .byte up to the boundary', () => {
    const image: Image = { entry: 0x1002, sections: [{ ...text([]), addr: 0x1002, data: new Uint8Array([1, 2, 0, 0, 0, 0x63, 9]), size: 7 }], symbols: [], lines: [] };
    expect(statements(disassembleImage(image))).toEqual(['.text', '.org 0x1002', '.byte 0x01, 0x02', 'halt zero', '.byte 0x09']);
  });

  test('a label inside a word turns that word into bytes', () => {
    const nop = encode(lookupMnemonic('add')!, [0, 0, 0]);
    const image: Image = {
      entry: TEXT_ADDR, sections: [text([nop, nop])],
      symbols: [{ name: 'inside', value: TEXT_ADDR + 6, section: '.text', global: false, kind: 'func' }], lines: [],
    };
    expect(statements(disassembleImage(image))).toEqual(['.text', '.org 0x1000', 'add zero, zero, zero', '.byte 0x00, 0x00', 'inside:', '.byte 0x00, 0x01']);
  });

  test('names the assembler cannot read back, duplicates, and labels outside their section', () => {
    const image: Image = {
      entry: TEXT_ADDR, sections: [text([0x01000000])],
      symbols: [
        { name: '1', value: TEXT_ADDR, section: '.text', global: false, kind: 'func' },
        { name: 'twice', value: TEXT_ADDR, section: '.text', global: false, kind: 'func' },
        { name: 'twice', value: TEXT_ADDR + 4, section: '.text', global: false, kind: 'func' },
        { name: 'lost', value: 0x9000, section: '.text', global: true, kind: 'func' },
      ],
      lines: [],
    };
    const src = disassembleImage(image);
    expect(src).toContain('; symbol "1" = 0x1000 cannot be written back as a label');
    expect(src).toContain('; symbol "twice" = 0x1004 cannot be written back as a label');
    expect(statements(src)).toEqual(['.equ lost, 0x9000', '.global lost', '.text', '.org 0x1000', 'twice:', 'add zero, zero, zero']);
  });

  test('raw words at a base address', () => {
    const beq = encode(lookupMnemonic('beq')!, [4, 0, -4]);
    const bytes = new Uint8Array([...wordsToBytes([beq, beq]), 0xaa]);
    expect(statements(disassembleRaw(bytes, 0x8000))).toEqual(['.text', '.org 0x8000', 'beq a0, zero, 0x7ffc', 'beq a0, zero, 0x8000', '.byte 0xaa']);
  });
});

describe('entry point', () => {
  const nop = 0x01000000;
  test('an entry that is neither _start nor the start of .text gets a _start label', () => {
    const image: Image = { entry: TEXT_ADDR + 4, sections: [text([nop, nop])], symbols: [], lines: [] };
    const src = disassembleImage(image);
    expect(src).toContain('; entry 0x1004: labelled _start below so that reassembly keeps it');
    expect(statements(src)).toEqual(['.text', '.org 0x1000', 'add zero, zero, zero', '_start:', 'add zero, zero, zero']);
  });

  test('an entry at the start of .text needs no label', () => {
    const src = disassembleImage({ entry: TEXT_ADDR, sections: [text([nop])], symbols: [], lines: [] });
    expect(src).not.toContain('_start');
  });

  test('a _start elsewhere than the entry is pointed out', () => {
    const image: Image = {
      entry: TEXT_ADDR, sections: [text([nop, nop])], lines: [],
      symbols: [{ name: '_start', value: TEXT_ADDR + 4, section: '.text', global: true, kind: 'func' }],
    };
    expect(disassembleImage(image)).toContain('; entry 0x1000: not _start (0x1004); reassembly will enter at _start');
  });
});
