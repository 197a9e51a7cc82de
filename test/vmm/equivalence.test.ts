// Trap-and-emulate is equivalent to the bare machine wherever the guest uses
// only innocuous and privileged instructions: the same console output and exit
// code, and (the guest runs 1:1, each emulated instruction retiring one) the
// same instruction count, so timer interrupts land at the same instructions.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decode } from '../../src/isa/index.js';
import { both, GUESTS, guestImage, nonZero, runVm, trapFriendlyTinyos } from './helpers.js';

const exceptionGuests = readdirSync(join(GUESTS, 'exceptions')).filter((f) => f.endsWith('.s')).sort();
const workloads = readdirSync(join(GUESTS, 'workloads')).filter((f) => f.endsWith('.s')).sort();

describe('native and trap give identical output and exit code', () => {
  test.each([
    'hello.s',
    ...exceptionGuests.map((f) => `exceptions/${f}`),
    ...workloads.map((f) => `workloads/${f}`),
  ])('%s', (name) => {
    const { native, trap } = both(guestImage(name), 100_000_000);
    expect(native.out.stop).toMatch(/^halted/);
    expect(trap.out).toEqual(native.out);
    expect(trap.vm.machine.counters.instructions).toBe(native.vm.machine.counters.instructions);
    // The guest really ran under the monitor: its privileged instructions trapped and were emulated.
    expect(trap.vm.monitor!.counters.emulated).toBeGreaterThan(0);
    expect(native.vm.monitor).toBeUndefined();
  });

  test('exceptions/timer.s: the virtual ticks land on the same instructions, each injected once', () => {
    const { native, trap } = both(guestImage('exceptions/timer.s'));
    expect(trap.out.console).toBe(native.out.console);
    const mon = trap.vm.monitor!.counters;
    expect(mon.injected).toBe(native.vm.machine.counters.interrupts);
    // While the virtual line is high the real timer stays quiet: one real tick per virtual one.
    expect(mon.trapInterrupt).toBe(mon.injected);
  });

  test('tinyos with trappable flags macros: identical output, instruction count and interrupt count', () => {
    const image = trapFriendlyTinyos();
    const { native, trap } = both(image);
    expect(native.out.console).toContain('tinyos: all processes exited, halting');
    expect(trap.out).toEqual(native.out);
    expect(trap.vm.machine.counters.instructions).toBe(native.vm.machine.counters.instructions);
    const mon = trap.vm.monitor!.counters;
    expect(mon.injected).toBe(native.vm.machine.counters.interrupts);
    expect(mon.reflectSyscall).toBe(native.vm.machine.counters.excSyscall);
    expect(mon.reflectPageFault).toBe(1); // the prober's read of kernel memory
    expect(mon.reflectProtection).toBe(1); // the meddler's cli at ring 3
    // Five processes and the kernel: six address spaces plus paging-off, all fitting the default cache.
    expect(mon.shadowsCreated).toBe(7);
    expect(mon.shadowSwitches).toBe(native.vm.machine.counters.tlbFlushes);
    // The same run as the unmodified kernel natively: the macros change nothing at ring 0.
    expect(runVm(guestImage('tinyos/tinyos.s'), 'native').out).toEqual(native.out);
  });

  test('every emulated instruction is the one found in guest memory at its pc', () => {
    const vm = runVm(trapFriendlyTinyos(), 'trap', 0).vm;
    const mon = vm.monitor!;
    const wrong: string[] = [];
    let seen = 0;
    mon.listener = (e) => {
      if (e.kind !== 'emulate') return;
      seen++;
      const word = mon.fetchGuestWord(e.pc);
      const d = word === undefined ? undefined : decode(word);
      if (d?.def.mnemonic !== e.mnemonic) wrong.push(`${e.mnemonic} at 0x${e.pc.toString(16)}`);
    };
    vm.run(5_000_000);
    expect(wrong).toEqual([]);
    expect(seen).toBe(mon.counters.emulated);
  });

  test('a shadow cache of one rebuilds on every switch: same output, many more fills', () => {
    const image = trapFriendlyTinyos();
    const cached = runVm(image, 'trap');
    const rebuilt = runVm(image, 'trap', 5_000_000, { shadowCache: 1 });
    expect(rebuilt.out).toEqual(cached.out);
    const a = cached.vm.monitor!.counters, b = rebuilt.vm.monitor!.counters;
    expect(b.shadowSwitches).toBe(a.shadowSwitches);
    expect(b.shadowsCreated).toBeGreaterThan(5 * a.shadowsCreated);
    expect(b.shadowEvictions).toBe(b.shadowsCreated - 1);
    expect(b.shadowFills).toBeGreaterThan(3 * a.shadowFills);
  });
});

describe('determinism', () => {
  test('the same guest in trap mode twice gives identical counters', () => {
    const image = trapFriendlyTinyos();
    const a = runVm(image, 'trap'), b = runVm(image, 'trap');
    expect(b.out).toEqual(a.out);
    expect(b.vm.counters()).toEqual(a.vm.counters());
    expect(nonZero(a.vm.monitor!.counters).traps).toBeGreaterThan(1000);
  });

  test('reset() starts the same run over', () => {
    const { vm, out } = runVm(guestImage('exceptions/timer.s'), 'trap');
    const counters = vm.counters();
    vm.reset();
    expect(vm.monitor!.counters.traps).toBe(0);
    expect(vm.consoleText()).toBe('');
    vm.run(5_000_000);
    expect(vm.consoleText()).toBe(out.console);
    expect(vm.counters()).toEqual(counters);
  });
});

describe('snapshots carry the monitor', () => {
  test('capture, run, undo and restore, run again: the same steps and output', () => {
    const { vm } = runVm(trapFriendlyTinyos(), 'trap', 90_000);
    const journal = vm.machine.enableJournal();
    const state = vm.machine.captureState();
    const mark = journal.mark();
    const switchesBefore = vm.monitor!.counters.shadowSwitches;
    vm.run(50_000);
    const first = { console: vm.consoleText(), counters: vm.counters(), regs: [...vm.machine.cpu.regs], pc: vm.machine.cpu.pc };
    journal.undoTo(mark);
    vm.machine.restoreState(state);
    vm.run(50_000);
    expect({ console: vm.consoleText(), counters: vm.counters(), regs: [...vm.machine.cpu.regs], pc: vm.machine.cpu.pc }).toEqual(first);
    expect(first.counters.monitor!.shadowSwitches).toBeGreaterThan(switchesBefore + 5); // processes ran in between
    expect(first.console).toContain('starting processes');
  });
});
