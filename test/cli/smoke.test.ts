// One real child process through bin/virtlab.js and the compiled dist/ build,
// to check what in-process tests cannot: the launcher, exit codes, real stdio.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const built = existsSync(join(root, 'dist/src/cli/main.js'));
if (!built) console.warn('SKIPPING CLI smoke test: no dist/ build (run `npm run build`)');
const dir = mkdtempSync(join(tmpdir(), 'virtlab-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function virtlab(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/virtlab.js'), ...args], { encoding: 'utf8', cwd: dir });
}

describe.skipIf(!built)('bin/virtlab.js (dist build)', () => {
  test('asm, disasm, and a usage error, with their exit codes', () => {
    const ok = virtlab('asm', join(root, 'guests/hello.s'), '-o', 'hello.elf');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const dis = virtlab('disasm', 'hello.elf');
    expect(dis.status).toBe(0);
    expect(dis.stdout).toMatch(/^_start:$/m);
    const bad = virtlab('disasm', '--bogus', 'hello.elf');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("virtlab: unknown option '--bogus'\n");
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  test('an .include found in the installation\'s guests/lib (the built CLI sits deeper than src/cli)', () => {
    writeFileSync(join(dir, 'inc.s'), '        .include "rt.inc"\n        .text\n_start: halt zero\n');
    const r = virtlab('asm', 'inc.s', '-o', 'inc.elf');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
