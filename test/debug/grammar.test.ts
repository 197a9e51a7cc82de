// The debugger's command language as a grammar under random input: every
// command line, well-formed or not, either works or fails with exactly one
// `error: ` line, and none reaches `internal error` (src/debug/session.ts
// keeps that for real bugs). Seeded, so a failure names a replayable seed.

import { describe, expect, test } from 'vitest';
import type { DebugSession } from '../../src/debug/index.js';
import { Rng } from '../../src/fuzz/rng.js';
import { session } from './helpers.js';

const VERBS = [
  'step', 's', 'si', 'next', 'n', 'finish', 'continue', 'c', 'back', 'rsi', 'break', 'b', 'watch', 'wat', 'delete', 'd',
  'disable', 'enable', 'info', 'i', 'regs', 'mem', 'x', 'x/4x', 'x/2i', 'x/s', 'x/8b', 'x/3dw', 'x/0x', 'x/4q', 'x/', 'x/99999999x',
  'disasm', 'where', 'print', 'p', 'restart', 'help', 'h', '?', 'quit', 'stepx', 'nosuch', '#',
];
const WORDS = [
  '0', '1', '-1', '-4', '4', '0x1000', '0x1002', '0xfffffff0', '0xfffffffc', '0xffffffff', '4294967296', '99999999999999999999',
  '0b101', '0o7', '0x', '1e3', '1_000', "'a'", "'", '"', '"x"', 'a0', 'sp', 'pc', 'ring', 'step', 'status', 'ptbr', '_start',
  'message', 'nosuch', 'hello.s:9', 'hello.s:0', 'nosuch.s:1', ':', '::', '*', '*0x1000', '-p', 'r', 'w', 'rw', 'if', 'real',
  '+', '-', '*', '/', '%', '<<', '>>', '>>>', '&&', '||', '!', '~', '==', '(', ')', '[', ']', '[sp]', '(sp + 4)', '1/0',
  'b', 'breakpoints', 'registers', 'history', '65536', '65537', '100000', '\t', '\u00e9', '\u0000',
];

function line(r: Rng): string {
  const n = r.int(6);
  const parts = [r.pick(VERBS)];
  for (let i = 0; i < n; i++) parts.push(r.pick(WORDS));
  // Sometimes glue tokens together, as a careless typist would.
  return parts.join(r.chance(0.15) ? '' : ' ');
}

function check(s: DebugSession, command: string, seed: number): void {
  const result = s.execute(command);
  const where = `seed ${seed}, command ${JSON.stringify(command)}`;
  expect(result.output, where).not.toMatch(/internal error/);
  if (!result.ok) {
    // A failure says why on a line of its own (a resuming command may have printed guest output and a stop first).
    expect(result.output, where).toMatch(/^error: \S[^\n]*$/m);
  }
}

describe('random command lines', () => {
  for (const mode of ['native', 'trap', 'bt', 'hw'] as const) {
    test(`hello.s under ${mode}: one-line errors, never an internal error`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const s = session('guests/hello.s', { mode, maxSteps: 5_000, history: 2_000 });
        const r = new Rng(seed * 7919 + mode.length);
        for (let i = 0; i < 25; i++) {
          const command = line(r);
          if (/^(quit|q)\b/.test(command)) continue;
          check(s, command, seed);
        }
      }
    });
  }

  test('a guest with paging and page faults (exceptions/pagefault.s): the same', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const s = session('guests/exceptions/pagefault.s', { maxSteps: 5_000, history: 2_000 });
      const r = new Rng(seed * 104729);
      for (let i = 0; i < 25; i++) {
        const command = line(r);
        if (!/^(quit|q)\b/.test(command)) check(s, command, seed);
      }
    }
  });

  test('lines no command accepts: one error line each', () => {
    const s = session('guests/hello.s', { maxSteps: 5_000 });
    for (const command of ['x/', 'x/0x 0x1000', 'x/4q 0x1000', 'x/4xg 0x1000', 'mem', 'mem 1 2 3', 'watch', 'watch 0 q', 'break if',
      'print', 'print (', 'step 1e3', 'step -1', 'back x', 'info nothing', 'delete 99', 'stepx', 'x'.repeat(5000), `print ${'('.repeat(3000)}1`]) {
      const r = s.execute(command);
      expect(r.ok, command).toBe(false);
      expect(r.output, command).toMatch(/^error: [^\n]+\n$/);
    }
  });
});
