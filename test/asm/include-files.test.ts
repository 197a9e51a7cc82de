// Reading sources from disk: only regular files, bounded in size; the include
// search path; bytes that are not UTF-8; control characters in echoed lines.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, assembleFile, formatDiagnostic } from '../../src/asm/index.js';
import { MAX_SOURCE_BYTES } from '../../src/asm/limits.js';
import { textWords, wordsOf } from './helpers.js';

let dir: string;
const at = (...p: string[]) => join(dir, ...p);
const messages = (r: { diagnostics: { file: string; line: number; column: number; message: string }[] }) =>
  r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtlab-include-'));
  mkdirSync(at('src'));
  mkdirSync(at('inc1'));
  mkdirSync(at('inc2'));
  mkdirSync(at('adir'));
  execFileSync('mkfifo', [at('fifo.s')]);
  writeFileSync(at('src', 'local.inc'), 'li a0, 1');
  writeFileSync(at('inc1', 'local.inc'), 'li a0, 2');
  writeFileSync(at('inc1', 'one.inc'), 'li a0, 3');
  writeFileSync(at('inc2', 'one.inc'), 'li a0, 4');
  writeFileSync(at('inc2', 'two.inc'), 'li a0, 5');
  writeFileSync(at('big.inc'), ';'.repeat(MAX_SOURCE_BYTES + 1));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('include search path', () => {
  const build = (line: string, includeDirs: string[]) => {
    writeFileSync(at('src', 'main.s'), line);
    return assembleFile(at('src', 'main.s'), { includeDirs });
  };
  it("the including file's directory first, then each directory in order", () => {
    expect(textWords(build('.include "local.inc"', [at('inc1')]).image!)).toEqual(wordsOf('li a0, 1'));
    expect(textWords(build('.include "one.inc"', [at('inc1'), at('inc2')]).image!)).toEqual(wordsOf('li a0, 3'));
    expect(textWords(build('.include "one.inc"', [at('inc2'), at('inc1')]).image!)).toEqual(wordsOf('li a0, 4'));
    expect(textWords(build('.include "two.inc"', [at('inc1'), at('inc2')]).image!)).toEqual(wordsOf('li a0, 5'));
  });
  it('an include not found lists every place it looked, on one line', () => {
    const r = build('  .include "none.inc"', [at('inc1'), at('inc2')]);
    expect(messages(r)).toEqual([
      `${at('src', 'main.s')}:1:12: include file 'none.inc' not found (looked for ${at('src', 'none.inc')}, ${at('inc1', 'none.inc')}, ${at('inc2', 'none.inc')})`,
    ]);
  });
  it('a file found but unreadable stops the search with its reason', () => {
    const r = build('.include "adir"', [at('inc1')]);
    expect(messages(r)).toEqual([`${at('src', 'main.s')}:1:10: include file 'adir' not found (looked for ${at('src', 'adir')}, ${at('inc1', 'adir')})`]);
    const r2 = build(`.include "${at('adir')}"`, []);
    expect(messages(r2)).toEqual([`${at('src', 'main.s')}:1:10: cannot read include file '${at('adir')}': is a directory`]);
  });
});

