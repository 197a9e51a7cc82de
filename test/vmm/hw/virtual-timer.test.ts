// hw's virtual timer (--virtual-timer, VmxControls.virtualTimer): the guest's
// interval timer is the CPU's. Its register accesses act on the VMCS's
// virtual-timer page and its ticks are delivered at the next boundary the
// guest's IE allows, neither with an exit: so the guest sees its ticks at the
// very instructions it sees them natively, on both engines, and the monitor
// counts no exit for the timer. The host's real timer still exits.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../../src/asm/index.js';
import type { Image } from '../../../src/elf/image.js';
import { ENGINE_FACTORIES, type EngineName } from '../../../src/engine/registry.js';
import { Host, type HostVmConfig } from '../../../src/host/index.js';
import { createVm } from '../../../src/vmm/index.js';
import { GUESTS, kernel, runVm, runWithRewind, VMM_GUESTS } from '../helpers.js';

function image(path: string, defines: Record<string, number> = {}): Image {
  const r = assembleFile(path, { defines });
  if (!r.image) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.image;
}

const ENGINES: EngineName[] = ['interp', 'jit'];
const VT = { hw: { virtualTimer: true } };

describe.each(ENGINES)('on %s', (engineName) => {
  const engine = ENGINE_FACTORIES[engineName];

  test('tick-clock.s: every tick read the same clock as natively, with no exit for the timer', () => {
    const img = image(join(VMM_GUESTS, 'tick-clock.s'));
    const native = runVm(img, 'native', 10_000_000, { engine });
    const v = runVm(img, 'hw', 10_000_000, { engine, ...VT });
    expect(native.out.stop).toMatch(/^halted/);
    expect(native.out.console.split('\n').filter((l) => l.startsWith('0x'))).toHaveLength(40);
    expect(v.out).toEqual(native.out);
    const c = v.vm.monitor!.counters, n = native.vm.machine.counters;
    expect(v.vm.machine.counters.instructions).toBe(n.instructions);
    expect(c.timerPosted).toBe(n.interrupts);
    expect([c.exitExternalInterrupt, c.exitInterruptWindow, c.injected]).toEqual([0, 0, 0]);
    // Only the console's port and halt exit: every timer access was the CPU's.
    expect(c.vmExits).toBe(c.exitIo + c.exitHlt);
    expect(c.virtualTimerAccesses + c.exitIo).toBe(n.ioReads + n.ioWrites);
  });

  test('tinyos -D WORKLOAD=1 -D TICK_PERIOD=200: the same ticks at the same instructions as natively, 0 timer exits', () => {
    const img = image(join(GUESTS, 'tinyos/tinyos.s'), { WORKLOAD: 1, TICK_PERIOD: 200 });
    const native = runVm(img, 'native', 100_000_000, { engine });
    const hw = runVm(img, 'hw', 100_000_000, { engine });
    const v = runVm(img, 'hw', 100_000_000, { engine, ...VT });
    expect(v.out).toEqual(native.out);
    const n = native.vm.machine.counters, m = v.vm.machine.counters, c = v.vm.monitor!.counters;
    expect([m.instructions, m.interrupts]).toEqual([n.instructions, n.interrupts]);
    expect(n.interrupts).toBeGreaterThan(1000);
    expect(c.timerPosted).toBe(n.interrupts);
    expect([c.exitExternalInterrupt, c.injected]).toEqual([0, 0]);
    // Without it every tick is a real-timer exit and an injection, and each ack and re-arm an io exit.
    const h = hw.vm.monitor!.counters;
    expect(h.exitExternalInterrupt).toBe(n.interrupts);
    expect(h.exitIo - c.exitIo).toBe(c.virtualTimerAccesses);
    expect(c.vmExits).toBeLessThan(h.vmExits / 20);
  });
});

