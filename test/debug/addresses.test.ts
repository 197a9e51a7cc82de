// Addresses and lengths the debugger cannot honour exactly are errors or say
// so (never silent rounding or wrapping), gdb's x/NFU, and the limits every
// command line is held to.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { oneErrorLine, runCli } from '../cli/run.js';
import { CALLS, fails, out, ROOT, run, session } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-debug-addresses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HELLO = 'guests/hello.s';

/** The bytes of the machine's RAM at physical `addr` (hello.s runs with paging off: virtual = physical). */
function ram(s: ReturnType<typeof session>, addr: number, n: number): number[] {
  return Array.from(s.machine.mem.u8.subarray(addr, addr + n));
}

describe('addresses the debugger cannot honour exactly', () => {
  test('an unaligned watch says which word it watches, and stops on a write to it', () => {
    const s = session(CALLS);
    const total = Number(out(s, 'print total').slice(0, 10));
    const text = out(s, `watch ${total + 2}`);
    expect(text).toBe(`watchpoint 1 (write) on 0x${total.toString(16).padStart(8, '0')} <total> (0x${(total + 2).toString(16).padStart(8, '0')} is not 4-aligned: the word holding it is watched, any access to that word stops)\n`);
    expect(out(s, 'continue')).toMatch(/^stopped at watchpoint 1 \(write 0x[0-9a-f]{8} <total>\)/);
    // An aligned address says nothing more.
    expect(out(s, `watch ${total}`)).not.toMatch(/not 4-aligned/);
  });

  test.each([
    ['watch -4', 'watch: -4 is negative; addresses run from 0 to 0xffffffff'],
    ['watch -p -8 r', 'watch: -8 is negative; addresses run from 0 to 0xffffffff'],
    ['mem -4', 'mem: -4 is negative; addresses run from 0 to 0xffffffff'],
    ['mem -p -0x10 4', 'mem: -0x10 is negative; addresses run from 0 to 0xffffffff'],
    ['break -4', 'location: -4 is negative; addresses run from 0 to 0xffffffff'],
    ['disasm -4', 'location: -4 is negative; addresses run from 0 to 0xffffffff'],
    ['x/4x -4', 'x: -4 is negative; addresses run from 0 to 0xffffffff'],
    ['mem 0xfffffff0 64', 'mem: 64 bytes from 0xfffffff0 run past 0xffffffff (the end of the address space); at most 16 from there'],
    ['mem -p 0xffffffff 2', 'mem: 2 bytes from 0xffffffff run past 0xffffffff (the end of the address space); at most 1 from there'],
    ['disasm 0xfffffff8 8', 'disasm: 8 instructions from 0xfffffff8 run past 0xffffffff (the end of the address space); at most 2 from there'],
    ['x/4x 0xfffffff8', 'x: 4 words from 0xfffffff8 run past 0xffffffff (the end of the address space); at most 2 from there'],
    ['x/3xh 0xfffffffc', 'x: 3 halfwords from 0xfffffffc run past 0xffffffff (the end of the address space); at most 2 from there'],
    ['x/3i 0xfffffff8', 'x: 3 instructions from 0xfffffff8 run past 0xffffffff (the end of the address space); at most 2 from there'],
  ])('%s is an error', (command, message) => {
    expect(fails(session(HELLO), command)).toBe(`error: ${message}\n`);
  });

  test('ranges that end exactly at 0xffffffff are fine, and arithmetic that wraps is 32-bit as documented', () => {
    const s = session(HELLO);
    expect(out(s, 'mem 0xfffffff0 16')).toMatch(/^0xfffffff0: {2}(\?\? ){8} (\?\? ){7}\?\? +\| +\|\n$/);
    expect(out(s, 'disasm 0xfffffff8 2').trimEnd().split('\n')).toHaveLength(2);
    expect(out(s, 'mem (0 - 4) 4')).toMatch(/^0xfffffffc:/);
    expect(out(s, 'mem -0 4')).toMatch(/^0x00000000:/);
  });
});

