// A corpus of corrupt images, each made by patching one thing in a valid image's
// bytes, covering every rejection class of the reader (structure) and of the
// loader (against the machine). Each is refused with its exact one line, through
// the library and through `virtlab run`; the patches that are harmless load.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { ElfError, readElf, writeElf, type Image } from '../../src/elf/index.js';
import { LoadError } from '../../src/machine/index.js';
import { createVm } from '../../src/vmm/index.js';
import { oneErrorLine, runCli } from '../cli/run.js';

// .text [0x1000, 0x1010), .data [0x2000, 0x200c), .bss [0x3000, 0x3040): program
// headers 0, 1, 2 and section headers 1, 2, 3 (checked below). Exit code 2 shows
// .data was loaded.
const SOURCE = [
  '        .text',
  '        .global _start',
  '_start: la   a0, table',
  '        lw   a0, 4(a0)',
  '        halt a0',
  '        .data',
  'table:  .word 1, 2, 3',
  '        .bss',
  'buf:    .space 64',
].join('\n') + '\n';

const P = { type: 0, offset: 4, vaddr: 8, paddr: 12, filesz: 16, memsz: 20, flags: 24, align: 28 } as const;
const S = { type: 4, flags: 8, addr: 12, offset: 16, size: 20 } as const;
const E = { entry: 24, phoff: 28, shoff: 32, phentsize: 42, phnum: 44, shnum: 48, shstrndx: 50 } as const;
const PT_NULL = 0, PT_NOTE = 4, SHT_NOBITS = 8, PF_R = 4;

const base = (() => {
  const r = assemble(SOURCE, { file: 'base.s' });
  if (!r.image) throw new Error('the base image does not assemble');
  return writeElf(r.image, 'base.elf');
})();

/** A copy of the base image to patch. */
class Patch {
  readonly bytes = base.slice();
  private readonly view = new DataView(this.bytes.buffer);

  get length(): number { return this.bytes.length; }
  header(field: keyof typeof E, value: number): this {
    if (field === 'entry' || field === 'phoff' || field === 'shoff') this.view.setUint32(E[field], value, true);
    else this.view.setUint16(E[field], value, true);
    return this;
  }
  ph(i: number, field: keyof typeof P, value: number): this {
    this.view.setUint32(this.view.getUint32(E.phoff, true) + 32 * i + P[field], value, true);
    return this;
  }
  phField(i: number, field: keyof typeof P): number {
    return this.view.getUint32(this.view.getUint32(E.phoff, true) + 32 * i + P[field], true);
  }
  sh(i: number, field: keyof typeof S, value: number): this {
    this.view.setUint32(this.view.getUint32(E.shoff, true) + 40 * i + S[field], value, true);
    return this;
  }
  shField(i: number, field: keyof typeof S): number {
    return this.view.getUint32(this.view.getUint32(E.shoff, true) + 40 * i + S[field], true);
  }
  /** No section headers: the file is its program headers only, so only they are checked. */
  stripSections(): this {
    return this.header('shoff', 0).header('shnum', 0).header('shstrndx', 0);
  }
}

const patch = () => new Patch();

