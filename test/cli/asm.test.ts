import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readElf } from '../../src/elf/index.js';
import { READELF, runReadelf } from '../elf/readelf.js';
import { oneErrorLine, runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-asm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HELLO = new URL('../../guests/hello.s', import.meta.url).pathname;

function source(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('virtlab asm', () => {
  test('assembles guests/hello.s into an ELF image whose entry is _start', async () => {
    const out = join(dir, 'hello.elf');
    const r = await runCli(['asm', HELLO, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const image = readElf(new Uint8Array(readFileSync(out)), out);
    const start = image.symbols.find((s) => s.name === '_start');
    expect(start?.global).toBe(true);
    expect(image.entry).toBe(start!.value);
    expect(image.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.text', '.data']));
    expect(image.lines.some((l) => l.file.endsWith('hello.s'))).toBe(true);
  });

  test.skipIf(!READELF)('readelf accepts the output without a warning', async () => {
    const out = join(dir, 'hello-readelf.elf');
    expect((await runCli(['asm', HELLO, '-o', out])).code).toBe(0);
    const r = runReadelf(out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['_start', 'message', 'CONSOLE']));
    const image = readElf(new Uint8Array(readFileSync(out)));
    expect(r.entry).toBe(image.entry);
  });

  test('writes next to the source with .elf by default, and a listing on request', async () => {
    const src = source('prog.s', '_start:\n        addi a0, zero, 5\n        halt a0\n');
    const listing = join(dir, 'prog.lst');
    const r = await runCli(['asm', src, '--listing', listing]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'prog.elf'))).toBe(true);
    const lst = readFileSync(listing, 'utf8');
    expect(lst).toContain('addi a0, zero, 5');
    expect(lst).toMatch(/20400005/i);
  });

  test('every diagnostic goes to stderr, then the error count; exit 1 and no image', async () => {
    const src = source('bad.s', '_start:\n        addi a0, zero\n        frob a0\n        halt a0\n');
    const r = await runCli(['asm', src]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: error: `, 'm'));
    expect(r.stderr).toMatch(/:3:\d+: error: .*frob/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('virtlab: 2 errors');
    expect(existsSync(join(dir, 'bad.elf'))).toBe(false);
  });

  test('-D defines symbols for conditional assembly, repeatable, NAME alone meaning 1', async () => {
    const src = source('cond.s', [
      '_start:',
      '.ifdef PV',
      '        addi a0, zero, LEVEL',
      '.else',
      '        addi a0, zero, 1',
      '.endif',
      '        halt a0',
    ].join('\n') + '\n');
    const plain = join(dir, 'plain.elf');
    const pv = join(dir, 'pv.elf');
    expect((await runCli(['asm', src, '-o', plain])).code).toBe(0);
    const r = await runCli(['asm', src, '-o', pv, '-D', 'PV', '-D', 'LEVEL=0x2a']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const word = (file: string) => new DataView(readElf(new Uint8Array(readFileSync(file))).sections[0]!.data.buffer).getUint32(0, true);
    expect(word(plain) & 0xffff).toBe(1);
    expect(word(pv) & 0xffff).toBe(0x2a);
  });

  test('warnings are printed but do not fail the build', async () => {
    const src = source('warn.s', '_start:\n.warning "just so you know"\n        halt zero\n');
    const r = await runCli(['asm', src, '-o', join(dir, 'warn.elf')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warn\.s:2:\d+: warning: .*just so you know/);
    expect(r.stderr).not.toMatch(/^virtlab: /m);
  });

  test('relative paths and .include resolve from the working directory and the including file', async () => {
    const guests = new URL('../../guests/', import.meta.url).pathname;
    const out = join(dir, 'timer.elf');
    const r = await runCli(['asm', 'exceptions/timer.s', '-o', out], guests);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const image = readElf(new Uint8Array(readFileSync(out)));
    expect(image.symbols.map((s) => s.name)).toContain('rt_report'); // defined in ../lib/rt.inc
    const files = [...new Set(image.lines.map((l) => l.file))];
    expect(files).toHaveLength(2);
    expect(files.some((f) => f.endsWith('timer.s'))).toBe(true);
    expect(files.some((f) => f.endsWith('lib/rt.inc'))).toBe(true);
  });

  test.each([
    [['asm', join(dir, 'nope.s')], 1, `virtlab: cannot read '${join(dir, 'nope.s')}': no such file or directory`],
    [['asm', HELLO, '-D', '1X'], 2, "virtlab: bad -D '1X': expected NAME or NAME=VALUE, NAME an identifier"],
    [['asm', HELLO, '-D', '=3'], 2, "virtlab: bad -D '=3': expected NAME or NAME=VALUE, NAME an identifier"],
    [['asm', HELLO, '-D', 'X='], 2, "virtlab: bad -D 'X=': empty VALUE (write -D X for 1)"],
    [['asm', HELLO, '--frob'], 2, "virtlab: unknown option '--frob'"],
    [['asm'], 2, "virtlab: missing required argument 'file'"],
    [['asm', HELLO, '-o', HELLO], 2, `virtlab: output '${HELLO}' would overwrite the source`],
    [['asm', HELLO, '-I', join(dir, 'no-such-dir')], 2, `virtlab: bad -I '${join(dir, 'no-such-dir')}': no such directory`],
    [['asm', HELLO, '-I', HELLO], 2, `virtlab: bad -I '${HELLO}': not a directory`],
    [['asm', HELLO, '--max-expansion', '0'], 2, "virtlab: bad --max-expansion '0': expected a number of lines (a whole number from 1 to 10000000)"],
    [['asm', HELLO, '--max-expansion', 'lots'], 2, "virtlab: bad --max-expansion 'lots': expected a number of lines (a whole number from 1 to 10000000, written in decimal, 0x hex, 0b binary or 0o octal)"],
    [['run', join(dir, 'x.elf'), '-I', dir], 2, `virtlab: -I applies to assembler sources (.s), not '${join(dir, 'x.elf')}'`],
    [['run', join(dir, 'x.elf'), '-D', 'A', '--max-expansion', '9'], 2, `virtlab: -D, --max-expansion apply to assembler sources (.s), not '${join(dir, 'x.elf')}'`],
  ])('%j fails with one line', async (args, code, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(code);
    expect(oneErrorLine(r)).toBe(message);
  });

  test('asm then disasm then asm again gives the same bytes', async () => {
    const first = join(dir, 'rt1.elf');
    const src = join(dir, 'rt.s');
    const second = join(dir, 'rt2.elf');
    expect((await runCli(['asm', HELLO, '-o', first])).code).toBe(0);
    expect((await runCli(['disasm', first, '-o', src])).code).toBe(0);
    const r = await runCli(['asm', src, '-o', second]);
    expect(r.stderr).toBe('');
    const a = readElf(new Uint8Array(readFileSync(first)));
    const b = readElf(new Uint8Array(readFileSync(second)));
    expect(b.entry).toBe(a.entry);
    expect(b.sections.map((s) => [s.name, s.addr, s.size, Buffer.from(s.data).toString('hex')]))
      .toEqual(a.sections.map((s) => [s.name, s.addr, s.size, Buffer.from(s.data).toString('hex')]));
  });

  test('-I DIR: includes are searched in the including file\'s directory, then each -I in order, then guests/lib', async () => {
    for (const d of ['src', 'incA', 'incB']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'incA', 'value.inc'), '        addi a0, zero, 11\n');
    writeFileSync(join(dir, 'incB', 'value.inc'), '        addi a0, zero, 22\n');
    const main = join(dir, 'src', 'main.s');
    writeFileSync(main, '_start:\n        .include "value.inc"\n        halt a0\n');
    const run = async (...more: string[]) => {
      const r = await runCli(['run', 'src/main.s', ...more], dir);
      return { code: r.code, stderr: r.stderr };
    };
    expect(await run('-I', 'incA', '-I', 'incB')).toEqual({ code: 11, stderr: '' });
    expect(await run('-I', 'incB', '--include-dir', 'incA')).toEqual({ code: 22, stderr: '' });
    // Not found: one line naming every place tried, the default last.
    writeFileSync(main, '_start:\n        .include "none.inc"\n        halt a0\n');
    const miss = await runCli(['asm', 'src/main.s', '-I', 'incA', '-o', join(dir, 'x.elf')], dir);
    expect(miss.code).toBe(1);
    const lib = new URL('../../guests/lib/', import.meta.url).pathname;
    expect(miss.stderr.split('\n')[0]).toBe(`src/main.s:2:18: error: include file 'none.inc' not found (looked for src/none.inc, incA/none.inc, ${lib}none.inc)`);
  });

  test('the installation\'s guests/lib is searched by default', async () => {
    const src = source('uses-rt.s', '        .include "priv.inc"\n_start:\n        PRIV_HALT zero\n');
    const r = await runCli(['asm', src, '-o', join(dir, 'uses-rt.elf')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('-I and --max-expansion work on every command that assembles a source', async () => {
    mkdirSync(join(dir, 'incZ'), { recursive: true });
    writeFileSync(join(dir, 'incZ', 'halt7.inc'), '.macro HALT7\n        addi a0, zero, 7\n        halt a0\n.endm\n');
    const src = source('every.s', '        .include "halt7.inc"\n_start:\n        HALT7\n');
    for (const cmd of [['run'], ['trace'], ['bt-dump'], ['asm', '-o', join(dir, 'every.elf')]]) {
      const without = await runCli([...cmd, src]);
      expect(without.stderr, cmd[0]).toMatch(/include file 'halt7\.inc' not found/);
      const r = await runCli([...cmd, src, '-I', join(dir, 'incZ'), '--max-expansion', '100']);
      expect(r.stderr, cmd[0]).not.toMatch(/error/);
      const low = await runCli([...cmd, src, '-I', join(dir, 'incZ'), '--max-expansion', '1']);
      expect(low.stderr, cmd[0]).toMatch(/every\.s:3:9: error: macro expansion exceeds 1 lines \(raise the bound with --max-expansion\); calls: HALT7 at .*every\.s:3/);
    }
    const dbg = await runCli(['debug', src, '-I', join(dir, 'incZ'), '--max-expansion', '1'], undefined, 'quit\n');
    expect(dbg.stderr).toMatch(/macro expansion exceeds 1 lines/);
  });

  test('a macro that doubles itself 30 times stops at the expansion bound with one error', async () => {
    const src = source('double.s', ['.macro d n', '.if \\n', 'd \\n-1', 'd \\n-1', '.endif', '.endm', '_start:', '        d 30', '        halt zero'].join('\n') + '\n');
    const r = await runCli(['asm', src, '-o', join(dir, 'double.elf'), '--max-expansion', '5000']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/double\.s:8:9: error: macro expansion exceeds 5000 lines \(raise the bound with --max-expansion\); calls: d at .*double\.s:8 -> d at .*double\.s:3 -> d at .*double\.s:3 -> \.\.\. \d+ more \.\.\. -> /);
    expect(lines.at(-1)).toBe('virtlab: 1 error');
  });

  test('a main source that is a directory, a FIFO or a device is refused at once', async () => {
    mkdirSync(join(dir, 'adir.s'), { recursive: true });
    const fifo = join(dir, 'pipe.s');
    (await import('node:child_process')).execFileSync('mkfifo', [fifo]);
    for (const [cmd, path, why] of [
      ['asm', join(dir, 'adir.s'), 'is a directory'],
      ['asm', fifo, 'is a FIFO, not a regular file'],
      ['run', fifo, 'is a FIFO, not a regular file'],
      ['asm', '/dev/zero', 'is a device, not a regular file'],
    ] as const) {
      const r = await runCli([cmd, path, ...(cmd === 'asm' ? ['-o', join(dir, 'never.elf')] : [])]);
      expect(oneErrorLine(r)).toBe(`virtlab: cannot read '${path}': ${why}`);
    }
  });
  test('past 100 diagnostics only their count is printed: a long bad line stays a short report', async () => {
    const src = join(dir, 'many.s');
    writeFileSync(src, `.word ${Array.from({ length: 5000 }, (_, i) => `x${i}`).join(',')}\n`);
    const r = await runCli(['asm', src, '-o', join(dir, 'many.elf')]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => / error: /.test(l))).toHaveLength(100);
    expect(lines.at(-1)).toBe('virtlab: 5000 errors (the first 100 diagnostics shown, 4900 more not)');
  });
});
