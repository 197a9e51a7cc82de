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
  test('memory size must be a page multiple', () => {
    expect(() => new Machine({ memorySize: 5000 })).toThrow('memory size 5000 must be a multiple of 4096');
  });
});