/** Rejected by readElf: `bad.elf: <message>`. */
const readerCases: [string, () => Patch, string | ((p: Patch) => string)][] = [
  ['p_filesz > p_memsz', () => patch().ph(1, 'memsz', 0x8), 'program header 1: p_filesz 0xc exceeds p_memsz 0x8'],
  ['p_offset + p_filesz past the end of the file', () => patch().ph(1, 'offset', 0x7fff_f000),
    (p) => `program header 1: p_offset 0x7ffff000 + p_filesz 0xc lies past the end of the file (${p.length} bytes)`],
  ['p_filesz past the end of the file', () => patch().ph(0, 'filesz', 0x10_0000).ph(0, 'memsz', 0x10_0000),
    (p) => `program header 0: p_offset 0x1000 + p_filesz 0x100000 lies past the end of the file (${p.length} bytes)`],
  ['p_memsz wrapping 32 bits', () => patch().ph(2, 'memsz', 0xffff_f000),
    'program header 2: p_vaddr 0x3000 + p_memsz 0xfffff000 wraps past the 32-bit address space'],
  ['p_align not a power of two', () => patch().ph(0, 'align', 0x1800), 'program header 0: p_align 0x1800 is not a power of two'],
  ['p_vaddr unaligned for p_align', () => patch().ph(0, 'vaddr', 0x1004),
    'program header 0: p_vaddr 0x1004 and p_offset 0x1000 differ modulo p_align 0x1000'],
  ['p_offset unaligned for p_align', () => patch().ph(1, 'offset', 0x2004),
    'program header 1: p_vaddr 0x2000 and p_offset 0x2004 differ modulo p_align 0x1000'],
  ['PT_DYNAMIC', () => patch().ph(2, 'type', 2),
    'program header 2: p_type 0x2 (PT_DYNAMIC) is not supported: a virtlab image is a static executable (PT_LOAD; PT_NOTE and PT_NULL are ignored)'],
  ['PT_INTERP', () => patch().ph(0, 'type', 3),
    'program header 0: p_type 0x3 (PT_INTERP) is not supported: a virtlab image is a static executable (PT_LOAD; PT_NOTE and PT_NULL are ignored)'],
  ['PT_GNU_STACK', () => patch().ph(2, 'type', 0x6474e551),
    'program header 2: p_type 0x6474e551 (PT_GNU_STACK) is not supported: a virtlab image is a static executable (PT_LOAD; PT_NOTE and PT_NULL are ignored)'],
  ['an OS-specific p_type', () => patch().ph(1, 'type', 0x6000_0000),
    'program header 1: p_type 0x60000000 is not supported: a virtlab image is a static executable (PT_LOAD; PT_NOTE and PT_NULL are ignored)'],
  ['e_phnum 0', () => patch().header('phnum', 0), 'e_phnum 0: no program headers, but section 1 (.text) [0x1000, 0x1010) is to be loaded'],
  ['e_phentsize of ELF64', () => patch().header('phentsize', 56), 'e_phentsize 56, expected 32'],
  ['the program header table past the end', () => patch().header('phoff', base.length - 40),
    (p) => `program header table (e_phoff 0x${(p.length - 40).toString(16)}, e_phnum 3) lies outside the file (${p.length} bytes)`],
  ['a section outside every segment', () => patch().sh(1, 'addr', 0x5000), 'section 1 (.text) [0x5000, 0x5010) is not inside any PT_LOAD segment'],
  ['a section larger than its segment', () => patch().sh(2, 'size', 0x10), 'section 2 (.data) [0x2000, 0x2010) is not inside any PT_LOAD segment'],
  ['a section at another file offset than its segment loads', () => patch().sh(1, 'offset', 0x1004),
    'section 1 (.text): sh_offset 0x1004 is not where program header 0 loads it from (file offset 0x1000)'],
  ['a section whose bytes the segment leaves out (p_filesz 0)', () => patch().ph(1, 'filesz', 0),
    'section 2 (.data) [0x2000, 0x200c) has file contents but program header 1 loads only zeros past 0x2000 (p_filesz 0x0)'],
  ['a NOBITS section where the segment loads file bytes', () => patch().ph(2, 'filesz', 0x40),
    'section 3 (.bss) [0x3000, 0x3040) is SHT_NOBITS but program header 2 loads file bytes there (p_vaddr 0x3000, p_filesz 0x40)'],
  ['.data turned NOBITS inside a segment with file bytes', () => patch().sh(2, 'type', SHT_NOBITS),
    'section 2 (.data) [0x2000, 0x200c) is SHT_NOBITS but program header 1 loads file bytes there (p_vaddr 0x2000, p_filesz 0xc)'],
  ['two sections sharing file bytes', () => patch().sh(2, 'offset', 0x1000),
    'section 2 (.data): sh_offset 0x1000 lies in the file bytes of section 1 (.text) [0x1000, 0x1010)'],
  ['code in a segment that is not executable', () => patch().ph(0, 'flags', PF_R),
    'section 1 (.text) is SHF_EXECINSTR but program header 0 is not executable (p_flags 0x4, no PF_X)'],
];

