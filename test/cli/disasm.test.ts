import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeElf } from '../../src/elf/index.js';
import { encode, lookupMnemonic } from '../../src/isa/index.js';
import { sampleImage, wordsToBytes } from '../elf/sample-image.js';
import { oneErrorLine, runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-disasm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const elf = join(dir, 'sample.elf');
writeFileSync(elf, writeElf(sampleImage()));
const addi = (rd: number, rs: number, imm: number) => encode(lookupMnemonic('addi')!, [rd, rs, imm]);

describe('virtlab disasm', () => {
  test('prints sections, labels and instructions of an ELF image', async () => {
    const r = await runCli(['disasm', elf]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\s+\.text\n\s+\.org\s+0x1000\n\s+\.global _start\n_start:\n\s+add\s+zero, fp, a2\n/m);
    expect(r.stdout).toMatch(/^\s+bne\s+a1, t0, _start$/m);
    expect(r.stdout).toMatch(/^\s+\.bss\n\s+\.org\s+0x3000\n\s+\.global buf\nbuf:\n\s+\.space\s+64\nbuf2:\n\s+\.space\s+192$/m);
  });

  test('--addresses puts the address and word in a comment', async () => {
    const r = await runCli(['disasm', '--addresses', elf]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+add\s+zero, fp, a2\s+; 00001000: 01036000$/m);
  });

  test('--raw --base reads a flat binary at that address', async () => {
    const bin = join(dir, 'flat.bin');
    writeFileSync(bin, wordsToBytes([addi(4, 0, 5), encode(lookupMnemonic('beq')!, [4, 0, -4])]));
    const r = await runCli(['disasm', '--raw', '--base', '0x8000', '--addresses', bin]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+\.org\s+0x8000$/m);
    expect(r.stdout).toMatch(/^\s+addi\s+a0, zero, 5\s+; 00008000: 20400005$/m);
    expect(r.stdout).toMatch(/^\s+beq\s+a0, zero, 0x8000\s+; 00008004: /m);
  });

  test('-o writes the source to a file', async () => {
    const out = join(dir, 'out.s');
    const r = await runCli(['disasm', elf, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect((await import('node:fs')).readFileSync(out, 'utf8')).toContain('_start:');
  });

  test.each([
    [['disasm', 'missing.elf'], 1, "virtlab: cannot read 'missing.elf': no such file or directory"],
    [['disasm', '--base', '0x1000', 'x.elf'], 2, 'virtlab: --base only applies with --raw'],
    [['disasm', '--raw', '--base', 'zz', 'x.bin'], 2, "virtlab: bad --base 'zz': expected an address such as 0x1000"],
    [['disasm', '--raw', '--base', '0x1002', 'x.bin'], 2, 'virtlab: bad --base 0x1002: instructions must be 4-aligned'],
  ])('%j fails with one line', async (args, code, message) => {
    const r = await runCli(args as string[], dir);
    expect(r.code).toBe(code);
    expect(oneErrorLine(r)).toBe(message);
  });

  test('a file that is not a virtlab image names itself and the problem', async () => {
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'this is not an ELF file at all, just some text that is long enough\n');
    const r = await runCli(['disasm', txt]);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe(`virtlab: ${txt}: not an ELF file (bad magic)`);
  });
});
