import { closeSync, openSync, readSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ElfError, readElf, writeElf } from '../../src/elf/index.js';
import { sampleImage } from './sample-image.js';

function valid(): { bytes: Uint8Array; view: DataView } {
  const bytes = writeElf(sampleImage());
  return { bytes, view: new DataView(bytes.buffer) };
}

function errorOf(bytes: Uint8Array): ElfError {
  try {
    readElf(bytes, 'x.elf');
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return e as ElfError;
  }
  throw new Error('readElf accepted the file');
}

const SH = (view: DataView, i: number) => view.getUint32(32, true) + 40 * i;

describe('readElf rejects with one line naming the file and the problem', () => {
  test.each([
    ['an empty file', () => new Uint8Array(0), /^x\.elf: file too short for an ELF header \(0 bytes, need 52\)$/],
    ['a short ELF file', () => valid().bytes.slice(0, 20), /file too short for an ELF header \(20 bytes/],
    ['a text file', () => new TextEncoder().encode('addi a0, zero, 5\n'.repeat(5)), /^x\.elf: not an ELF file \(bad magic\)$/],
    ['a short text file', () => new TextEncoder().encode('hello'), /not an ELF file \(bad magic\)/],
    ['ELF64', () => { const { bytes } = valid(); bytes[4] = 2; return bytes; }, /not ELF32: this is a 64-bit ELF file/],
    ['big-endian', () => { const { bytes } = valid(); bytes[5] = 2; return bytes; }, /not little-endian/],
    ['an x86-64 binary', () => { const { bytes, view } = valid(); view.setUint16(18, 0x3e, true); return bytes; },
      /^x\.elf: not a virtlab image: e_machine 0x3e \(x86-64\), expected 0x564c$/],
    ['an unknown machine', () => { const { bytes, view } = valid(); view.setUint16(18, 0x4242, true); return bytes; },
      /e_machine 0x4242 \(unknown machine\)/],
    ['a relocatable object', () => { const { bytes, view } = valid(); view.setUint16(16, 1, true); return bytes; },
      /not an executable: e_type 1 \(relocatable\)/],
    ['program headers past the end', () => { const { bytes, view } = valid(); view.setUint32(28, bytes.length - 8, true); return bytes; },
      /^x\.elf: program header table \(e_phoff 0x[0-9a-f]+, e_phnum 3\) lies outside the file \(\d+ bytes\)$/],
    ['a segment past the end', () => { const { bytes, view } = valid(); view.setUint32(52 + 16, 0x100000, true); view.setUint32(52 + 20, 0x100000, true); return bytes; },
      /^x\.elf: program header 0: p_offset 0x1000 \+ p_filesz 0x100000 lies past the end of the file \(\d+ bytes\)$/],
    ['file size above memory size', () => { const { bytes, view } = valid(); view.setUint32(52 + 20, 4, true); return bytes; },
      /^x\.elf: program header 0: p_filesz 0x100 exceeds p_memsz 0x4$/],
    ['section headers past the end', () => { const { bytes, view } = valid(); view.setUint32(32, bytes.length - 40, true); return bytes; },
      /section header table .* lies outside the file/],
    ['a section past the end', () => { const { bytes, view } = valid(); view.setUint32(SH(view, 2) + 20, 0x7fffffff, true); return bytes; },
      /section 2 \(offset 0x2000, 2147483647 bytes\) lies outside the file/],
    ['a bad section-name index', () => { const { bytes, view } = valid(); view.setUint16(50, 99, true); return bytes; },
      /e_shstrndx 99 is not a section \(there are 8\)/],
    ['a section name outside its table', () => { const { bytes, view } = valid(); view.setUint32(SH(view, 1), 0xffff, true); return bytes; },
      /name of section 1: string offset 65535 is outside its string table/],
    ['a symbol name outside its table', () => { const { bytes, view } = valid(); view.setUint32(view.getUint32(SH(view, 4) + 16, true) + 16, 0xffff, true); return bytes; },
      /name of symbol 1: string offset 65535/],
    ['a symbol in a missing section', () => { const { bytes, view } = valid(); view.setUint16(view.getUint32(SH(view, 4) + 16, true) + 16 + 14, 6, true); return bytes; },
      /symbol 'middle' refers to section 6, which is not a loaded section/],
    ['a line table that lies about its size', () => { const { bytes, view } = valid(); view.setUint32(view.getUint32(SH(view, 6) + 16, true) + 8, 1000, true); return bytes; },
      /section \.virtlab\.lines: line table size 92 does not match its header/],
    ['a line record naming a missing file', () => { const { bytes, view } = valid(); view.setUint32(view.getUint32(SH(view, 6) + 16, true) + 16 + 8 + 4, 7, true); return bytes; },
      /line record 0 names file 7, but the table has 2/],
  ])('%s', (_what, make, message) => {
    const e = errorOf(make());
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  test('a real host executable is refused as not ELF32 or not virtlab', () => {
    const head = new Uint8Array(4096);
    const fd = openSync(process.execPath, 'r');
    try { readSync(fd, head, 0, head.length, 0); } finally { closeSync(fd); }
    const e = errorOf(head);
    expect(e.message).toMatch(/not ELF32|not a virtlab image/);
  });
});