/** Read, then refused by the loader: `cannot load the image: <message>` (natively: "memory", "RAM"). */
const loaderCases: [string, () => Patch, string][] = [
  ['p_memsz 0xfffff000', () => patch().ph(0, 'memsz', 0xffff_f000), 'program header 0: p_memsz 0xfffff000 exceeds memory (16 MiB)'],
  ['p_memsz 128 MiB', () => patch().ph(2, 'memsz', 128 << 20), 'program header 2: p_memsz 0x8000000 exceeds memory (16 MiB)'],
  ['a segment ending past memory', () => patch().ph(2, 'memsz', 0xff_f000),
    'program header 2: p_vaddr 0x3000 + p_memsz 0xfff000 ends past memory (16 MiB)'],
  ['p_vaddr 0', () => patch().ph(0, 'vaddr', 0).sh(1, 'addr', 0),
    'program header 0: p_vaddr 0x0 lies in page 0 [0x0, 0x1000), where nothing is loaded'],
  ['overlapping PT_LOAD segments', () => patch().stripSections().ph(2, 'vaddr', 0x2000),
    'program header 2: p_vaddr 0x2000 overlaps program header 1 [0x2000, 0x200c)'],
  ['overlapping PT_LOAD segments, the later one first in memory', () => patch().stripSections().ph(0, 'vaddr', 0x2000).ph(1, 'vaddr', 0x1000).ph(1, 'memsz', 0x1004),
    'program header 0: p_vaddr 0x2000 overlaps program header 1 [0x1000, 0x2004)'],
  ['the entry point in a data segment', () => patch().header('entry', 0x2000),
    'e_entry 0x2000 is not inside an executable (PF_X) segment (it is in program header 1, which is not)'],
  ['the entry point in no segment', () => patch().header('entry', 0x5000), 'e_entry 0x5000 is not inside an executable (PF_X) segment'],
  ['the entry point just past the code', () => patch().header('entry', 0x1010), 'e_entry 0x1010 is not inside an executable (PF_X) segment'],
  ['the entry point unaligned', () => patch().header('entry', 0x1002), 'e_entry 0x1002 is not 4-aligned'],
  ['the entry point past memory', () => patch().header('entry', 0x200_0000), 'e_entry 0x2000000 lies outside memory (RAM is [0x0, 0x1000000))'],
  ['no executable segment (no section headers to disagree)', () => patch().stripSections().ph(0, 'flags', PF_R),
    'e_entry 0x1000 is not inside an executable (PF_X) segment (it is in program header 0, which is not)'],
];

