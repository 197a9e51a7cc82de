// A nanobenchmark's per-iteration report against its baseline (BENCH_ITERATIONS=0):
// the baseline subtracted when it halts as the run did, otherwise the totals
// divided by N with the reason, in one wording for `run` and the playground.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { perIterationAgainst } from '../../src/cli/per-iteration-report.js';
import { runCli, runJson } from './run.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SYSCALL = join(ROOT, 'guests/bench/syscall.s');
const dir = mkdtempSync(join(tmpdir(), 'virtlab-per-iteration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --json perIteration', () => {
  test('a source: its baseline subtracted (no note); an ELF image: totals divided by N, and why', async () => {
    const fromSource = await runJson([SYSCALL]);
    expect(fromSource.perIteration.note).toBeNull();
    expect(fromSource.perIteration.machine.instructions).toBe(15); // the event's own instructions (docs: nano suite counts)
    expect((await runCli(['asm', SYSCALL, '-o', join(dir, 'syscall.elf')])).code).toBe(0);
    const fromElf = await runJson([join(dir, 'syscall.elf')]);
    expect(fromElf.perIteration.note).toBe('an ELF image cannot be assembled with BENCH_ITERATIONS=0: totals divided by N, setup included');
    expect(fromElf.perIteration.machine.instructions).toBeGreaterThan(15); // setup included
  });

  test('a baseline that ended otherwise than the run is not subtracted, and the note says how it ended', async () => {
    const j = await runJson([SYSCALL]);
    const stats = { machine: j.counters, monitor: j.monitor, cost: j.cost } as never;
    const r = perIterationAgainst(1000, stats, 0, { stop: { kind: 'halted', code: 3, pc: 0 }, stats });
    expect(r.note).toBe('the baseline (BENCH_ITERATIONS=0) ended with halt 3: totals divided by N, setup included');
    expect(perIterationAgainst(1000, stats, 0, { stop: { kind: 'halted', code: 0, pc: 0 }, stats }).note).toBeNull();
  });
});