describe('only regular files are read', () => {
  const include = (target: string) => {
    writeFileSync(at('src', 'main.s'), `.include "${target}"\nnop`);
    return messages(assembleFile(at('src', 'main.s')));
  };
  it('an include of /dev/zero, a FIFO, a directory or a too large file is refused at once', () => {
    const main = at('src', 'main.s');
    expect(include('/dev/zero')).toEqual([`${main}:1:10: cannot read include file '/dev/zero': is a device, not a regular file`]);
    expect(include(at('fifo.s'))).toEqual([`${main}:1:10: cannot read include file '${at('fifo.s')}': is a FIFO, not a regular file`]);
    expect(include(at('adir'))).toEqual([`${main}:1:10: cannot read include file '${at('adir')}': is a directory`]);
    expect(include(at('big.inc'))).toEqual([
      `${main}:1:10: cannot read include file '${at('big.inc')}': ${MAX_SOURCE_BYTES + 1} bytes, more than the ${MAX_SOURCE_BYTES} bytes a source file may hold`,
    ]);
  });
  it('so is such a main source', () => {
    expect(messages(assembleFile('/dev/zero'))).toEqual(['/dev/zero:1:1: cannot read /dev/zero: is a device, not a regular file']);
    expect(messages(assembleFile(at('fifo.s')))).toEqual([`${at('fifo.s')}:1:1: cannot read ${at('fifo.s')}: is a FIFO, not a regular file`]);
    expect(messages(assembleFile(at('adir')))).toEqual([`${at('adir')}:1:1: cannot read ${at('adir')}: is a directory`]);
  });
});

describe('source bytes', () => {
  it('bytes that are not UTF-8 are an error at their line and column, in a string or anywhere', () => {
    const src = Buffer.concat([Buffer.from('nop\n.ascii "ab'), Buffer.from([0xff, 0x41]), Buffer.from('"\n; caf'), Buffer.from([0xe9]), Buffer.from('\nnop\n')]);
    const r = assemble(src, { file: 'm.s' });
    expect(r.image).toBeUndefined();
    expect(messages(r)).toEqual([
      'm.s:2:11: invalid UTF-8 (byte 0xff): sources must be UTF-8',
      'm.s:3:6: invalid UTF-8 (byte 0xe9): sources must be UTF-8',
    ]);
  });
  it('valid UTF-8 passes through unchanged, byte for byte', () => {
    const text = '.data\n.ascii "é€😀"\n';
    const r = assemble(Buffer.from(text), { file: 'm.s' });
    expect([...r.image!.sections.find((s) => s.name === '.data')!.data]).toEqual([...Buffer.from('é€😀')]);
  });
  it('overlong forms and surrogates are not UTF-8', () => {
    for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      const r = assemble(Buffer.concat([Buffer.from('; x'), Buffer.from(bad)]), { file: 'm.s' });
      expect(messages(r)).toEqual([`m.s:1:4: invalid UTF-8 (byte 0x${bad[0]!.toString(16)}): sources must be UTF-8`]);
    }
  });
  it('diagnostics show control characters in the echoed line escaped, the caret still under the column', () => {
    const r = assemble('\r\x1b[2J\tbogus\r\0 t0', { file: 'm.s' });
    const text = r.diagnostics.map(formatDiagnostic).join('\n');
    expect(text).not.toMatch(/[\x00\x1b\r]/);
    const [head, echo, caret] = formatDiagnostic(r.diagnostics[0]!).split('\n');
    expect(head).toBe("m.s:1:2: error: bad character '\\x1b'");
    expect(echo).toBe('  \\r\\x1b[2J\tbogus\\r\\x00 t0');
    expect(caret).toBe('    ^'); // under the escape of column 2, after the two-character \r
  });
  it('a long line is echoed around the column only, the caret under the offending character', () => {
    const line = `.data\n.word ${Array.from({ length: 3000 }, (_, i) => (i === 1500 ? '1 @ 2' : String(i))).join(', ')}`;
    const d = assemble(line, { file: 'm.s' }).diagnostics[0]!;
    const [, echo, caret] = formatDiagnostic(d).split('\n');
    expect(echo!.length).toBeLessThan(200);
    expect(echo).toMatch(/^ {2}\.\.\..*\.\.\.$/);
    expect(echo![caret!.length - 1]).toBe(d.sourceLine![d.column - 1]);
    expect(echo![caret!.length - 1]).toBe('@');
  });
  it('a message carrying control characters (.error) is escaped too', () => {
    const r = assemble('.error "red \\x1b[31m"', { file: 'm.s' });
    expect(formatDiagnostic(r.diagnostics[0]!).split('\n')[0]).toBe('m.s:1:1: error: red \\x1b[31m');
  });
});
