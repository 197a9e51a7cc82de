import { describe, expect, test } from 'vitest';
import { canonicalImage, readElf, writeElf, type Image } from '../../src/elf/index.js';
import { sampleImage, wordsToBytes } from './sample-image.js';

function roundTrip(image: Image): Image {
  return readElf(writeElf(image), 'rt.elf');
}

describe('writeElf -> readElf', () => {
  test('gives back the sample image: sections, symbols, lines, entry', () => {
    const image = sampleImage();
    const back = roundTrip(image);
    expect(back).toEqual(canonicalImage(image));
    expect(back.entry).toBe(0x1000);
    expect(back.sections.map((s) => s.name)).toEqual(['.text', '.data', '.bss']);
    expect(back.sections[2]!.size).toBe(0x100);
    expect(back.lines.map((l) => l.file)).toContain('inc/ü.inc');
  });

  test('puts locals before globals and keeps each group in order', () => {
    const image = sampleImage();
    const back = roundTrip(image);
    const firstGlobal = back.symbols.findIndex((s) => s.global);
    expect(back.symbols.slice(firstGlobal).every((s) => s.global)).toBe(true);
    expect(back.symbols.filter((s) => s.global).map((s) => s.name)).toEqual(['_start', 'msg', 'buf', 'UART']);
    expect(back.symbols.filter((s) => !s.global).map((s) => s.name)).toEqual(['middle', 'text_end', 'odd', 'buf2', 'MASK']);
  });

  test('keeps unusual layouts: odd data address, two .text pieces, read-only data, entry not at the start', () => {
    const image: Image = {
      entry: 0x8008,
      sections: [
        { name: '.text', addr: 0x8000, data: wordsToBytes([1, 2, 3]), size: 12, flags: { read: true, write: false, exec: true } },
        { name: '.data', addr: 0x8011, data: new Uint8Array([9, 8, 7]), size: 3, flags: { read: true, write: false, exec: false } },
        { name: '.text', addr: 0x20000, data: wordsToBytes([4]), size: 4, flags: { read: true, write: false, exec: true } },
        { name: '.bss', addr: 0x8016, data: new Uint8Array(0), size: 2, flags: { read: true, write: true, exec: false } },
      ],
      symbols: [{ name: 'far', value: 0x20000, section: '.text', global: false, kind: 'func' }],
      lines: [],
    };
    const back = roundTrip(image);
    expect(back).toEqual(canonicalImage(image));
  });

  test('an image with nothing in it survives', () => {
    const empty: Image = { entry: 0, sections: [], symbols: [], lines: [] };
    expect(roundTrip(empty)).toEqual({ ...empty, segments: [] });
  });

  test('empty sections are kept as headers without a segment', () => {
    const image: Image = {
      entry: 0x1000,
      sections: [
        { name: '.text', addr: 0x1000, data: wordsToBytes([5]), size: 4, flags: { read: true, write: false, exec: true } },
        { name: '.data', addr: 0x1004, data: new Uint8Array(0), size: 0, flags: { read: true, write: true, exec: false } },
      ],
      symbols: [{ name: 'd', value: 0x1004, section: '.data', global: false, kind: 'object' }],
      lines: [],
    };
    const bytes = writeElf(image);
    expect(new DataView(bytes.buffer).getUint16(44, true)).toBe(1); // e_phnum: only .text is loaded
    expect(readElf(bytes)).toEqual(canonicalImage(image));
    expect(readElf(bytes).segments?.map((s) => [s.header, s.addr, s.size])).toEqual([[0, 0x1000, 4]]);
  });

  test('a symbol in a section the image lacks still gets a valid section index', () => {
    const image: Image = {
      entry: 0x1000,
      sections: [{ name: '.text', addr: 0x1000, data: wordsToBytes([5]), size: 4, flags: { read: true, write: false, exec: true } }],
      symbols: [{ name: 'buf', value: 0x2000, section: '.bss', global: true, kind: 'object' }],
      lines: [],
    };
    const back = roundTrip(image);
    expect(back.symbols).toEqual(image.symbols);
    expect(back.sections.map((s) => [s.name, s.size])).toEqual([['.text', 4], ['.bss', 0]]);
  });

  test('PT_LOAD offsets are congruent to their addresses modulo the page size', () => {
    const bytes = writeElf(sampleImage());
    const view = new DataView(bytes.buffer);
    const phnum = view.getUint16(44, true);
    expect(phnum).toBe(3);
    for (let i = 0; i < phnum; i++) {
      const at = view.getUint32(28, true) + 32 * i;
      expect(view.getUint32(at + 4, true) % 0x1000).toBe(view.getUint32(at + 8, true) % 0x1000);
      expect(view.getUint32(at + 28, true)).toBe(0x1000);
    }
  });

  test('refuses an image whose section data and size disagree', () => {
    const image = sampleImage();
    image.sections[0]!.size += 4;
    expect(() => writeElf(image, 'bad')).toThrow(/^bad: section \.text at 0x1000: size \d+ but \d+ data bytes$/);
  });
});

describe('an image with only program headers', () => {
  test('rebuilds .text, .data and .bss from the segments', () => {
    const bytes = writeElf(sampleImage());
    const view = new DataView(bytes.buffer);
    view.setUint32(32, 0, true); // e_shoff
    view.setUint16(48, 0, true); // e_shnum
    view.setUint16(50, 0, true); // e_shstrndx
    const image = readElf(bytes, 'nosections.elf');
    const sample = sampleImage();
    expect(image.entry).toBe(sample.entry);
    expect(image.symbols).toEqual([]);
    expect(image.lines).toEqual([]);
    expect(image.sections).toEqual(sample.sections);
    expect(image.segments).toEqual(canonicalImage(sample).segments);
  });

  test('splits a segment whose memory size exceeds its file size into data and bss', () => {
    const bytes = writeElf(sampleImage());
    const view = new DataView(bytes.buffer);
    view.setUint32(32, 0, true);
    view.setUint16(48, 0, true);
    view.setUint16(50, 0, true);
    const data = 52 + 32; // second program header: .data
    view.setUint32(data + 20, 0x20, true); // p_memsz 15 -> 32
    const image = readElf(bytes);
    const bss = image.sections.find((s) => s.name === '.bss' && s.addr === 0x200f);
    expect(bss?.size).toBe(0x20 - 15);
  });
});
