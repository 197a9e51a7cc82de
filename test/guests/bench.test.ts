// The nanobenchmark guests (guests/bench/, docs/benchmarks.md): each prints the
// same line and exits 0 under every mode, its event really happens once per
// iteration (the counter that shows it, per iteration, in each mode), and
// `run --json` / `--stats` report per-iteration figures with the setup
// subtracted.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { PerIterationReport } from '../../src/cli/per-iteration.js';
import { benchIterations } from '../../src/cli/per-iteration.js';
import { runCli } from '../cli/run.js';

const benchDir = new URL('../../guests/bench/', import.meta.url).pathname;
const GUESTS = ['syscall', 'in', 'crwrite', 'callret', 'pgfault', 'divzero', 'ptemod', 'ctxswitch', 'aspace'] as const;
type Guest = (typeof GUESTS)[number];

const MODES = {
  native: [],
  trap: ['--mode', 'trap'],
  bt: ['--mode', 'bt'],
  pv: ['--mode', 'pv', '-D', 'PV'],
  hw: ['--mode', 'hw'],
  'hw --no-ept': ['--mode', 'hw', '--no-ept'],
} as const;
type Mode = keyof typeof MODES;

const N = 100; // smaller than the guests' default, to keep the suite quick

interface Report {
  exitCode: number;
  console: string;
  counters: Record<string, number>;
  monitor: Record<string, number> | null;
  perIteration?: PerIterationReport;
}

const cache = new Map<string, Promise<Report>>();
/** `virtlab run --json` of a guest in a mode with N iterations (memoized: several tests read the same run). */
function runJson(guest: Guest, mode: Mode, n = N): Promise<Report> {
  const key = `${guest}|${mode}|${n}`;
  if (!cache.has(key)) {
    cache.set(key, runCli(['run', join(benchDir, `${guest}.s`), ...MODES[mode], '-D', `BENCH_ITERATIONS=${n}`, '--json']).then((r) => {
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as Report;
    }));
  }
  return cache.get(key)!;
}

/** A per-iteration counter (machine or monitor); 0 when the report leaves it out (it is zero). */
function per(r: Report, name: string): number {
  const p = r.perIteration!;
  return p.machine[name] ?? p.monitor?.[name] ?? 0;
}

describe('every bench guest prints what it prints natively, in every mode', () => {
  test.each(GUESTS)('%s', async (guest) => {
    const native = await runJson(guest, 'native');
    expect(native.console).toBe(`bench ${guest}: ${N} iterations\n`);
    expect(native.exitCode).toBe(0);
    for (const mode of Object.keys(MODES) as Mode[]) {
      const r = await runJson(guest, mode);
      expect({ mode, console: r.console, exitCode: r.exitCode }).toEqual({ mode, console: native.console, exitCode: 0 });
    }
  });
});

