import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { debugCommand, type DebugOpts } from '../../src/cli/debug.js';
import { oneErrorLine, runCli } from '../cli/run.js';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-debug-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, ...lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('virtlab debug', () => {
  test('--script: a transcript with each command echoed after the prompt', async () => {
    const path = script('hello.vl', '# stop at the first output', 'break _start+16', 'continue', 'step', 'back', 'quit', 'step');
    const r = await runCli(['debug', 'guests/hello.s', '--script', path], ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      "virtlab debug: guests/hello.s, entry 0x00001000 <_start>, history 1000000 steps; 'help' lists the commands",
      '0x00001000 <_start> guests/hello.s:9   lui a0, 0x0',
      '(vl) # stop at the first output',
      '(vl) break _start+16',
      'breakpoint 1 at 0x00001010 <_start+16> guests/hello.s:12',
      '(vl) continue',
      'stopped at breakpoint 1, hit 1 time',
      '0x00001010 <_start+16> guests/hello.s:12   out t0, 0x10(zero)',
      '(vl) step',
      'H',
      '0x00001014 <_start+20> guests/hello.s:13   addi a0, a0, 1',
      '(vl) back',
      '0x00001010 <_start+16> guests/hello.s:12   out t0, 0x10(zero)',
      '(vl) quit',
      '',
    ].join('\n'));
  });

  test('an ELF image works as well as a source', async () => {
    const elf = join(dir, 'calls.elf');
    expect((await runCli(['asm', 'test/debug/fixtures/calls.s', '-o', elf], ROOT)).code).toBe(0);
    const r = await runCli(['debug', elf, '--script', script('elf.vl', 'break fact if a0 == 1', 'continue', 'where')], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^stopped at breakpoint 1 \(a0 == 1\), hit 1 time\n0x00001064 <fact> test\/debug\/fixtures\/calls\.s:36 {3}addi t0, zero, 2\n/m);
  });

  test('source lines are shown with their control bytes escaped: a comment cannot drive the terminal', async () => {
    const src = join(dir, 'esc.s');
    writeFileSync(src, '        .text\n        .global _start\n_start: li a0, 0 ; \x1b[31mred\x1b[0m\n        halt a0\n');
    const r = await runCli(['debug', src, '--script', script('esc.vl', 'where')]);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toContain('_start: li a0, 0 ; \\x1b[31mred\\x1b[0m');
  });

  test('failed commands: exit 0 by default; --strict exits 1 after running every command', async () => {
    const path = script('bad.vl', 'stpe', 'step', 'break nowhere');
    const lax = await runCli(['debug', 'guests/hello.s', '--script', path], ROOT);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toMatch(/^error: unknown command 'stpe' \(did you mean step\?\); 'help' lists the commands$/m);
    const strict = await runCli(['debug', 'guests/hello.s', '--script', path, '--strict'], ROOT);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^0x00001004 <_start\+4>/m); // the step after the bad command ran
    expect(oneErrorLine(strict)).toBe('virtlab: 2 debugger commands failed');
  });

  test('machine options: --input reaches the guest console, --max-steps bounds one command, --history', async () => {
    const r = await runCli(['debug', 'guests/hello.s', '--max-steps', '5', '--history', '2', '--script', script('opts.vl', 'continue', 'back 3', 'info history')], ROOT);
    expect(r.stdout).toMatch(/^stopped after 5 steps: the step budget of one command \(--max-steps\); 'continue' goes on$/m);
    expect(r.stdout).toMatch(/^history exhausted: went back 2 of 3 steps \(--history keeps 2 steps\)$/m);
    expect(r.stdout).toMatch(/^history: 0 steps back reachable \(budget 2, keyframe every 1 step\); at step 3$/m);
    const src = join(dir, 'echo.s');
    writeFileSync(src, '        .text\n        .global _start\n_start: in a0, 0x10\n        halt a0\n');
    const input = await runCli(['debug', src, '--input', 'x', '--script', script('in.vl', 'continue')], dir);
    expect(input.stdout).toMatch(/^the guest halted with exit code 120 at 0x00001004 <_start\+4>$/m);
  });

  test('-D defines a symbol for a .s program', async () => {
    const src = join(dir, 'cond.s');
    writeFileSync(src, '        .text\n        .global _start\n_start:\n.ifdef FAST\n        li a0, 7\n.else\n        li a0, 9\n.endif\n        halt a0\n');
    const r = await runCli(['debug', src, '-D', 'FAST', '--script', script('d.vl', 'continue')], dir);
    expect(r.stdout).toMatch(/the guest halted with exit code 7 at/);
  });

  test('bad invocations are one-line errors', async () => {
    expect(oneErrorLine(await runCli(['debug', 'nope.s', '--script', 'x'], ROOT))).toBe("virtlab: cannot read 'nope.s': no such file or directory");
    expect(oneErrorLine(await runCli(['debug', 'guests/hello.s', '--script', 'missing.vl'], ROOT))).toBe("virtlab: cannot read 'missing.vl': no such file or directory");
    const bad = await runCli(['debug', 'guests/hello.s', '--history', '-1'], ROOT);
    expect(bad.code).toBe(2);
    expect(oneErrorLine(bad)).toMatch(/^virtlab: option '--history <steps>' argument '-1' is invalid\. expected a number of steps \(a whole number >= 0\)$/);
  });

  test('piped stdin: read to the end, echoed like a script', async () => {
    let stdout = '';
    const ctx = { io: { out: (s: string) => { stdout += s; }, err: () => {} }, readStdin: () => new Uint8Array(), cwd: ROOT };
    const opts: DebugOpts = { maxSteps: 1000, memory: 16, history: 100, mode: 'native', costModel: 'p4-2006', ept: true, vpid: true, engine: 'interp' };
    await debugCommand(ctx, 'guests/hello.s', opts, { stream: Readable.from(['step 2\nregs\n', 'continue\n']), interactive: false });
    expect(stdout).toMatch(/^\(vl\) step 2\n0x00001008 <_start\+8> guests\/hello\.s:10 {3}lbu t0, 0\(a0\)\n\(vl\) regs\nr0  zero/m);
    expect(stdout).toMatch(/\(vl\) continue\nHello from virtlab!\nthe guest halted with exit code 0 at 0x0000101c <_start\+28>\n$/);
  });

  test('--help shows the usage', async () => {
    const r = await runCli(['debug', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: virtlab debug \[options\] \[program\]/m); // no program with --vm NAME=FILE:MODE
    for (const opt of ['--script <file>', '--history <steps>', '--strict', '--max-steps <n>', '--memory <MiB>', '--input <text>']) expect(r.stdout).toContain(opt);
  });
});
