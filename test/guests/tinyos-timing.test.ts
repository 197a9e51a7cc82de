// tinyos's console output must not depend on where its timer ticks land: the
// modes land them on different guest instructions (translated code runs extra
// instructions, a paravirtualized kernel has other instruction counts). Here
// the tick period itself is changed at assembly time (-D TICK_PERIOD=N), which
// moves every tick: the output and exit code must stay byte-identical, while
// the machine shows that the workers really were preempted at ring 3.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import type { StepRecord } from '../../src/machine/index.js';
import { createVm, type ModeName } from '../../src/vmm/index.js';

const TINYOS = new URL('../../guests/tinyos/tinyos.s', import.meta.url).pathname;
const BUDGET = 20_000_000;

function tinyos(defines: Record<string, number> = {}, readFile?: (p: string) => string): Image {
  const r = assembleFile(TINYOS, { defines, ...(readFile ? { readFile } : {}) });
  if (!r.image) throw new Error(`tinyos does not assemble: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.image;
}

function symbol(image: Image, name: string): number {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

interface Run {
  console: string;
  stop: string;
  code: number | undefined;
  interrupts: number;
  /** Timer interrupts taken while ring 3 ran worker code, by interrupted pc. */
  workerPreemptions: Map<number, number>;
}

function run(image: Image, mode: ModeName = 'native'): Run {
  const vm = createVm({ image, mode });
  const worker = symbol(image, 'worker'), uprint = symbol(image, 'uprint');
  const workerPreemptions = new Map<number, number>();
  if (mode === 'native') {
    vm.machine.observer = (rec: StepRecord) => {
      if (rec.ring !== 3 || !rec.events.some((e) => e.kind === 'interrupt')) return;
      if (rec.pc >= worker && rec.pc < uprint) workerPreemptions.set(rec.pc, (workerPreemptions.get(rec.pc) ?? 0) + 1);
    };
  }
  const { stop } = vm.run(BUDGET);
  return {
    console: vm.consoleText(),
    stop: stop.kind,
    code: stop.kind === 'halted' ? stop.code : undefined,
    interrupts: vm.machine.counters.interrupts,
    workerPreemptions,
  };
}

const PERIODS = [50, 100, 250, 1000, 5000];

let referenceRun: Run | undefined;
/** The default build (TICK_PERIOD 1500), natively. */
const reference = (): Run => (referenceRun ??= run(tinyos()));

describe('tinyos: the output does not depend on the tick period', () => {
  let runs: (readonly [number, Run])[] = [];
  beforeAll(() => {
    runs = PERIODS.map((p) => [p, run(tinyos({ TICK_PERIOD: p }))] as const);
  });

  test('the default build runs to the end', () => {
    const r = reference();
    expect(r.stop).toBe('halted');
    expect(r.code).toBe(0);
    expect(r.console).toMatch(/^tinyos: booting\n/);
    expect(r.console).toMatch(/tinyos: killed pid 4: page fault at pc 0x[0-9a-f]{8}, address 0x00001000\n/);
    expect(r.console).toMatch(/tinyos: killed pid 5: protection fault at pc 0x[0-9a-f]{8}\n/);
    expect(r.console.endsWith('tinyos: pid 2 exited with code 0\ntinyos: all processes exited, halting\n')).toBe(true);
  });

  test.each(PERIODS.map((p, i) => [p, i] as const))('TICK_PERIOD=%i: byte-identical output, exit code 0', (_p, i) => {
    const r = runs[i]![1];
    expect(r.stop).toBe('halted');
    expect(r.code).toBe(0);
    expect(r.console).toBe(reference().console);
  });

  test.each(PERIODS.map((p, i) => [p, i] as const))('TICK_PERIOD=%i: the workers were preempted in their compute loops at ring 3', (_p, i) => {
    const r = runs[i]![1];
    const total = [...r.workerPreemptions.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(r.interrupts); // the boot-time timer check takes one in the kernel
  });

  test('the periods really moved the ticks: different interrupt counts and different preempted pcs', () => {
    const counts = runs.map(([, r]) => r.interrupts);
    expect(new Set(counts).size).toBe(PERIODS.length);
    // More ticks for shorter periods (each slice is re-armed to a whole period).
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeLessThan(counts[i - 1]!);
    const signatures = runs.map(([, r]) => [...r.workerPreemptions.entries()].sort((a, b) => a[0] - b[0]).join(';'));
    expect(new Set(signatures).size).toBe(PERIODS.length);
  });

  test('a period too short for the kernel to return before the next tick is refused at assembly time', () => {
    const r = assembleFile(TINYOS, { defines: { TICK_PERIOD: 20 } });
    expect(r.image).toBeUndefined();
    expect(r.diagnostics.map((d) => d.message)).toContain(
      'TICK_PERIOD must be at least 50: the kernel spends about 30 instructions between re-arming the timer and returning');
  });
});

describe('tinyos: the same output under binary translation', () => {
  // The translated kernel runs extra instructions (callouts), so its ticks land elsewhere again.
  test.each([...PERIODS, 1500])('TICK_PERIOD=%i under bt: the native default output, exit code 0', (p) => {
    const r = run(tinyos({ TICK_PERIOD: p }), 'bt');
    expect(r.stop).toBe('halted');
    expect(r.code).toBe(0);
    expect(r.console).toBe(reference().console);
  });
});

describe('tinyos: the same output under the trap-and-emulate monitor', () => {
  // The flags macros made trappable (mfcr/mtcr status), as in test/vmm: under trap
  // the kernel then runs to the end, with every tick delivered by the monitor.
  const trappable = (p: string): string => {
    const s = readFileSync(p, 'utf8');
    return p.endsWith('priv.inc') ? s.replace('rdflags \\rd', 'mfcr    \\rd, status').replace('wrflags \\rs', 'mtcr    status, \\rs') : s;
  };

  test.each([100, 1000])('TICK_PERIOD=%i under trap: the native default output', (p) => {
    const r = run(tinyos({ TICK_PERIOD: p }, trappable), 'trap');
    expect(r.stop).toBe('halted');
    expect(r.code).toBe(0);
    expect(r.console).toBe(reference().console);
  });

  test('the unmodified kernel under trap still panics at its timer check, whatever the period', () => {
    // Even when a tick lands before the console's wrflags loses the interrupt flag:
    // the check waits for a tick after the output.
    for (const p of PERIODS) {
      const r = run(tinyos({ TICK_PERIOD: p }), 'trap');
      expect(r.console).toMatch(/tinyos: interrupts on, checking the timer\ntinyos: panic: no timer interrupt arrived \(were interrupts left disabled\?\)\n$/);
      expect(r.code).toBe(1);
    }
  });
});