describe('the event happens once per iteration', () => {
  // [counter, per-iteration value] pairs for each guest and mode. Exact where
  // nothing but the event touches the counter; the monitor's warm-up (the first
  // translation, the first shadow fill, adaptive retranslation) spreads
  // fractions over the iterations elsewhere, hence the tolerance below.
  const EXPECT: Record<Guest, Partial<Record<Mode, [string, number][]>>> = {
    syscall: {
      native: [['excSyscall', 1]],
      bt: [['excSyscall', 1], ['reflectSyscall', 1], ['emuRett', 1]],
      pv: [['excSyscall', 1], ['reflectSyscall', 1], ['hcIret', 1]],
      hw: [['excSyscall', 1], ['vmExits', 0]],
      'hw --no-ept': [['excSyscall', 1], ['vmExits', 0]],
    },
    in: {
      native: [['ioReads', 1]],
      bt: [['emuIn', 1], ['calloutEmulate', 1]],
      pv: [['hcTimerRead', 1], ['hypercalls', 1]],
      hw: [['exitIo', 1], ['vmExits', 1]],
      'hw --no-ept': [['exitIo', 1], ['vmExits', 1]],
    },
    crwrite: {
      bt: [['emuMtcr', 1], ['calloutEmulate', 1]],
      pv: [['hypercalls', 0], ['traps', 0]], // a store to the shared page
      hw: [['vmExits', 0]],
      'hw --no-ept': [['exitCrAccess', 1], ['vmExits', 1]],
    },
    callret: {
      native: [['instructions', 4], ['jumps', 2]],
      trap: [['jumps', 2]],
      bt: [['calloutIndirect', 1], ['jumps', 2]], // the guest's call and ret, translated
      pv: [['traps', 0], ['jumps', 2]],
      hw: [['vmExits', 0], ['jumps', 2]],
      'hw --no-ept': [['jumps', 2]],
    },
    pgfault: {
      native: [['excPageFault', 1]],
      bt: [['excPageFault', 1], ['reflectPageFault', 1]],
      pv: [['excPageFault', 1], ['reflectPageFault', 1], ['hcIret', 1]],
      hw: [['excPageFault', 1], ['vmExits', 0]],
      'hw --no-ept': [['excPageFault', 1], ['exitException', 1], ['reflected', 1]],
    },
    divzero: {
      native: [['excDivideByZero', 1]],
      bt: [['excDivideByZero', 1], ['reflectDivideByZero', 1]],
      pv: [['excDivideByZero', 1], ['reflectDivideByZero', 1], ['hcIret', 1]],
      hw: [['excDivideByZero', 1], ['vmExits', 0]],
      'hw --no-ept': [['excDivideByZero', 1], ['vmExits', 0]],
    },
    ptemod: {
      native: [['tlbInvalidations', 1]],
      bt: [['tracedWrites', 1], ['emuSw', 1], ['emuTlbi', 1]],
      pv: [['hcMmuUpdate', 1], ['mmuUpdateEntries', 1], ['hcTlbFlushPage', 1]],
      hw: [['tlbInvalidations', 1], ['vmExits', 0]],
      'hw --no-ept': [['tracedWrites', 1], ['exitException', 1], ['exitInvlpg', 1]],
    },
    ctxswitch: {
      native: [['tlbFlushes', 1]],
      bt: [['shadowSwitches', 1], ['emuMtcr', 1]],
      pv: [['hcSetPtbr', 1], ['shadowSwitches', 1]],
      hw: [['tlbFlushes', 1], ['vmExits', 0]],
      'hw --no-ept': [['exitCrAccess', 1], ['shadowSwitches', 1]],
    },
    aspace: {
      native: [['tlbFlushes', 2]],
      bt: [['shadowSwitches', 2], ['shadowsCreated', 1]],
      pv: [['hcMmuUpdate', 2], ['mmuUpdateEntries', 8], ['hcSetPtbr', 2], ['shadowsCreated', 1]],
      hw: [['tlbFlushes', 2], ['vmExits', 0]],
      'hw --no-ept': [['exitCrAccess', 2], ['shadowsCreated', 1]],
    },
  };
  const cases = GUESTS.flatMap((g) => Object.entries(EXPECT[g]).map(([mode, pairs]) => [g, mode as Mode, pairs] as const));
  test.each(cases)('%s under %s', async (guest, mode, pairs) => {
    const r = await runJson(guest, mode);
    expect(r.perIteration?.setup).toBe('subtracted');
    for (const [name, value] of pairs) expect(per(r, name), `${guest} under ${mode}: ${name} per iteration`).toBeCloseTo(value, 1);
  });

  test('totals with the default iteration count: every syscall, fault and port read counted natively', async () => {
    const total = async (guest: Guest) => {
      const r = await runCli(['run', join(benchDir, `${guest}.s`), '--json']);
      return JSON.parse(r.stdout) as Report;
    };
    const n = benchIterations(assembleFile(join(benchDir, 'syscall.s')).image!)!;
    expect(n).toBe(1000);
    expect((await total('syscall')).counters.excSyscall).toBe(n + 1); // and the one that ends the run
    expect((await total('pgfault')).counters.excPageFault).toBe(n);
    expect((await total('divzero')).counters.excDivideByZero).toBe(n);
    expect((await total('in')).counters.ioReads).toBe(n);
  });
});

