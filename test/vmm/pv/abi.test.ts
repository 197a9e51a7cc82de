// The hypercall ABI has one source of truth, src/vmm/pv/abi.ts: the guest's
// constants (guests/pv/hypercalls.inc) and the table in docs/hypercalls.md
// must say the same.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  CONSOLE_IO_MAX, ERRNO, HYPERCALLS, hypercallConstName, hypercallCounterName, MMU_UPDATE_MAX, PV_ABI_VERSION, PV_MARKER, SHARED,
} from '../../../src/vmm/pv/abi.js';
import { createMonitorCounters } from '../../../src/vmm/index.js';
import { GUESTS, pvImage } from './helpers.js';

const DOC = readFileSync(new URL('../../../docs/hypercalls.md', import.meta.url), 'utf8');

describe('guests/pv/hypercalls.inc', () => {
  const image = pvImage('        .text\n_start: nop\n');
  const value = (name: string) => {
    const s = image.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`hypercalls.inc does not define ${name}`);
    return s.value | 0;
  };

  test('defines every hypercall number, error code, shared-page offset and limit as abi.ts does', () => {
    expect(value(PV_MARKER)).toBe(PV_ABI_VERSION);
    for (const h of HYPERCALLS) expect([h.name, value(hypercallConstName(h.name))]).toEqual([h.name, h.nr]);
    for (const [name, code] of Object.entries(ERRNO)) expect([name, value(`PV_${name}`)]).toEqual([name, -code]);
    for (const [field, offset] of Object.entries(SHARED)) expect([field, value(`PV_SH_${field.toUpperCase()}`)]).toEqual([field, offset]);
    expect(value('PV_MMU_UPDATE_MAX')).toBe(MMU_UPDATE_MAX);
    expect(value('PV_CONSOLE_IO_MAX')).toBe(CONSOLE_IO_MAX);
  });

  test('and nothing else named HC_ or PV_', () => {
    const known = new Set([
      ...HYPERCALLS.map((h) => hypercallConstName(h.name)), ...Object.keys(ERRNO).map((e) => `PV_${e}`),
      ...Object.keys(SHARED).map((f) => `PV_SH_${f.toUpperCase()}`), 'PV_MMU_UPDATE_MAX', 'PV_CONSOLE_IO_MAX',
    ]);
    const defined = image.symbols.filter((s) => /^(HC_|PV_)/.test(s.name)).map((s) => s.name);
    expect(defined.filter((n) => !known.has(n))).toEqual([]);
    expect(readFileSync(join(GUESTS, 'pv', 'hypercalls.inc'), 'utf8')).toContain(`.equ ${PV_MARKER}, ${PV_ABI_VERSION}`);
  });
});

describe('docs/hypercalls.md', () => {
  test('its table lists every hypercall: number, name, errors', () => {
    const rows = DOC.split('\n').filter((l) => /^\| \d+ \| `/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.map((r) => [Number(r[1]), r[2]])).toEqual(HYPERCALLS.map((h) => [h.nr, `\`${h.name}\``]));
    for (const h of HYPERCALLS) {
      const row = rows.find((r) => r[2] === `\`${h.name}\``)!;
      const errors = row[5]!.match(/E[A-Z]+/g) ?? [];
      expect([h.name, errors]).toEqual([h.name, [...h.errors]]);
    }
  });

  test('names each error code with its value, and each shared-page word with its offset', () => {
    for (const [name, code] of Object.entries(ERRNO)) expect(DOC).toContain(`| \`${name}\` | -${code} |`);
    for (const [field, offset] of Object.entries(SHARED)) {
      expect(DOC).toContain(`| 0x${offset.toString(16).padStart(2, '0')} | \`${field}\` |`);
    }
  });

  test('every hypercall has a monitor counter, named as the docs say', () => {
    const c = createMonitorCounters();
    for (const h of HYPERCALLS) {
      expect(c).toHaveProperty(hypercallCounterName(h.name), 0);
      expect(DOC).toContain(`\`${hypercallCounterName(h.name)}\``);
    }
  });
});