describe("gdb's x/NFU", () => {
  test('x/4x: four words in hex, the bytes of RAM read little-endian', () => {
    const s = session(HELLO);
    const b = ram(s, 0x1000, 16);
    const words = [0, 1, 2, 3].map((i) => '0x' + (b[4 * i]! | b[4 * i + 1]! << 8 | b[4 * i + 2]! << 16 | b[4 * i + 3]! << 24).toString(16).padStart(8, '0').slice(-8));
    expect(out(s, 'x/4x 0x1000')).toBe(`0x00001000 <_start>:  ${words.join('  ')}\n`);
    expect(out(s, 'x/4xw _start')).toBe(out(s, 'x/4wx 0x1000'));
    expect(out(s, 'x/ 0x1000')).toBe(`0x00001000 <_start>:  ${words[0]}\n`);
  });

  test('x/8xb and x/2xh: bytes and halfwords, 8 a row', () => {
    const s = session(HELLO);
    const b = ram(s, 0x2000, 10);
    const hex = (n: number, d: number) => '0x' + n.toString(16).padStart(d, '0');
    expect(out(s, 'x/10xb message')).toBe(`0x00002000 <message>:  ${b.slice(0, 8).map((x) => hex(x, 2)).join('  ')}\n`
      + `0x00002008 <message+8>:  ${b.slice(8).map((x) => hex(x, 2)).join('  ')}\n`);
    expect(out(s, 'x/2xh message')).toBe(`0x00002000 <message>:  ${hex(b[0]! | b[1]! << 8, 4)}  ${hex(b[2]! | b[3]! << 8, 4)}\n`);
  });

  test('x/d and x/u: signed and unsigned decimal', () => {
    const s = session(HELLO);
    run(s, 'step 2'); // a0 = message
    s.machine.mem.u8.set([0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0], 0x3000);
    expect(out(s, 'x/2dw 0x3000')).toBe('0x00003000:  -1  5\n');
    expect(out(s, 'x/2uw 0x3000')).toBe('0x00003000:  4294967295  5\n');
    expect(out(s, 'x/2db 0x3000')).toBe('0x00003000:  -1  -1\n');
  });

  test('x/s: the string up to its NUL, escaped; x/2i: the disassembly of disasm', () => {
    const s = session(HELLO);
    expect(out(s, 'x/s message')).toBe('0x00002000 <message>:  "Hello from virtlab!\\n"\n');
    expect(out(s, 'x/2i _start')).toBe(out(s, 'disasm _start 2'));
  });

  test('x/ with nothing readable there says so', () => {
    const s = session(HELLO);
    expect(out(s, 'x/2x 0xfffffff0')).toBe('0xfffffff0:  ??          ??\n');
    expect(out(s, 'x/s 0xfffffff0')).toBe('0xfffffff0:  <not readable>\n');
  });

  test.each([
    ['x/4q 0x1000', "x/4q: 'q' is not a format (x d u i s) or a unit (b h w)"],
    ['x/4xg 0x1000', "x/4xg: no 8-byte units here (the machine's words are 4 bytes): use b, h or w"],
    ['x/0x 0x1000', 'x/0x: the count must be from 1 to 65536'],
    ['x/4xx 0x1000', "x/4xx: 'x' is not a format (x d u i s) or a unit (b h w) not given already"],
    ['x/4x', 'usage: x/NFU ADDR (e.g. x/4xw sp; ADDR with blanks in parentheses)'],
    ['x/4x 1 2', 'usage: x/NFU ADDR (e.g. x/4xw sp; ADDR with blanks in parentheses)'],
    ['x/-4x 0', 'x/-4x: expected x/NFU, N a count in decimal, F one of x d u i s, U one of b h w (e.g. x/4xw)'],
    ['x/2i 0x1002', 'x/2i: 0x00001002 is not 4-aligned: instructions are 4-aligned words'],
  ])('%s is an error', (command, message) => {
    expect(fails(session(HELLO), command)).toBe(`error: ${message}\n`);
  });

  test('x without a slash is still mem', () => {
    const s = session(HELLO);
    expect(out(s, 'x 0x2000 16')).toBe(out(s, 'mem 0x2000 16'));
  });
});

describe('limits of one command line', () => {
  test('step N is at most --max-steps', () => {
    const s = session(HELLO, { maxSteps: 1000 });
    expect(fails(s, 'step 1001')).toBe("error: expected a number of steps (a whole number from 1 to 1000), got '1001'\n");
    expect(out(s, 'step 3')).toMatch(/^0x0000100c/);
  });

  test('a line longer than 4096 characters is refused before it is parsed', () => {
    const s = session(HELLO);
    expect(fails(s, `print ${'1+'.repeat(3000)}1`)).toBe('error: command line of 6007 characters: at most 4096\n');
  });

  test('numbers in counts follow the command line\'s grammar: 0x10 is sixteen, 1e3 and 1_000 are refused', () => {
    const s = session(HELLO);
    expect(out(s, 'mem 0x2000 0x10').trimEnd().split('\n')).toHaveLength(1);
    expect(fails(s, 'mem 0x2000 1e3')).toMatch(/^error: expected a length in bytes \(a whole number from 1 to 65536\), got '1e3'\n$/);
    expect(fails(s, 'step 1_000')).toMatch(/got '1_000'/);
  });
});

describe('halting and --strict', () => {
  test('a halt value beyond 8 bits is shown with the exit code virtlab run gives', () => {
    const file = join(dir, 'halt.s');
    writeFileSync(file, '        .text\n        .global _start\n_start: li a0, 5041\n        halt a0\n');
    const s = session(file);
    expect(out(s, 'continue')).toMatch(/^the guest halted with halt 5041 \(exit code 177\) at 0x[0-9a-f]{8} <_start\+\d+>$/m);
    expect(fails(s, 'step')).toBe("error: the guest has halted (halt 5041 (exit code 177)); 'back' steps backwards, 'restart' starts over\n");
  });

  test('debug --strict fails when a breakpoint condition cannot be evaluated (break X if 1/0)', async () => {
    const script = join(dir, 'div0.vl');
    writeFileSync(script, 'break square if 1/0\ncontinue\nquit\n');
    const strict = await runCli(['debug', CALLS, '--script', script, '--strict'], ROOT);
    expect(strict.stdout).toMatch(/\nerror: cannot evaluate the condition of breakpoint 1 \(1\/0\): division by zero in expression; stopped here\n/);
    expect(strict.code).toBe(1);
    expect(oneErrorLine(strict)).toBe('virtlab: 1 debugger command failed');
    const lax = await runCli(['debug', CALLS, '--script', script], ROOT);
    expect(lax.code).toBe(0);
  });
});
