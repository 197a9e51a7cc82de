import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { oneErrorLine, runCli } from './run.js';

describe('virtlab command line: usage', () => {
  test('--help lists every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['asm', 'disasm', 'isa']) expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    expect(r.stderr).toBe('');
  });

  test.each(['asm', 'disasm', 'isa'])('%s --help shows its own usage', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: virtlab ${cmd} `, 'm'));
  });

  test('`help asm` shows the asm usage and exits 0', async () => {
    const r = await runCli(['help', 'asm']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: virtlab asm \[options\] <file>/m);
    expect(r.stdout).toMatch(/-D, --define <NAME\[=VALUE\]>/);
  });

  test('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test('no command: help on stderr, usage exit code', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: virtlab /m);
  });

  test('an unknown command is a one-line usage error', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe("virtlab: unknown command 'frobnicate'");
  });

  test('an unknown option is a one-line usage error, with a suggestion on the same line', async () => {
    const r = await runCli(['isa', '--jsn']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe("virtlab: unknown option '--jsn' (Did you mean --json?)");
  });

  test('a missing argument is a one-line usage error', async () => {
    const r = await runCli(['disasm']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe("virtlab: missing required argument 'image'");
  });

  test('an unexpected exception becomes a one-line internal error with exit code 70', async () => {
    let stderr = '';
    const code = await main(['node', 'virtlab', 'isa'], {
      out: () => { throw new TypeError('stdout exploded'); },
      err: (s) => { stderr += s; },
    });
    expect(code).toBe(70);
    expect(stderr).toBe('virtlab: internal error: TypeError: stdout exploded\n');
  });
});
