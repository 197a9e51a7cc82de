// Assembling in the playground: the real assembler's diagnostics (line,
// column, did-you-mean) as `virtlab asm` reports them, includes from the
// catalog, -D defines, and every picker entry assembling.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOG_ENTRIES } from '../../src/playground/catalog-entries.js';
import { runCli } from '../cli/run.js';
import { catalog, newSession } from './helpers.js';

const BAD = `; a typo on line 4
        .text
_start:
        addd    a0, a0, 1
        halt    zero
`;

describe('diagnostics', () => {
  test('a misspelled mnemonic: the line, the column and the did-you-mean that virtlab asm prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-asm-'));
    writeFileSync(join(dir, 'bad.s'), BAD);
    const cli = await runCli(['asm', 'bad.s', '-o', 'bad.elf'], dir);
    expect(cli.code).toBe(1);

    const s = newSession();
    const r = await s.ok({ type: 'assemble', program: { kind: 'source', file: 'bad.s', text: BAD } });
    expect(r.assembled).toBe(false);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d).toMatchObject({ file: 'bad.s', line: 4, column: 9, severity: 'error' });
    expect(d.message).toContain('did you mean');
    // The CLI's first line is `file:line:column: error: message`.
    expect(cli.stderr.split('\n')[0]).toBe(`bad.s:${d.line}:${d.column}: error: ${d.message}`);
  });

  test('a program that does not assemble fails its load with the diagnostics attached', async () => {
    const s = newSession();
    const r = await s.send({ type: 'load', config: { engine: 'jit', costModel: 'p4-2006', vms: [{ name: 'vm', mode: 'native', program: { kind: 'source', file: 'bad.s', text: BAD } }] } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/^vm: 'bad.s' does not assemble \(1 error\): bad.s:4:9: /);
    expect(r.error).not.toContain('\n');
    expect(r.diagnostics?.[0]).toMatchObject({ line: 4, column: 9 });
  });

  test('an edited catalog guest includes its neighbours and guests/lib from the catalog', async () => {
    const s = newSession();
    const text = catalog()['guests/tinyos/tinyos.s']!.replace('tinyos: booting', 'tinyos: edited!');
    const r = await s.ok({ type: 'assemble', program: { kind: 'source', file: 'guests/tinyos/tinyos.s', text }, defines: { PV: 1 } });
    expect(r.diagnostics).toEqual([]);
    expect(r.assembled).toBe(true);
    expect(r.symbols.some((x: { name: string }) => x.name === 'schedule')).toBe(true);
    // An include that is nowhere is the assembler's own message.
    const missing = await s.ok({ type: 'assemble', program: { kind: 'source', file: 'x.s', text: '        .include "nope.inc"\n' } });
    expect(missing.diagnostics[0].message).toMatch(/include file 'nope.inc' not found/);
  });
});

describe('the catalog', () => {
  test('every picker entry is in the catalog and assembles with its defines', async () => {
    const s = newSession();
    const { entries } = await s.ok({ type: 'catalog' });
    expect(entries).toHaveLength(CATALOG_ENTRIES.length);
    for (const e of entries) {
      const r = await s.ok({ type: 'assemble', program: { kind: 'catalog', path: e.path }, defines: e.defines });
      expect({ path: e.path, errors: r.diagnostics.filter((d: { severity: string }) => d.severity === 'error') }).toEqual({ path: e.path, errors: [] });
    }
  });

  test('offers every shipped host configuration, its programs as catalog paths', async () => {
    const s = newSession();
    const { hosts } = await s.ok({ type: 'catalog' });
    const shipped = Object.keys(catalog()).filter((p) => p.startsWith('guests/hosts/')).sort();
    expect(hosts.map((h: { path: string }) => h.path).sort()).toEqual(shipped);
    const three = hosts.find((h: { path: string }) => h.path === 'guests/hosts/three-modes.json');
    expect(three.config.vms.map((v: { name: string; mode: string; program: unknown }) => [v.name, v.mode, v.program])).toEqual(
      (['bt', 'pv', 'hw'] as const).map((m) => [m, m, { kind: 'catalog', path: 'guests/tinyos/tinyos.s' }]),
    );
    expect(three.config.slice).toBe(10000);
  });

  test('holds every source, include and host configuration under guests/ and nothing else', () => {
    const paths = Object.keys(catalog());
    expect(paths).toContain('guests/lib/rt.inc');
    expect(paths).toContain('guests/hosts/three-modes.json');
    expect(paths.every((p) => /^guests\/.*\.(s|inc|json)$/.test(p))).toBe(true);
    expect(paths.some((p) => p.endsWith('.elf'))).toBe(false);
  });
});
