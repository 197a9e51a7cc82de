// Binary translation is equivalent to the bare machine: every program in
// guests/ (popek/ and tinyos included, where trap-and-emulate is not) gives
// byte-identical console output and exit code natively and under bt, and the
// guest's kernel really ran from the translation cache.

import { describe, expect, test } from 'vitest';
import type { StepRecord } from '../../../src/machine/index.js';
import { bareMetalGuests, guestImage, runVm } from '../helpers.js';

const INPUT = 'hello, translator\n';

describe('native and bt give identical output and exit code', () => {
  test.each(bareMetalGuests())('%s', (name) => {
    const opts = { console: { input: INPUT } };
    const native = runVm(guestImage(name), 'native', 100_000_000, opts);
    const bt = runVm(guestImage(name), 'bt', 100_000_000, opts);
    expect(native.out.stop).toMatch(/^halted/);
    expect(bt.out).toEqual(native.out);
    const c = bt.vm.monitor!.counters;
    expect(c.translations).toBeGreaterThan(0);
    expect(c.translatedInsns).toBe(c.identInsns + c.nonIdentInsns);
  });
});

describe('the guest kernel never runs as written', () => {
  test.each(['hello.s', 'popek/wrflags.s', 'tinyos/tinyos.s'])('%s: every supervisor step fetches from the translation cache', (name) => {
    const { vm } = runVm(guestImage(name), 'bt', 0);
    const window = vm.machine.fetchWindow!;
    let supervisor = 0, direct = 0, user = 0;
    vm.machine.observer = (rec: StepRecord) => {
      if (rec.ring === 3) { user++; return; }
      supervisor++;
      if (((rec.pc - window.base) >>> 0) >= window.size) direct++;
    };
    const { stop } = vm.run(100_000_000);
    expect(stop.kind).toBe('halted');
    expect(supervisor).toBeGreaterThan(100);
    expect(direct).toBe(0);
    if (name.startsWith('tinyos')) expect(user).toBeGreaterThan(1000); // its processes ran directly at ring 3
  });
});
