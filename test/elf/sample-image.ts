// A varied hand-built Image for ELF and disassembler tests: every instruction of
// the table once, data with an odd tail, a .bss, labels of every kind.

import type { Image, ImageSymbol } from '../../src/elf/image.js';
import { INSTRUCTIONS, encode, type InsnDef, type OperandValue } from '../../src/isa/index.js';

export const TEXT_ADDR = 0x1000;
export const DATA_ADDR = 0x2000;
export const BSS_ADDR = 0x3000;

/** Operand values exercising each kind; `pc` and `target` make branch offsets. */
export function sampleOperands(def: InsnDef, i: number, pc: number, target: number): OperandValue[] {
  return def.operands.map((spec, k) => {
    switch (spec.kind) {
      case 'reg': return (i + 3 * k) % 16;
      case 'cr': return i % 7;
      case 'simm16': return i % 2 ? -5 - i : 1000 + i;
      case 'uimm16': return 0x1234 + i;
      case 'shamt': return i % 32;
      case 'mem': return { offset: i % 2 ? -8 : 12, base: 2 };
      case 'port': return { offset: 0x10 + i, base: i % 16 };
      case 'branch': case 'jump': return target - pc;
    }
  });
}

function textWords(): number[] {
  return INSTRUCTIONS.map((def, i) => {
    const pc = TEXT_ADDR + 4 * i;
    // Branches go back to _start or forward to the end label, so both directions are covered.
    const target = i % 2 ? TEXT_ADDR : TEXT_ADDR + 4 * INSTRUCTIONS.length;
    return encode(def, sampleOperands(def, i, pc, target));
  }).concat([0x00000000, 0xe0000000]); // two undefined words: they must come back as .word
}

export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}

export function sampleImage(): Image {
  const text = wordsToBytes(textWords());
  const data = new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0, 0, 0xef, 0xbe, 0xad, 0xde, 0x01, 0x02, 0x03]);
  const textEnd = TEXT_ADDR + text.length;
  const symbols: ImageSymbol[] = [
    { name: '_start', value: TEXT_ADDR, section: '.text', global: true, kind: 'func' },
    { name: 'middle', value: TEXT_ADDR + 8, section: '.text', global: false, kind: 'func' },
    { name: 'text_end', value: textEnd, section: '.text', global: false, kind: 'func' },
    { name: 'msg', value: DATA_ADDR, section: '.data', global: true, kind: 'object' },
    { name: 'odd', value: DATA_ADDR + 13, section: '.data', global: false, kind: 'object' },
    { name: 'buf', value: BSS_ADDR, section: '.bss', global: true, kind: 'object' },
    { name: 'buf2', value: BSS_ADDR + 0x40, section: '.bss', global: false, kind: 'object' },
    { name: 'UART', value: 0x10, global: true, kind: 'abs' },
    { name: 'MASK', value: 0xffff0000, global: false, kind: 'abs' },
  ];
  return {
    entry: TEXT_ADDR,
    sections: [
      { name: '.text', addr: TEXT_ADDR, data: text, size: text.length, flags: { read: true, write: false, exec: true } },
      { name: '.data', addr: DATA_ADDR, data, size: data.length, flags: { read: true, write: true, exec: false } },
      { name: '.bss', addr: BSS_ADDR, data: new Uint8Array(0), size: 0x100, flags: { read: true, write: true, exec: false } },
    ],
    symbols,
    lines: [
      { addr: TEXT_ADDR, file: 'sample.s', line: 3 },
      { addr: TEXT_ADDR + 4, file: 'sample.s', line: 4 },
      { addr: TEXT_ADDR + 8, file: 'inc/ü.inc', line: 1 },
      { addr: TEXT_ADDR + 12, file: 'sample.s', line: 7 },
    ],
  };
}