const dir = mkdtempSync(join(tmpdir(), 'virtlab-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runFile(bytes: Uint8Array, ...args: string[]) {
  writeFileSync(join(dir, 'bad.elf'), bytes);
  return runCli(['run', 'bad.elf', ...args], dir);
}

function read(p: Patch): Image {
  return readElf(p.bytes, 'bad.elf');
}

describe('the base image', () => {
  test('has the layout the patches assume, and runs (exit code 2: .data was loaded)', async () => {
    const p = patch();
    const segments = [0, 1, 2].map((i) => (['vaddr', 'offset', 'filesz', 'memsz', 'align'] as const).map((f) => p.phField(i, f)));
    expect(segments).toEqual([[0x1000, 0x1000, 0x10, 0x10, 0x1000], [0x2000, 0x2000, 0xc, 0xc, 0x1000], [0x3000, 0x3000, 0, 0x40, 0x1000]]);
    expect(read(p).sections.map((s, i) => [s.name, p.shField(i + 1, 'addr')])).toEqual([['.text', 0x1000], ['.data', 0x2000], ['.bss', 0x3000]]);
    const r = await runFile(p.bytes);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
  });
});

describe('the reader refuses a structurally corrupt image', () => {
  test.each(readerCases)('%s', async (_what, make, message) => {
    const p = make();
    const expected = typeof message === 'string' ? message : message(p);
    expect(() => read(p)).toThrow(new ElfError('bad.elf', expected));
    const r = await runFile(p.bytes);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe(`virtlab: bad.elf: ${expected}`);
  });
});

describe('the loader refuses an image that does not fit the machine', () => {
  test.each(loaderCases)('%s', async (_what, make, message) => {
    const image = read(make());
    expect(() => createVm({ image, console: false })).toThrow(new LoadError(message));
    const r = await runFile(make().bytes);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe(`virtlab: cannot load the image: ${message}`);
  });

  test.each(['trap', 'bt', 'hw'] as const)('under the monitor (--mode %s) the limit is guest memory', async (mode) => {
    const image = read(patch().ph(0, 'memsz', 0xffff_f000));
    expect(() => createVm({ image, mode, console: false })).toThrow(new LoadError('program header 0: p_memsz 0xfffff000 exceeds guest memory (16 MiB)'));
    const r = await runFile(patch().header('entry', 0x200_0000).bytes, '--mode', mode, '--memory', '4');
    expect(oneErrorLine(r)).toBe('virtlab: cannot load the image: e_entry 0x2000000 lies outside guest memory (guest RAM is [0x0, 0x400000))');
  });
});

describe('bounded memory', () => {
  test('65,535 program headers all mapping the same megabyte of the file are read as views, not 64 GiB of copies', async () => {
    const count = 0xffff, megabyte = 0x10_0000;
    const phoff = 0x1000 + megabyte;
    const p = patch().stripSections();
    const bytes = new Uint8Array(phoff + 32 * count);
    bytes.set(p.bytes.subarray(0, 52));
    const view = new DataView(bytes.buffer);
    view.setUint32(E.phoff, phoff, true);
    view.setUint16(E.phnum, count, true);
    for (let i = 0; i < count; i++) {
      const at = phoff + 32 * i;
      // Sixteen places, one megabyte apart: the sixteenth ends past 16 MiB of RAM.
      [1, 0x1000, 0x1000 + (i % 16) * megabyte, 0, megabyte, megabyte, 5, 0x1000].forEach((v, k) => view.setUint32(at + 4 * k, v, true));
    }
    const image = readElf(bytes, 'bad.elf');
    expect(image.segments).toHaveLength(count);
    const message = 'program header 15: p_vaddr 0xf01000 + p_memsz 0x100000 ends past memory (16 MiB)';
    expect(() => createVm({ image, console: false })).toThrow(new LoadError(message));
    const r = await runFile(bytes);
    expect(oneErrorLine(r)).toBe(`virtlab: cannot load the image: ${message}`);
  });
});

describe('what the rules leave alone loads and runs', () => {
  test.each([
    ['no section headers', () => patch().stripSections()],
    ['a PT_NOTE header is skipped', () => patch().stripSections().ph(2, 'type', PT_NOTE)],
    ['p_align 0 and 1 mean no alignment', () => patch().ph(0, 'align', 0).ph(1, 'align', 1)],
    ['p_paddr is ignored: segments load at p_vaddr', () => patch().ph(1, 'paddr', 0xdead_0000)],
  ])('%s', async (_what, make) => {
    const r = await runFile(make().bytes);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
  });

  test('a PT_NULL header is skipped: its segment is not loaded', async () => {
    // .data's header made PT_NULL: table reads as zeros, so lw gives 0 and the exit code is 0.
    const r = await runFile(patch().stripSections().ph(1, 'type', PT_NULL).bytes);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
