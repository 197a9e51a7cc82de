// Tools (trace, debugger, bt-dump) ask the mode what they need through
// MonitorMode, never test its class: a mode is translated code's if it
// answers translationCache(), whatever class implements it.

import { describe, expect, test } from 'vitest';
import { btCache } from '../../src/cli/bt-dump-collect.js';
import { BtView } from '../../src/trace/bt-view.js';
import type { MonitorMode } from '../../src/vmm/modes/mode.js';
import { guestImage, runVm } from './helpers.js';

describe('MonitorMode.translationCache', () => {
  test('bt answers with its cache; the tools find it there', () => {
    const { vm } = runVm(guestImage('hello.s'), 'bt', 20);
    const cache = vm.monitor!.mode.translationCache?.();
    expect(cache).toBeDefined();
    expect(btCache(vm.monitor)).toBe(cache);
    const view = BtView.of(vm.monitor)!;
    expect(view.cache).toBe(cache);
    expect(view.here()?.tc).toBe(vm.machine.cpu.pc >>> 0); // the CPU runs a translation of the kernel
    expect(view.guestPc()).toBe(vm.monitor!.mode.guestPc() >>> 0);
  });

  test.each(['trap', 'hw'] as const)('%s has none: no translation view, no cache to dump', (mode) => {
    const { vm } = runVm(guestImage('hello.s'), mode, 20);
    expect(vm.monitor!.mode.translationCache?.()).toBeUndefined();
    expect(BtView.of(vm.monitor)).toBeUndefined();
    expect(btCache(vm.monitor)).toBeUndefined();
  });

  test('any mode that answers is viewed the same way: the tools do not look at its class', () => {
    const { vm } = runVm(guestImage('hello.s'), 'bt', 20);
    const bt = vm.monitor!.mode;
    // A plain object delegating to the bt mode: not an instance of its class.
    const delegate: MonitorMode = {
      name: 'delegate',
      realRing: (v) => bt.realRing(v),
      guestPc: () => bt.guestPc(),
      setGuestPc: (pc) => bt.setGuestPc(pc),
      handleTrap: (t) => bt.handleTrap(t),
      translationCache: () => bt.translationCache!(),
    };
    const view = BtView.of({ machine: vm.machine, mode: delegate })!;
    expect(view).toBeDefined();
    expect(view.place(vm.machine.cpu.pc, vm.machine.cpu.cpl)).toEqual(BtView.of(vm.monitor)!.here());
  });
});