describe('the virtual timer', () => {
  test('is off by default, and works with posted interrupts off and without EPT', () => {
    const img = image(join(VMM_GUESTS, 'tick-clock.s'), { PERIOD: 61, TICKS: 25 });
    const native = runVm(img, 'native', 10_000_000);
    expect(runVm(img, 'hw', 10_000_000).vm.monitor!.counters.timerPosted).toBe(0);
    for (const hw of [{ virtualTimer: true, posted: false }, { virtualTimer: true, ept: false }]) {
      const v = runVm(img, 'hw', 10_000_000, { hw });
      expect(v.out).toEqual(native.out);
      expect(v.vm.monitor!.counters.timerPosted).toBe(native.vm.machine.counters.interrupts);
    }
  });

  test('a wait for the tick (wfi) idles to the virtual deadline: one wfi exit, the tick itself without one', () => {
    // Five waits for a tick, then halt with the clock as the exit code (idle ticks included).
    const img = kernel(`
        la      t0, handler
        mtcr    tvec, t0
        li      t0, 500
        out     t0, 0x20
        li      s0, 0
        sti
1:      wfi
        li      t0, 5
        blt     s0, t0, 1b
        cli
        in      a0, 0x22
        halt    a0
handler:
        addi    s0, s0, 1
        li      t0, 1
        out     t0, 0x21
        rett
`);
    const native = runVm(img, 'native', 10_000_000);
    const v = runVm(img, 'hw', 10_000_000, VT);
    expect(v.out).toEqual(native.out);
    expect(native.vm.machine.counters.idle).toBeGreaterThan(2000);
    const c = v.vm.monitor!.counters;
    expect(v.vm.machine.counters.idle).toBe(native.vm.machine.counters.idle);
    expect([c.exitExternalInterrupt, c.injected, c.exitWfi]).toEqual([0, 0, 5]);
    expect(c.timerPosted).toBe(5);
  });

  test('a snapshot mid-run restored gives the same run (the timer is monitor state, carried with it)', () => {
    const img = image(join(VMM_GUESTS, 'tick-clock.s'));
    const whole = runVm(img, 'hw', 10_000_000, VT);
    const vm = runWithRewind(createVm({ image: img, mode: 'hw', console: {}, ...VT }), 3000, 2000);
    expect(vm.consoleText()).toBe(whole.out.console);
    expect(vm.machine.counters.instructions).toBe(whole.vm.machine.counters.instructions);
  });
});

describe('on a host of several VMs', () => {
  // The guest clock stands still while other VMs run (the page's clock is the VM's): its ticks fall where they fall alone.
  const VMS: HostVmConfig[] = [
    { name: 'tinyos-vt', image: image(join(GUESTS, 'tinyos/tinyos.s')), mode: 'hw', hw: { virtualTimer: true } },
    { name: 'ticks-vt', image: image(join(VMM_GUESTS, 'tick-clock.s')), mode: 'hw', hw: { virtualTimer: true }, guestMemory: 1 << 20 },
    { name: 'slow-vt', image: image(join(VMM_GUESTS, 'slow-timer.s'), { CRIT: 1 }), mode: 'hw', hw: { virtualTimer: true, ept: false }, guestMemory: 1 << 20 },
    { name: 'bt', image: image(join(GUESTS, 'tinyos/tinyos.s')), mode: 'bt' },
  ];

  test.each([997, 10_000])('slices of %i instructions: each VM as alone, the slices\' ends its only real-timer exits', (slice) => {
    const host = new Host({ vms: VMS, slice });
    expect(host.run(500_000_000).end).toBe('stopped');
    expect(host.vms[0]!.host.preempted).toBeGreaterThan(2);
    for (const [i, c] of VMS.entries()) {
      const a = runVm(c.image, c.mode, 100_000_000, { ...(c.hw ? { hw: c.hw } : {}), ...(c.guestMemory ? { guestMemory: c.guestMemory } : {}) });
      const vm = host.vms[i]!;
      expect(vm.consoleText(), c.name).toBe(a.out.console);
      expect(vm.counters.instructions, c.name).toBe(a.vm.machine.counters.instructions);
      if (!c.hw) continue;
      const m = vm.monitor.counters;
      expect(m.timerPosted, c.name).toBe(a.vm.monitor!.counters.timerPosted);
      expect(m.injected, c.name).toBe(0);
      // Alone nothing arms the real timer; here the host's does, for its slices.
      expect(a.vm.monitor!.counters.exitExternalInterrupt).toBe(0);
      expect(m.exitExternalInterrupt, c.name).toBe(vm.host.preempted);
    }
  });
});
