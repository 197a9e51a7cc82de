import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createCounters } from '../../src/machine/index.js';
import { oneErrorLine, runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const guest = (name: string) => new URL(`../../guests/${name}`, import.meta.url).pathname;

function source(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `name  value` lines of --stats. */
function parseStats(text: string): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const line of text.trim().split('\n')) {
    const m = /^(\w+) +(\d+)$/.exec(line);
    if (!m) throw new Error(`not a stats line: '${line}'`);
    stats[m[1]!] = Number(m[2]);
  }
  return stats;
}

describe('virtlab run', () => {
  test('hello: console output on stdout, exit 0, nothing on stderr', async () => {
    expect(await runCli(['run', guest('hello.s')])).toEqual({ code: 0, stdout: 'Hello from virtlab!\n', stderr: '' });
  });

  test('--stats: hello retires exactly the instructions counted by hand', async () => {
    const r = await runCli(['run', guest('hello.s'), '--stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Hello from virtlab!\n');
    const stats = parseStats(r.stderr);
    expect(Object.keys(stats)).toEqual(Object.keys(createCounters()));
    // la (lui + ori) = 2; per character lbu, beqz, out, addi, j = 5, times 20 characters;
    // the final lbu + beqz = 2; halt = 1.
    const handCount = 2 + 5 * 'Hello from virtlab!\n'.length + 2 + 1;
    expect(stats.instructions).toBe(handCount);
    expect(stats.steps).toBe(handCount);
    expect(stats.ioWrites).toBe(20);
    expect(stats.exceptions).toBe(0);
    expect(stats.tlbHits + stats.tlbMisses).toBe(0); // paging stays off
    // Aligned: every value ends in the same column.
    const ends = new Set(r.stderr.trim().split('\n').map((l) => l.length));
    expect(ends.size).toBe(1);
  });

  test('--stats: tinyos takes syscalls, one page fault, one protection fault and timer interrupts', async () => {
    const r = await runCli(['run', guest('tinyos/tinyos.s'), '--stats']);
    expect(r.code).toBe(0);
    const s = parseStats(r.stderr);
    // Syscalls: A getpid + 3 writes + intact + exit = 6; B getpid + 4 writes + 4 yields + intact + exit = 11;
    // C getpid + 2 writes + intact + exit = 5; the prober and the meddler one write each: 24, plus one
    // more for each write that found it was not its process's turn and ran again when the turn came.
    expect(s.excSyscall).toBeGreaterThanOrEqual(24);
    expect(s.excPageFault).toBe(1);
    expect(s.excProtection).toBe(1);
    expect(s.exceptions).toBe(s.excSyscall + 2);
    expect(s.interrupts).toBeGreaterThan(0);
    expect(s.steps).toBe(s.instructions + s.exceptions + s.interrupts);
    expect(s.tlbMisses).toBeGreaterThan(0);
    expect(s.tlbHits).toBeGreaterThan(s.tlbMisses);
    expect(s.tlbWalks).toBeGreaterThanOrEqual(s.tlbMisses);
    expect(s.tlbFlushes).toBeGreaterThan(5); // one per address-space switch at least
    expect(s.ioWrites).toBe(r.stdout.length + 2 * s.interrupts + 1); // console bytes, per tick a re-arm and an ack, the period
  });

  test('--json: one object on stdout, the console output inside it', async () => {
    const r = await runCli(['run', guest('hello.s'), '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['exitCode', 'stopReason', 'haltCode', 'message', 'trap', 'steps', 'mode', 'engine', 'counters', 'monitor', 'cost', 'console', 'net']);
    expect(report).toMatchObject({
      exitCode: 0, stopReason: 'halted', haltCode: 0, message: null, trap: null, steps: 105, mode: 'native', engine: 'jit', monitor: null,
      console: 'Hello from virtlab!\n',
    });
    // Natively every cycle is a guest instruction's: the model adds no overhead.
    expect(report.cost).toMatchObject({ preset: 'p4-2006', overheadCycles: 0 });
    expect(report.counters).toEqual({ ...createCounters(), steps: 105, instructions: 105, ioWrites: 20, jumps: 20 }); // the loop's jump back, once per character
  });

  test('--json for an unhandled trap names it; the exit code is still 125', async () => {
    const src = source('trap.s', '_start: li a0, 0x2002\n lw a1, 0(a0)\n halt zero\n');
    const r = await runCli(['run', src, '--json']);
    expect(r.code).toBe(125);
    expect(oneErrorLine(r)).toBe('virtlab: unhandled trap: misaligned access (cause 0x00000004) at pc 0x00001004, faultaddr 0x00002002 (TVEC is 0)');
    expect(JSON.parse(r.stdout)).toMatchObject({
      exitCode: 125, stopReason: 'trap', haltCode: null,
      trap: { cause: 4, code: 4, name: 'misaligned access', pc: 0x1004, epc: 0x1004, faultaddr: 0x2002 },
    });
  });

  describe('exit codes', () => {
    test.each([
      ['3', 3], ['255', 255], ['256 + 7', 7], ['-1', 255],
    ])('halt %s exits %i', async (value, code) => {
      const r = await runCli(['run', source(`halt${code}.s`, `_start: li a0, ${value}\n halt a0\n`)]);
      expect(r).toEqual({ code, stdout: '', stderr: '' });
    });

    test('an unhandled trap: 125 and one line naming it', async () => {
      const r = await runCli(['run', source('brk.s', '_start: nop\n brk\n')]);
      expect(r.code).toBe(125);
      expect(oneErrorLine(r)).toBe('virtlab: unhandled trap: breakpoint (cause 0x00000006) at pc 0x00001004 (TVEC is 0)');
    });

    test('the step budget used up: 124', async () => {
      const r = await runCli(['run', source('loop.s', '_start: j _start\n'), '--max-steps', '1000']);
      expect(r.code).toBe(124);
      expect(oneErrorLine(r)).toBe('virtlab: step budget of 1000 steps used up (raise it with --max-steps)');
    });

    test('--max-steps counts steps exactly: a budget one short of a run stops it', async () => {
      expect((await runCli(['run', guest('hello.s'), '--max-steps', '105'])).code).toBe(0);
      const r = await runCli(['run', guest('hello.s'), '--max-steps', '104', '--json']);
      expect(r.code).toBe(124);
      expect(JSON.parse(r.stdout)).toMatchObject({ stopReason: 'budget', steps: 104, haltCode: null });
    });

    test('wfi with no interrupt source: 123, deadlock', async () => {
      const r = await runCli(['run', source('wfi.s', '_start: sti\n wfi\n halt zero\n')]);
      expect(r.code).toBe(123);
      expect(oneErrorLine(r)).toBe('virtlab: deadlock: wfi with no interrupt source at pc 0x00001004');
    });
  });

  test('--input feeds the console: an echo program', async () => {
    const echo = source('echo.s', `_start:
1:      in      t0, 0x10
        blt     t0, zero, 2f            ; 0xffffffff: no more input
        addi    t0, t0, 1
        out     t0, 0x10
        j       1b
2:      halt    zero
`);
    expect(await runCli(['run', echo, '--input', 'HAL'])).toEqual({ code: 0, stdout: 'IBM', stderr: '' });
    expect(await runCli(['run', echo])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('-D defines a symbol for the assembly', async () => {
    const src = source('defs.s', '.ifndef CODE\n.equ CODE, 1\n.endif\n_start: li a0, CODE\n halt a0\n');
    expect((await runCli(['run', src])).code).toBe(1);
    expect((await runCli(['run', src, '-D', 'CODE=42'])).code).toBe(42);
  });

  test('runs an ELF image as well as a source', async () => {
    const elf = join(dir, 'hello.elf');
    expect((await runCli(['asm', guest('hello.s'), '-o', elf])).code).toBe(0);
    expect(await runCli(['run', elf])).toEqual({ code: 0, stdout: 'Hello from virtlab!\n', stderr: '' });
    const r = await runCli(['run', elf, '-D', 'X']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(/^virtlab: -D applies to assembler sources \(\.s\), not '.*hello\.elf'$/);
  });

  describe('bad input: one line, exit 1 or 2', () => {
    test('a missing file', async () => {
      const r = await runCli(['run', join(dir, 'nope.s')]);
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/^virtlab: cannot read '.*nope\.s': no such file or directory$/);
    });

    test('a source that does not assemble: the diagnostic, then the count', async () => {
      const r = await runCli(['run', source('bad.s', '_start: frob a0\n')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/bad\.s:1:\d+: error: .*frob/);
      expect(r.stderr.trim().split('\n').at(-1)).toBe('virtlab: 1 error');
    });

    test('a file that is not an ELF image', async () => {
      const r = await runCli(['run', source('junk.bin', 'not an elf')]);
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/^virtlab: /);
    });

    test.each([
      [['--max-steps', 'lots'], /--max-steps.*expected a number of steps \(a whole number >= 1, written in decimal, 0x hex/],
      [['--max-steps', '0'], /--max-steps/],
      [['--memory', '0'], /--memory.*expected a number of MiB \(a whole number from 1 to 1024\)/],
      [['--memory', '2048'], /--memory/],
      [['--memory', '1.5'], /--memory/],
      [['--bogus'], /unknown option '--bogus'/],
    ])('%j: usage error, exit 2', async (args, message) => {
      const r = await runCli(['run', guest('hello.s'), ...args]);
      expect(r.code).toBe(2);
      expect(oneErrorLine(r)).toMatch(message);
    });

    test('an image that does not fit the memory', async () => {
      const src = source('big.s', '_start: halt zero\n .data\n .org 0x200000\nx: .word 1\n');
      const r = await runCli(['run', src, '--memory', '1']);
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/^virtlab: cannot load the image: section \.data .* lies outside memory/);
      expect((await runCli(['run', src, '--memory', '4'])).code).toBe(0);
    });
  });

  describe('--mode', () => {
    test('trap: hello runs the same as natively, with the monitor emulating its port writes', async () => {
      const native = JSON.parse((await runCli(['run', guest('hello.s'), '--json'])).stdout);
      const r = await runCli(['run', guest('hello.s'), '--json', '--mode', 'trap']);
      expect(r.code).toBe(0);
      const trap = JSON.parse(r.stdout);
      expect(trap.console).toBe(native.console);
      expect(trap.mode).toBe('trap');
      expect(trap.counters.instructions).toBe(native.counters.instructions);
      expect(trap.monitor.emuOut).toBe(20); // one per character, each a trap out of ring 1
      expect(trap.monitor.traps).toBeGreaterThanOrEqual(20);
      expect(trap.cost.overheadCycles).toBeGreaterThan(0);
    });

    test('trap: tinyos loses its interrupts and panics at its timer check (exit 1); native runs to 0', async () => {
      const trap = await runCli(['run', guest('tinyos/tinyos.s'), '--mode', 'trap']);
      expect(trap.code).toBe(1);
      expect(trap.stdout).toContain('tinyos: panic: no timer interrupt arrived');
      const native = await runCli(['run', guest('tinyos/tinyos.s')]);
      expect(native.code).toBe(0);
      expect(native.stdout).toContain('tinyos: all processes exited, halting');
    });

    test('--stats under trap adds the monitor counters and the modelled cycles of the chosen preset', async () => {
      const r = await runCli(['run', guest('hello.s'), '--stats', '--mode', 'trap', '--cost-model', 'modern']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^monitor \(trap\), non-zero counters:$/m);
      expect(r.stderr).toMatch(/^emuOut +20$/m);
      expect(r.stderr).toMatch(/^modelled cycles, cost model modern/m);
    });

    test('an unknown mode or cost model is a usage error naming the choices', async () => {
      const r = await runCli(['run', guest('hello.s'), '--mode', 'magic']);
      expect(r.code).toBe(2);
      expect(oneErrorLine(r)).toMatch(/argument 'magic' is invalid.*native, trap/);
      const c = await runCli(['run', guest('hello.s'), '--cost-model', 'z80']);
      expect(c.code).toBe(2);
      expect(oneErrorLine(c)).toMatch(/p4-2006/);
    });
  });

  test('--stdin with --input is a usage error; debug --stdin needs --script', async () => {
    const both = await runCli(['run', guest('echo.s'), '--stdin', '--input', 'x']);
    expect(both.code).toBe(2);
    expect(oneErrorLine(both)).toBe('virtlab: --stdin and --input both give console input: choose one');
    const dbg = await runCli(['debug', guest('echo.s'), '--stdin']);
    expect(dbg.code).toBe(2);
    expect(oneErrorLine(dbg)).toMatch(/--stdin needs --script/);
  });
});