describe('per-iteration figures', () => {
  test('hw, in: one I/O exit per iteration, priced exit + exitHandling + VMREAD + VMWRITE + 3 instructions', async () => {
    const r = await runJson('in', 'hw');
    const p = r.perIteration!;
    expect(p.iterations).toBe(N);
    expect(p.monitor).toMatchObject({ vmExits: 1, exitIo: 1, vmreads: 1, vmwrites: 1, emuIn: 1 });
    expect(p.machine.instructions).toBe(3); // in, addi, bnez
    expect(p.cost.preset).toBe('p4-2006');
    expect(p.cost.rows.map((q) => [q.kind, q.count, q.cycles])).toEqual([
      ['guest instructions', 3, 3], ['VM exits', 1, 2409 + 6700], ['VMCS reads', 1, 178], ['VMCS writes', 1, 171],
    ]);
    expect(p.cost.totalCycles).toBe(3 + 2409 + 6700 + 178 + 171);
    expect(p.cost.overheadCycles).toBe(2409 + 6700 + 178 + 171);
  });

  test('native: only instructions and jumps are priced; the setup is in the baseline, not in the figures', async () => {
    const r = await runJson('callret', 'native');
    const p = r.perIteration!;
    expect(p.cost.rows).toEqual([
      { kind: 'guest instructions', counter: 'instructions', count: 4, each: 1, cycles: 4 },
      { kind: 'jumps', counter: 'jumps', count: 2, each: 3.5, cycles: 7 },
    ]);
    expect(p.baseline!.instructions).toBeGreaterThan(1000); // boot and the 4 MiB map
    expect(r.counters.instructions).toBe(p.baseline!.instructions + 4 * N);
  });

  test('the figures do not depend on N: the setup cancels exactly, output included', async () => {
    const a = (await runJson('syscall', 'pv', 10)).perIteration!;
    const b = (await runJson('syscall', 'pv', 40)).perIteration!;
    expect(a.cost.totalCycles).toBe(b.cost.totalCycles);
    expect(a.machine).toEqual(b.machine);
  });

  test('bt, callret: the return is one indirect lookup; bt costs the lookup more than native', async () => {
    const bt = (await runJson('callret', 'bt')).perIteration!;
    const native = (await runJson('callret', 'native')).perIteration!;
    const lookups = bt.cost.rows.find((q) => q.kind === 'indirect lookups')!;
    expect(lookups).toMatchObject({ count: 1, each: 40, cycles: 40 });
    expect(bt.cost.totalCycles - native.cost.totalCycles).toBeGreaterThanOrEqual(40);
  });

  test('--stats prints the per-iteration section after the counters and the cost table', async () => {
    const r = await runCli(['run', join(benchDir, 'divzero.s'), '--mode', 'bt', '-D', `BENCH_ITERATIONS=${N}`, '--stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`bench divzero: ${N} iterations\n`);
    const section = r.stderr.slice(r.stderr.indexOf('\nper iteration'));
    expect(section).toMatch(/^\nper iteration, BENCH_ITERATIONS = 100, setup subtracted: \(run - run with 0 iterations\) \/ N:\n/);
    expect(section).toMatch(/^excDivideByZero +1$/m);
    expect(section).toMatch(/^reflectDivideByZero +1$/m);
    expect(section).toMatch(/^modelled cycles per iteration, cost model p4-2006:\n/m);
    expect(section).toMatch(/^exceptions reflected +reflected +1 +862 +862$/m);
    expect(section).toMatch(/^total +\d+(\.\d+)?\n$/m);
  });

  test('an ELF image cannot be reassembled: totals / N, and the report says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-'));
    try {
      const elf = join(dir, 'in.elf');
      expect((await runCli(['asm', join(benchDir, 'in.s'), '-D', 'BENCH_ITERATIONS=50', '-o', elf])).code).toBe(0);
      const r = await runCli(['run', elf, '--json']);
      const p = (JSON.parse(r.stdout) as Report).perIteration!;
      expect(p.setup).toBe('included');
      expect(p.baseline).toBeNull();
      expect(p.note).toMatch(/ELF image/);
      expect(p.machine.instructions).toBeGreaterThan(3); // the setup, spread over 50 iterations
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a guest without BENCH_ITERATIONS gets no per-iteration report', async () => {
    const r = await runCli(['run', new URL('../../guests/hello.s', import.meta.url).pathname, '--json', '--stats']);
    expect(JSON.parse(r.stdout)).not.toHaveProperty('perIteration');
    expect(r.stderr).not.toMatch(/per iteration/);
  });
});

describe('docs/benchmarks.md', () => {
  test('the table of modelled cycles per iteration is what the guests measure (N = 1000, p4-2006)', async () => {
    const doc = readFileSync(new URL('../../docs/benchmarks.md', import.meta.url), 'utf8');
    const columns: Mode[] = ['native', 'bt', 'pv', 'hw', 'hw --no-ept', 'trap'];
    const rows = doc.split('\n').filter((l) => /^\| [a-z]+ \| [\d,]+ \|/.test(l));
    expect(rows.map((l) => l.split('|')[1]!.trim())).toEqual([...GUESTS]);
    for (const line of rows) {
      const cells = line.split('|').map((c) => c.trim());
      const guest = cells[1] as Guest;
      const measured = await Promise.all(columns.map(async (m) => Math.round((await runJson(guest, m, 1000)).perIteration!.cost.totalCycles)));
      expect({ guest, cycles: measured }).toEqual({ guest, cycles: cells.slice(2, 8).map((c) => Number(c.replace(/,/g, ''))) });
    }
  }, 60_000);
});

describe('the PV builds', () => {
  test('are refused unmodified under pv, and the PV build halts on the bare machine at its first hcall', async () => {
    const unmodified = await runCli(['run', join(benchDir, 'in.s'), '--mode', 'pv']);
    expect(unmodified.code).toBe(1);
    expect(unmodified.stderr).toMatch(/not a paravirtualized build/);
    const pvNative = await runCli(['run', join(benchDir, 'in.s'), '-D', 'PV']);
    expect(pvNative.stderr).toMatch(/unhandled trap: undefined instruction/);
  });
});

afterAll(() => cache.clear());
