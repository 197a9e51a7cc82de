// The audit of every file the CLI reads or writes: a directory, a missing
// path, a device, a FIFO or an unwritable path is one `virtlab:` line, never
// an internal error, a hang or unbounded memory (src/cli/files.ts).

import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { readStdinBounded, MAX_INPUT_BYTES } from '../../src/cli/files.js';
import { inputLines } from '../../src/cli/input-lines.js';
import { oneErrorLine, runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hello = new URL('../../guests/hello.s', import.meta.url).pathname;
const sub = join(dir, 'a-directory');
mkdirSync(sub);
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const plain = join(dir, 'plain.txt');
writeFileSync(plain, 'not a directory\n');

/** Inputs that are not a readable regular file, and the reason the error line must give. */
const BAD_INPUTS: [string, string, RegExp][] = [
  ['a directory', sub, /is a directory$/],
  ['a missing path', join(dir, 'missing.s'), /no such file or directory$/],
  ['/dev/zero', '/dev/zero', /is a device, not a regular file$/],
  ['a FIFO', fifo, /is a FIFO, not a regular file$/],
  ['a path through a file', join(plain, 'x.s'), /a path component is not a directory$/],
];

/** Outputs that cannot be written. */
const BAD_OUTPUTS: [string, string, RegExp][] = [
  ['a directory', sub, /is a directory$/],
  ['a FIFO nobody reads', fifo, /a FIFO that no process is reading$/],
  ['/dev/full', '/dev/full', /no space left on the device$/],
  ['a path through a file', join(plain, 'out'), /a path component is not a directory$/],
  ['a missing directory', join(dir, 'nowhere', 'out'), /no such file or directory$/],
];

describe('every input the CLI reads', () => {
  const commands: [string, (path: string) => string[]][] = [
    ['run', (p) => ['run', p]],
    ['disasm (image)', (p) => ['disasm', p]],
    ['disasm --raw', (p) => ['disasm', '--raw', p]],
    ['debug --script', (p) => ['debug', hello, '--script', p]],
    ['bt-dump (image)', (p) => ['bt-dump', p]],
    ['trace (image)', (p) => ['trace', p]],
  ];
  for (const [what, path, reason] of BAD_INPUTS) {
    test.each(commands)(`${what}: %s is one error line, exit 1`, async (_, args) => {
      const r = await runCli(args(path));
      expect(r.code).toBe(1);
      const line = oneErrorLine(r);
      expect(line).toContain(`cannot read '${path}'`);
      expect(line).toMatch(reason);
    });
  }
});

describe('sources (.s) too, read by the assembler\'s reader', () => {
  const dotS = join(dir, 'dir.s');
  mkdirSync(dotS);
  const fifoS = join(dir, 'fifo.s');
  execFileSync('mkfifo', [fifoS]);
  const zeroS = join(dir, 'zero.s');
  symlinkSync('/dev/zero', zeroS);
  test.each([
    [dotS, /is a directory$/], [fifoS, /is a FIFO, not a regular file$/], [zeroS, /is a device, not a regular file$/],
  ])('%s: run, trace, debug and bt-dump give one error line', async (path, reason) => {
    for (const command of ['run', 'trace', 'debug', 'bt-dump']) {
      const r = await runCli([command, path]);
      expect(r.code, command).toBe(1);
      expect(oneErrorLine(r), command).toMatch(reason);
    }
  });
});

describe('every output the CLI writes', () => {
  const commands: [string, (path: string) => string[]][] = [
    ['asm -o', (p) => ['asm', hello, '-o', p]],
    ['asm --listing', (p) => ['asm', hello, '-o', join(dir, 'ok.elf'), '--listing', p]],
    ['disasm -o', (p) => ['disasm', join(dir, 'ok.elf'), '-o', p]],
    ['trace -o', (p) => ['trace', hello, '-o', p]],
  ];
  test('the image disasm reads exists', async () => {
    expect((await runCli(['asm', hello, '-o', join(dir, 'ok.elf')])).code).toBe(0);
  });
  for (const [what, path, reason] of BAD_OUTPUTS) {
    test.each(commands)(`${what}: %s is one error line, exit 1`, async (_, args) => {
      const r = await runCli(args(path));
      expect(r.code).toBe(1);
      const line = oneErrorLine(r);
      expect(line).toContain(`cannot write '${path}'`);
      expect(line).toMatch(reason);
    });
    // A FIFO or a device can only be found out by writing to it: bench does that at the end, as every command does.
    test.skipIf(path === fifo || path.startsWith('/dev/'))(`${what}: bench --json fails before measuring anything`, async () => {
      const r = await runCli(['bench', '--suite', 'engine', '--rounds', '1', '--only', 'alu', '--json', path]);
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(reason);
      expect(r.stdout).toBe(''); // nothing was measured
    });
  }

  test('trace -o into a FIFO with a reader writes the trace to it', async () => {
    // The reader is this process: a non-blocking open for reading succeeds at once, and the short trace fits the pipe's buffer.
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const r = await runCli(['trace', hello, '--limit', '3', '-o', fifo]);
      expect(r.code).toBe(0);
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      expect(buf.subarray(0, n).toString('utf8').trim().split('\n')).toHaveLength(4); // 3 records and the limit line
    } finally {
      closeSync(fd);
    }
  });
});

test.each([
  ['trace', (p: string) => ['trace', p, '-o', p]],
  ['disasm', (p: string) => ['disasm', p, '-o', p]],
  ['asm --listing', (p: string) => ['asm', p, '-o', join(dir, 'keep.elf'), '--listing', p]],
])('%s: the input itself as output is refused before anything is written', async (_, args) => {
  const input = join(dir, 'keep.s');
  writeFileSync(input, '        .text\n_start: halt zero\n');
  const r = await runCli(args(input));
  expect(r.code).toBe(2);
  expect(oneErrorLine(r)).toMatch(new RegExp(`^virtlab: (output|listing) '${input}' would overwrite the (input '${input}'|source)$`));
  expect(readFileSync(input, 'utf8')).toBe('        .text\n_start: halt zero\n');
});

describe('standard input', () => {
  test('a directory as standard input is one error line (run --stdin)', () => {
    const fd = openSync(sub, 'r');
    try {
      expect(() => readStdinBounded(fd)).toThrow(/^cannot read standard input: is a directory$/);
    } finally {
      closeSync(fd);
    }
  });

  test('/dev/zero as standard input stops at the input limit', () => {
    const fd = openSync('/dev/zero', 'r');
    try {
      expect(() => readStdinBounded(fd)).toThrow(`cannot read standard input: larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MiB an input may hold`);
    } finally {
      closeSync(fd);
    }
  });

  test('a regular file as standard input is read whole', () => {
    const fd = openSync(plain, 'r');
    try {
      expect(Buffer.from(readStdinBounded(fd)).toString('utf8')).toBe('not a directory\n');
    } finally {
      closeSync(fd);
    }
  });

  test('debugger commands on stdin: lines split at \\n and \\r\\n, a last line without newline kept', async () => {
    const lines: string[] = [];
    for await (const l of inputLines(Readable.from(['step\r\nre', 'gs\n\nquit']))) lines.push(l);
    expect(lines).toEqual(['step', 'regs', '', 'quit']);
  });

  test('debugger commands on stdin: endless input without a newline is one error, in bounded memory', async () => {
    const endless = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
    const lines: string[] = [];
    await expect((async () => { for await (const l of inputLines(endless, 'standard input', 1 << 20)) lines.push(l); })())
      .rejects.toThrow('cannot read standard input: a line longer than 1048576 characters');
    expect(lines).toEqual([]);
  });
});
