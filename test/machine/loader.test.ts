// loadImage: placement, reset state, and one-line LoadErrors.

import { describe, expect, test } from 'vitest';
import type { Image, ImageSection } from '../../src/elf/image.js';
import { REG } from '../../src/isa/index.js';
import { LoadError, loadImage, Machine } from '../../src/machine/index.js';
import { assemble, textImage } from './helpers.js';

const sec = (name: ImageSection['name'], addr: number, size: number, data = new Uint8Array(0)): ImageSection =>
  ({ name, addr, size, data, flags: { read: true, write: name !== '.text', exec: name === '.text' } });

function image(sections: ImageSection[], entry = 0x1000): Image {
  return { entry, sections, symbols: [], lines: [] };
}

describe('loadImage', () => {
  test('copies sections, zeroes .bss and the rest of RAM, resets the CPU', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    m.mem.write32(0x3000, -1); // leftovers from an earlier run
    m.cpu.regs[5] = 99;
    const { words } = assemble([['halt', 'zero']]);
    loadImage(m, textImage(words, 0x1000, [sec('.data', 0x2000, 4, Uint8Array.of(1, 2, 3, 4)), sec('.bss', 0x3000, 16)]));
    expect(m.mem.read32(0x2000)).toBe(0x04030201);
    expect(m.mem.read32(0x3000)).toBe(0);
    expect(m.cpu.pc).toBe(0x1000);
    expect(m.cpu.regs[5]).toBe(0);
    expect(m.cpu.regs[REG.sp]).toBe(1 << 20);
    expect(m.cpu.cr.every((v) => v === 0)).toBe(true);
  });
  test('default memory is 16 MiB and sp starts at its top', () => {
    const m = new Machine();
    loadImage(m, image([sec('.text', 0x1000, 4, new Uint8Array(4))]));
    expect(m.mem.size).toBe(16 * 1024 * 1024);
    expect(m.cpu.regs[REG.sp]).toBe(0x0100_0000);
  });
  test('a section outside memory', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    expect(() => loadImage(m, image([sec('.text', 0x1000, 4), sec('.bss', 0xff000, 0x2000)])))
      .toThrow(new LoadError('section .bss [0xff000, 0x101000) lies outside memory (RAM is [0x0, 0x100000))'));
  });
  test('overlapping sections', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    expect(() => loadImage(m, image([sec('.text', 0x1000, 0x100), sec('.data', 0x10f0, 0x20)])))
      .toThrow(new LoadError('sections .text [0x1000, 0x1100) and .data [0x10f0, 0x1110) overlap'));
  });
  test('touching sections do not overlap; empty sections are ignored', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    expect(() => loadImage(m, image([sec('.text', 0x1000, 0x100), sec('.data', 0x1100, 0x20), sec('.bss', 0x1000, 0)]))).not.toThrow();
  });
  test('bad entry points', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    expect(() => loadImage(m, image([], 0x200000))).toThrow('entry point 0x200000 lies outside memory');
    expect(() => loadImage(m, image([], 0x1002))).toThrow(new LoadError('entry point 0x1002 is not 4-aligned'));
  });
  test('nothing is written when the image is refused', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    m.mem.write32(0x1000, 1234);
    expect(() => loadImage(m, image([sec('.text', 0x1000, 4, new Uint8Array(4)), sec('.data', 0x1002, 4)]))).toThrow(LoadError);
    expect(m.mem.read32(0x1000)).toBe(1234);
  });
  test('nothing is loaded in page 0', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    expect(() => loadImage(m, image([sec('.text', 0x0, 8, new Uint8Array(8))], 0)))
      .toThrow(new LoadError('section .text [0x0, 0x8) lies in page 0 [0x0, 0x1000), where nothing is loaded'));
    expect(() => loadImage(m, image([sec('.text', 0xffc, 8, new Uint8Array(8))])))
      .toThrow(new LoadError('section .text [0xffc, 0x1004) lies in page 0 [0x0, 0x1000), where nothing is loaded'));
  });
  test('an assembled image with nothing in it still loads: a bare machine that starts at its entry', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    loadImage(m, image([], 0x1000));
    expect(m.cpu.pc).toBe(0x1000);
  });
  test('segments, when the image has them, are what is loaded (not the sections)', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    const code = Uint8Array.of(1, 2, 3, 4);
    const img: Image = {
      ...image([sec('.text', 0x1000, 4, Uint8Array.of(9, 9, 9, 9))]),
      segments: [
        { header: 0, addr: 0x1000, data: code, size: 4, flags: { read: true, write: false, exec: true } },
        { header: 1, addr: 0x2000, data: Uint8Array.of(5, 6), size: 0x10, flags: { read: true, write: true, exec: false } },
      ],
    };
    m.mem.write32(0x2004, -1);
    loadImage(m, img);
    expect(m.mem.read32(0x1000)).toBe(0x04030201);
    expect(m.mem.read32(0x2000)).toBe(0x0605);
    expect(m.mem.read32(0x2004)).toBe(0); // past p_filesz: zeros
  });
  test('an ELF entry point must be in an executable segment; an assembled one need not', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    const data = { header: 0, addr: 0x1000, data: new Uint8Array(4), size: 4, flags: { read: true, write: true, exec: false } };
    expect(() => loadImage(m, { ...image([]), segments: [data] }))
      .toThrow(new LoadError('e_entry 0x1000 is not inside an executable (PF_X) segment (it is in program header 0, which is not)'));
    expect(() => loadImage(m, image([sec('.data', 0x1000, 4, new Uint8Array(4))]))).not.toThrow();
  });
  test('segments built by hand get the checks readElf makes of the fields', () => {
    const m = new Machine({ memorySize: 1 << 20 });
    const seg = (addr: number, data: Uint8Array, size: number) => ({ header: 0, addr, data, size, flags: { read: true, write: false, exec: true } });
    expect(() => loadImage(m, { ...image([]), segments: [seg(0x1000, new Uint8Array(8), 4)] }))
      .toThrow(new LoadError('program header 0: p_filesz 0x8 exceeds p_memsz 0x4'));
    expect(() => loadImage(m, { ...image([]), segments: [seg(-4096, new Uint8Array(0), 4)] }))
      .toThrow(new LoadError('program header 0: p_vaddr -4096 or p_memsz 4 is not an unsigned 32-bit number'));
  });
  test('memory size must be a page multiple', () => {
    expect(() => new Machine({ memorySize: 5000 })).toThrow('memory size 5000 must be a multiple of 4096');
  });
});
