// Hypercalls in traces: one monitor record per hypercall, with its name, its
// result and the name of its error.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../../cli/run.js';
import { GUESTS } from './helpers.js';

describe('virtlab trace --mode pv', () => {
  test('text: each hypercall with its result, after the trap that carried it', async () => {
    const r = await runCli(['trace', join(GUESTS, 'pv/ticks.s'), '--mode', 'pv', '--events', 'monitor']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => /monitor +hypercall console_write pc 0x[0-9a-f]{8} <_start\+0x[0-9a-f]+> -> 40$/.test(l));
    expect(at).toBeGreaterThan(0);
    expect(lines[at - 1]).toMatch(/monitor +trap undefined instruction \(cause 0x00000001\)/);
    expect(lines.filter((l) => / hypercall iret pc /.test(l))).toHaveLength(3);
    expect(lines.some((l) => / hypercall iret .*->/.test(l))).toBe(false); // iret leaves a0 alone: no result
  });

  test('jsonl: the result and the error name of a failed hypercall', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-pv-'));
    const file = join(dir, 'enosys.s');
    writeFileSync(file, `        .include "${join(GUESTS, 'pv/hypercalls.inc')}"\n_start: hcall 999\n        li a0, 0\n        hcall HC_HALT\n`);
    try {
      const r = await runCli(['trace', file, '--mode', 'pv', '--events', 'monitor', '--format', 'jsonl']);
      expect(r.code).toBe(0);
      const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.event === 'hypercall');
      expect(records).toEqual([
        expect.objectContaining({ type: 'monitor', event: 'hypercall', pc: 0x1000, name: 'unknown', value: -38, what: 'ENOSYS', sym: '_start' }),
        expect.objectContaining({ name: 'halt', value: null, what: null }),
      ]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
