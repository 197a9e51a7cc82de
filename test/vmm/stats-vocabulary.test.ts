// One vocabulary between the counters --stats prints and the cost table
// under them: every row of the table names one counter the list above it
// prints, with the same count.

import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { formatRunStats } from '../../src/cli/stats.js';
import { runCli } from '../cli/run.js';
import type { Image } from '../../src/elf/image.js';
import { join } from 'node:path';
import { GUESTS, guestImage, runVm } from './helpers.js';
import type { VmOptions } from '../../src/vmm/index.js';
import type { ModeName } from '../../src/vmm/modes/mode.js';

function pvTinyos(): Image {
  const r = assembleFile(join(GUESTS, 'tinyos/tinyos.s'), { defines: { PV: 1 } });
  if (!r.image) throw new Error('tinyos does not assemble with -D PV');
  return r.image;
}

/** `name  value` lines of the counter lists, and the cost table's rows (event, counter, count, each, cycles). */
function parseStats(text: string) {
  const [counterPart, costPart] = text.split(/\nmodelled cycles, cost model [^\n]*\n/);
  const printed = new Map<string, number>();
  for (const line of counterPart!.split('\n')) {
    const m = /^(\w+)\s+(\d+)$/.exec(line);
    if (m) printed.set(m[1]!, Number(m[2]));
  }
  const lines = costPart!.split('\n');
  const head = lines[0]!;
  // Columns are aligned under the header: the event text may contain blanks, the counter never does.
  const counterCol = head.indexOf('counter');
  const rows = lines.slice(1).filter((l) => l !== '' && !l.startsWith('total') && !l.startsWith('monitor overhead')).map((l) => {
    const [counter, count, each, cycles] = l.slice(counterCol).trim().split(/\s+/);
    return { event: l.slice(0, counterCol).trim(), counter: counter!, count: Number(count), each: Number(each), cycles: Number(cycles) };
  });
  return { printed, rows };
}

const RUNS: [string, () => Image, ModeName, Partial<VmOptions>][] = [
  ['trap', () => guestImage('tinyos/tinyos.s'), 'trap', {}],
  ['bt', () => guestImage('tinyos/tinyos.s'), 'bt', {}],
  ['pv', pvTinyos, 'pv', {}],
  ['hw', () => guestImage('tinyos/tinyos.s'), 'hw', {}],
  ['hw --no-ept', () => guestImage('tinyos/tinyos.s'), 'hw', { hw: { ept: false } }],
  ['hw --virtual-timer', () => guestImage('tinyos/tinyos.s'), 'hw', { hw: { virtualTimer: true } }],
  ['hw, tinyos -D PVHVM', () => assembleFile(join(GUESTS, 'tinyos/tinyos.s'), { defines: { PVHVM: 1 } }).image!, 'hw', {}],
];

describe.each(RUNS)('--stats under %s', (_label, image, mode, opts) => {
  test('every cost row names a printed counter and agrees with it', () => {
    const { vm } = runVm(image(), mode, 100_000_000, opts);
    const text = formatRunStats(vm, 'p4-2006');
    const { printed, rows } = parseStats(text);
    expect(rows.length).toBeGreaterThan(3);
    const stats = vm.stats('p4-2006');
    let total = 0;
    for (const row of rows) {
      expect(printed.has(row.counter), `row '${row.event}' names ${row.counter}, which --stats does not print`).toBe(true);
      expect(row.count, `row '${row.event}'`).toBe(printed.get(row.counter));
      // ... and the counter itself, not a number derived from it.
      const counters: Record<string, number> = { ...stats.machine, ...stats.monitor };
      expect(row.count).toBe(counters[row.counter]);
      expect(row.cycles).toBe(row.count * row.each);
      total += row.cycles;
    }
    // Rows left out of the text are the zero ones: nothing priced is hidden.
    expect(total).toBe(stats.cost.totalCycles);
    for (const r of stats.cost.rows) if (r.count !== 0) expect(rows.map((x) => x.counter)).toContain(r.counter);
  });
});

describe('--stats per iteration (a nanobenchmark guest)', () => {
  test.each([['bt', []], ['pv', ['-D', 'PV']], ['hw', []]] as const)('under %s: every cost row names a counter of the lists above it, with its value', async (mode, extra) => {
    const r = await runCli(['run', join(GUESTS, 'bench/in.s'), '--mode', mode, ...extra, '--stats']);
    expect(r.code, r.stderr).toBe(0);
    const section = r.stderr.slice(r.stderr.indexOf('\nper iteration'));
    const [lists, costPart] = section.split(/\nmodelled cycles per iteration, cost model [^\n]*\n/);
    const printed = new Map<string, string>();
    for (const line of lists!.split('\n')) {
      const m = /^(\w+)\s+([\d.]+)$/.exec(line);
      if (m) printed.set(m[1]!, m[2]!);
    }
    const lines = costPart!.trim().split('\n');
    const counterCol = lines[0]!.indexOf('counter');
    const rows = lines.slice(1).filter((l) => !l.startsWith('total'));
    expect(rows.length).toBeGreaterThan(1);
    for (const l of rows) {
      const [counter, count] = l.slice(counterCol).trim().split(/\s+/);
      expect(printed.get(counter!), `row '${l.slice(0, counterCol).trim()}'`).toBe(count);
    }
  });
});
