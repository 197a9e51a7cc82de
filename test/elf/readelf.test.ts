import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readElf, writeElf, type Image } from '../../src/elf/index.js';
import { EM_VIRTLAB } from '../../src/isa/index.js';
import { READELF, runReadelf } from './readelf.js';
import { sampleImage, wordsToBytes } from './sample-image.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-elf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(image: Image, file: string) {
  const path = join(dir, file);
  writeFileSync(path, writeElf(image));
  const r = runReadelf(path);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r;
}

if (!READELF) console.warn('SKIPPING readelf tests: GNU readelf is not installed (apt-get install binutils)');

describe.skipIf(!READELF)('GNU readelf accepts our images', () => {
  test('the sample image: header, segments, sections and symbols match', () => {
    const image = sampleImage();
    const r = check(image, 'sample.elf');
    expect(r.entry).toBe(image.entry);
    expect(r.machine).toContain(`0x${EM_VIRTLAB.toString(16)}`);
    expect(r.stdout).toMatch(/Class:\s+ELF32/);
    expect(r.stdout).toMatch(/little endian/);
    expect(r.stdout).toMatch(/Type:\s+EXEC/);

    const flagsOf = (s: { flags: Image['sections'][number]['flags'] }) => (s.flags.read ? 'R' : '') + (s.flags.write ? 'W' : '') + (s.flags.exec ? 'E' : '');
    expect(r.segments).toEqual(image.sections.map((s) => ({
      offset: expect.any(Number), vaddr: s.addr, filesz: s.name === '.bss' ? 0 : s.size, memsz: s.size, flags: flagsOf(s), align: 0x1000,
    })));
    // What readElf loads is what GNU readelf says the program headers are.
    const segments = readElf(readFileSync(join(dir, 'sample.elf')), 'sample.elf').segments!;
    expect(segments.map((s) => ({ vaddr: s.addr, filesz: s.data.length, memsz: s.size, flags: flagsOf(s) })))
      .toEqual(r.segments.map(({ vaddr, filesz, memsz, flags }) => ({ vaddr, filesz, memsz, flags })));
    expect(r.sections.map((s) => [s.name, s.type, s.flags])).toEqual([
      ['.text', 'PROGBITS', 'AX'], ['.data', 'PROGBITS', 'WA'], ['.bss', 'NOBITS', 'WA'],
      ['.symtab', 'SYMTAB', ''], ['.strtab', 'STRTAB', ''], ['.virtlab.lines', 'PROGBITS', ''], ['.shstrtab', 'STRTAB', ''],
    ]);

    const sectionIndex = (name?: string) => name === undefined ? 'ABS' : String(1 + image.sections.findIndex((s) => s.name === name));
    const expected = image.symbols.map((s) => ({
      value: s.value >>> 0, name: s.name, bind: s.global ? 'GLOBAL' : 'LOCAL',
      type: s.kind === 'func' ? 'FUNC' : s.kind === 'object' ? 'OBJECT' : 'NOTYPE', ndx: sectionIndex(s.section),
    }));
    const printed = r.symbols.filter((s) => s.name !== '' && s.ndx !== 'UND');
    expect(printed).toEqual(expect.arrayContaining(expected));
    expect(printed).toHaveLength(expected.length);
    // gABI: every local symbol precedes the first global one.
    const binds = printed.map((s) => s.bind);
    expect(binds.lastIndexOf('LOCAL')).toBeLessThan(binds.indexOf('GLOBAL'));
  });

  test('an image with no sections at all', () => {
    const r = check({ entry: 0x1000, sections: [], symbols: [], lines: [] }, 'empty.elf');
    expect(r.segments).toEqual([]);
    expect(r.stdout).toMatch(/There are no program headers in this file/);
  });

  test('text only, at an address that is not page aligned, with an odd-sized data section right behind it', () => {
    const text = wordsToBytes([0x01000000 | 0x123000, 0x01000000]);
    const r = check({
      entry: 0x1234,
      sections: [
        { name: '.text', addr: 0x1234, data: text, size: 8, flags: { read: true, write: false, exec: true } },
        { name: '.data', addr: 0x123c, data: new Uint8Array([1, 2, 3]), size: 3, flags: { read: true, write: true, exec: false } },
      ],
      symbols: [],
      lines: [],
    }, 'odd.elf');
    expect(r.segments.map((s) => [s.vaddr, s.offset % 0x1000])).toEqual([[0x1234, 0x234], [0x123c, 0x23c]]);
  });
});
