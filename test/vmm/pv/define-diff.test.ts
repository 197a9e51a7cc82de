// The line-difference report: source lines of code that one build assembles
// and the other skips (`virtlab asm --report-define PV`), and the figure
// docs/hypercalls.md gives for tinyos.

import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defineDiff, formatDefineDiff } from '../../../src/vmm/pv/define-diff.js';
import { runCli } from '../../cli/run.js';
import { GUESTS } from './helpers.js';

const FILES: Record<string, string> = {
  '/src/main.s': [
    '; a comment line: not code',
    '        .include "layer.inc"',
    '        .text',
    '_start: nop',
    '        .ifdef PV',
    '        hcall 1                 ; only with PV',
    '        .else',
    '        cli                     ; only without',
    '        nop                     ; only without',
    '        .endif',
    '',
    '        .if LEVEL > 1',           // the same in both builds (LEVEL is shared)
    '        nop',
    '        .endif',
    '        OP',
  ].join('\n'),
  '/src/layer.inc': [
    '        .ifdef PV',
    '        .include "pv.inc"',
    '        .else',
    '.macro OP',
    '        sti',
    '        .ifdef PV',                // inside a macro body: read with the definition
    '        nop',
    '        .endif',
    '.endm',
    '        .endif',
  ].join('\n'),
  '/src/pv.inc': [
    '; pv layer',
    '.macro OP',
    '        hcall 2',
    '.endm',
  ].join('\n'),
};

const readFile = (p: string) => {
  const text = FILES[p];
  if (text === undefined) throw new Error(`no file ${p}`);
  return text;
};

describe('defineDiff', () => {
  test('counts lines of code read by one build only, over every file either reads', () => {
    const d = defineDiff({ file: '/src/main.s', source: FILES['/src/main.s']!, name: 'PV', defines: { LEVEL: 2, PV: 1 }, readFile });
    expect(d.files).toEqual([
      { file: '/src/main.s', total: 13, onlyWith: 1, onlyWithout: 2 },
      { file: '/src/layer.inc', total: 10, onlyWith: 1, onlyWithout: 6 },
      { file: '/src/pv.inc', total: 3, onlyWith: 3, onlyWithout: 0 },
    ]);
    expect([d.total, d.onlyWith, d.onlyWithout]).toEqual([26, 5, 8]);
    expect(formatDefineDiff(d).split('\n')[0]).toBe('PV: 13 of 26 lines differ (50.00%): 5 only with PV, 8 only without it');
  });

  test('the shared defines hold in both builds: a condition on them is no difference', () => {
    const lvl1 = defineDiff({ file: '/src/main.s', source: FILES['/src/main.s']!, name: 'PV', defines: { LEVEL: 1 }, readFile });
    // The `nop` under `.if LEVEL > 1` is in neither build now: it is no difference, and not counted at all.
    expect(lvl1.files[0]).toEqual({ file: '/src/main.s', total: 12, onlyWith: 1, onlyWithout: 2 });
  });
});

describe('virtlab asm --report-define', () => {
  test('prints the figure for tinyos and still writes the image; docs/hypercalls.md quotes the same figure', async () => {
    const out = join(tmpdir(), `virtlab-pv-report-${process.pid}.elf`);
    const r = await runCli(['asm', join(GUESTS, 'tinyos/tinyos.s'), '-o', out, '--report-define', 'PV']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const head = /^PV: (\d+) of (\d+) lines differ \((\d+\.\d\d)%\): (\d+) only with PV, (\d+) only without it$/.exec(r.stdout.split('\n')[0]!);
    expect(head).not.toBeNull();
    const kernel = /tinyos\.s: (\d+) of (\d+) /.exec(r.stdout)!;
    const doc = readFileSync(new URL('../../../docs/hypercalls.md', import.meta.url), 'utf8');
    expect(doc).toContain(`${head![1]} of ${head![2]} lines (${head![3]}%)`);
    expect(doc).toContain(`${kernel[1]} of ${kernel[2]} lines of tinyos.s`);
    expect(readFileSync(out).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // the image was written
    rmSync(out);
  });

  test('a bad name is a one-line usage error', async () => {
    const r = await runCli(['asm', join(GUESTS, 'hello.s'), '-o', '/dev/null', '--report-define', '1x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^virtlab: bad --report-define '1x': expected a symbol name\n$/);
  });
});
