// Options across commands: the one number grammar (src/cli/numbers.ts), which
// commands take --engine jit, what --help lists, and bt-dump's halt line.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseNumber, parseWhole } from '../../src/cli/numbers.js';
import { oneErrorLine, runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hello = new URL('../../guests/hello.s', import.meta.url).pathname;

/** A guest in ring 0 that halts with `code` (the low 8 bits are the process's exit code). */
function halting(code: number): string {
  const path = join(dir, `halt-${code}.s`);
  writeFileSync(path, `        .text\n        .global _start\n_start: li a0, ${code}\n        halt a0\n`);
  return path;
}

describe('the number grammar', () => {
  test.each([
    ['1000', 1000], ['0x3e8', 1000], ['0X3E8', 1000], ['0b1111101000', 1000], ['0o1750', 1000], ['+7', 7], ['-7', -7], ['010', 10],
  ])('%s reads as %d', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  test.each(['1e3', '1_000', '1.5', '0x', '0b2', '0o8', ' 1', '', '1 000', '0x1g', 'ten', '--1'])('%j is not a number', (text) => {
    expect(parseNumber(text)).toBeUndefined();
  });

  test('parseWhole says what it wanted and how numbers are written', () => {
    expect(parseWhole(' 0x10 ', 'a number of steps', 1)).toBe(16);
    expect(() => parseWhole('1e3', 'a number of steps', 1)).toThrow('expected a number of steps (a whole number >= 1, written in decimal, 0x hex, 0b binary or 0o octal)');
    expect(() => parseWhole('0', 'a number of rounds', 1, 20)).toThrow('expected a number of rounds (a whole number from 1 to 20)');
    expect(() => parseWhole('99999999999999999999', 'a number of steps', 1)).toThrow('a whole number >= 1');
  });

  test('--max-steps 0x10 is 16 steps; 1e3 and 1_000 are refused', async () => {
    const ok = await runCli(['run', hello, '--max-steps', '0x10']);
    expect(ok.code).toBe(124);
    expect(oneErrorLine(ok)).toBe('virtlab: step budget of 16 steps used up (raise it with --max-steps)');
    for (const bad of ['1e3', '1_000']) {
      const r = await runCli(['run', hello, '--max-steps', bad]);
      expect(r.code).toBe(2);
      expect(oneErrorLine(r)).toContain(`argument '${bad}' is invalid`);
    }
  });

  test.each([
    [['trace', hello, '--limit', '1e1'], '--limit'],
    [['debug', hello, '--history', '1_0'], '--history'],
    [['run', hello, '--memory', '0x'], '--memory'],
    [['bench', '--rounds', '1e1'], '--rounds'],
  ])('%j: one usage line naming the option', async (args, option) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toContain(option);
    expect(oneErrorLine(r)).toContain('written in decimal, 0x hex, 0b binary or 0o octal');
  });

  test('every command\'s --help says how numbers are written', async () => {
    for (const command of ['run', 'trace', 'debug', 'bt-dump', 'bench', 'disasm', 'asm']) {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Numbers (option values, -D values, addresses) are written in decimal, 0x hex,');
      expect(r.stdout).toContain('Not accepted: exponents (1e5)');
    }
  });
});

describe('--engine', () => {
  test.each([
    ['trace', 'trace runs on the interpreter only: every record is made from its per-instruction step record (drop --engine jit)'],
    ['debug', "debug runs on the interpreter only: it journals every memory write for 'back' and watchpoints, which the jit leaves to the interpreter (drop --engine jit)"],
  ])('%s refuses --engine jit and says why; --engine is not in its help', async (command, message) => {
    const r = await runCli([command, hello, '--engine', 'jit']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe(`virtlab: ${message}`);
    expect((await runCli([command, '--help'])).stdout).not.toContain('--engine');
  });

  test('trace --engine interp is accepted', async () => {
    const r = await runCli(['trace', hello, '--engine', 'interp', '--limit', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ +1 +0x00001000 /);
  });

  test('bt-dump honours --engine jit: the same dump as interp, the jit really used', async () => {
    const tinyos = new URL('../../guests/tinyos/tinyos.s', import.meta.url).pathname;
    const a = await runCli(['bt-dump', tinyos, '--json', '--max-steps', '200000']);
    const b = await runCli(['bt-dump', tinyos, '--json', '--max-steps', '200000', '--engine', 'jit']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(JSON.parse(a.stdout).units.length).toBeGreaterThan(0);
    expect((await runCli(['bt-dump', '--help'])).stdout).toContain('--engine');
  });
});

describe('bt-dump', () => {
  test('--help lists no option it refuses (--no-ept, --no-vpid, --mode)', async () => {
    const help = (await runCli(['bt-dump', '--help'])).stdout;
    for (const option of ['--no-ept', '--no-vpid', '--mode', '--cost-model']) expect(help).not.toContain(option);
    const r = await runCli(['bt-dump', hello, '--no-vpid']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe('virtlab: --no-ept and --no-vpid apply to --mode hw only (the mode is bt)');
  });

  test('a halt value beyond 8 bits is shown with the exit code run gives', async () => {
    const file = halting(5041);
    const run = await runCli(['run', file]);
    expect(run.code).toBe(5041 & 0xff);
    const text = await runCli(['bt-dump', file]);
    expect(text.stdout).toMatch(/^guest +halted with halt 5041 \(exit code 177\) after \d+ steps$/m);
    const json = JSON.parse((await runCli(['bt-dump', file, '--json'])).stdout);
    expect(json.stop).toMatchObject({ reason: 'halted', haltCode: 5041, exitCode: 177 });
    expect(json.stop.message).toMatch(/^halted with halt 5041 \(exit code 177\) after \d+ steps$/);
  });

  test('a halt value that is its own exit code is shown once', async () => {
    const text = await runCli(['bt-dump', halting(7)]);
    expect(text.stdout).toMatch(/^guest +halted with exit code 7 after \d+ steps$/m);
  });
});
