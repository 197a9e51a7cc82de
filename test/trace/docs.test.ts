// docs/trace.md is the contract of the JSONL format: every record type has a
// section whose table lists its fields in order, and real traces must match it.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EVENT_KINDS, KIND_OF } from '../../src/trace/index.js';
import { runCli } from '../cli/run.js';

const DOC = readFileSync(new URL('../../docs/trace.md', import.meta.url), 'utf8');
const guest = (name: string) => new URL(`../../guests/${name}`, import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'virtlab-trace-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `### \`type\`` sections -> the first column of their field table. */
function documentedFields(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of DOC.split(/^### /m).slice(1)) {
    const title = /^`([a-z-]+)`/.exec(part);
    if (!title) continue;
    const fields = [...part.matchAll(/^\| `([a-zA-Z]+)` \|/gm)].map((m) => m[1]!);
    out.set(title[1]!, fields);
  }
  return out;
}

// A program that makes the record types tinyos does not: mmio, idle, a one-page tlb-flush.
const EXTRA = `_start:
        la      t0, handler
        mtcr    tvec, t0
        lui     t1, 0xf000
        li      t2, 'x'
        sw      t2, 0(t1)
        lw      t2, 4(t1)
        tlbi    t1
        li      t0, 20
        out     t0, 0x20
        sti
        wfi
handler:
        halt    zero
`;

async function records(args: string[]): Promise<Record<string, unknown>[]> {
  const r = await runCli(['trace', ...args, '--format', 'jsonl']);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('docs/trace.md', () => {
  test('documents every record type, and every type belongs to a kind of --events', () => {
    expect([...documentedFields().keys()].sort()).toEqual(Object.keys(KIND_OF).sort());
    for (const kind of EVENT_KINDS) expect(DOC).toMatch(new RegExp(`^\\| \`${kind}\` \\|`, 'm'));
    for (const [type, kind] of Object.entries(KIND_OF)) {
      const row = new RegExp(`^\\| \`${kind}\` \\|[^\\n]*\`${type}\``, 'm');
      expect(DOC, `${type} under ${kind}`).toMatch(row);
    }
  });

  test('every record of real traces has exactly the documented fields, in order, and numbers as numbers', async () => {
    const extra = join(tmp, 'extra.s');
    writeFileSync(extra, EXTRA);
    const all = [
      ...(await records([guest('tinyos/tinyos.s'), '--limit', '30000'])),
      ...(await records([guest('exceptions/pagefault.s')])),
      ...(await records([extra])),
      ...(await records([guest('tinyos/tinyos.s'), '--mode', 'trap', '--limit', '20000'])),
      ...(await records([guest('net/pingpong.s'), '-D', 'COUNT=2', '--nic', 'virtio', '--mode', 'hw', '--events', 'net'])),
      ...(await records([guest('net/pingpong.s'), '-D', 'COUNT=2', '--nic', 'vf', '--mode', 'hw', '--events', 'sriov,dma'])),
    ];
    const fields = documentedFields();
    const seen = new Set<string>();
    for (const rec of all) {
      const type = rec.type as string;
      if (!seen.has(type)) {
        seen.add(type);
        expect(Object.keys(rec), type).toEqual(fields.get(type));
      }
      for (const [k, v] of Object.entries(rec)) {
        if (typeof v === 'number') expect(Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff, `${type}.${k}`).toBe(true);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(KIND_OF).sort());
  });

  test('the sample text lines come from real traces', async () => {
    const traces = (await Promise.all([
      runCli(['trace', guest('hello.s')]),
      runCli(['trace', guest('exceptions/timer.s'), '--events', 'interrupt']),
      runCli(['trace', guest('tinyos/tinyos.s'), '--events', 'exception,mmu']),
      runCli(['trace', guest('net/pingpong.s'), '-D', 'COUNT=2', '--nic', 'emulated', '--events', 'net']),
      runCli(['trace', guest('net/pingpong.s'), '-D', 'COUNT=2', '--nic', 'vf', '--mode', 'hw', '--events', 'sriov,dma']),
    ])).map((r) => r.stdout).join('');
    const samples = [...DOC.split('## Text format')[1]!.split('## jq')[0]!.matchAll(/```\n([\s\S]*?)```/g)]
      .flatMap((m) => m[1]!.split('\n').filter((l) => l !== ''));
    expect(samples.length).toBeGreaterThan(6);
    for (const line of samples) expect(traces, line).toContain(line + '\n');
  });
});
