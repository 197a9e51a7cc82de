// The backbone of the host: a VM on a busy host prints exactly what it prints
// alone, retires the same guest instructions and idles the same ticks, in
// every mode, whatever else runs beside it and however short the slices; and
// the same configuration gives the same interleaving, on either engine.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { createJit } from '../../src/engine/jit/index.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import { Machine } from '../../src/machine/index.js';
import { createVm } from '../../src/vmm/index.js';
import { GUESTS, guestImage, VMM_GUESTS } from '../vmm/helpers.js';

function build(path: string, defines: Record<string, number> = {}): Image {
  const r = assembleFile(path, { defines });
  if (!r.image) throw new Error(`${path} does not assemble`);
  return r.image;
}

const tinyos = guestImage('tinyos/tinyos.s');
const SMALL = 1 << 20;

// tinyos needs its 16 MiB (processes live at 8 MiB); the small guests run in 1 MiB.
const CONFIGS: HostVmConfig[] = [
  { name: 'bt', image: tinyos, mode: 'bt' },
  { name: 'pv', image: build(join(GUESTS, 'tinyos/tinyos.s'), { PV: 1 }), mode: 'pv' },
  { name: 'hw', image: tinyos, mode: 'hw' },
  { name: 'hw-noept', image: tinyos, mode: 'hw', hw: { ept: false, vpid: false } },
  { name: 'timer', image: guestImage('exceptions/timer.s'), mode: 'trap', guestMemory: SMALL },
  { name: 'slow', image: build(join(VMM_GUESTS, 'slow-timer.s'), { CRIT: 1 }), mode: 'hw', guestMemory: SMALL },
  { name: 'slow-bt', image: build(join(VMM_GUESTS, 'slow-timer.s'), { CRIT: 1 }), mode: 'bt', guestMemory: SMALL },
  { name: 'hello', image: guestImage('hello.s'), mode: 'trap', guestMemory: SMALL },
];

function alone(c: HostVmConfig) {
  const vm = createVm({ image: c.image, mode: c.mode, ...(c.guestMemory ? { guestMemory: c.guestMemory } : {}), ...(c.hw ? { hw: c.hw } : {}) });
  const { stop } = vm.run(50_000_000);
  return { console: vm.consoleText(), stop: Machine.describeStop(stop), instructions: vm.machine.counters.instructions, idle: vm.machine.counters.idle };
}

const ALONE = new Map(CONFIGS.map((c) => [c.name, alone(c)]));

function outcome(host: Host) {
  return host.vms.map((vm) => ({
    vm: vm.name, console: vm.consoleText(), stop: vm.stop ? Machine.describeStop(vm.stop) : 'running',
    instructions: vm.counters.instructions, idle: vm.counters.idle,
  }));
}

describe('one VM alone and the same VM on a busy host', () => {
  test.each([997, 10_000, 1_000_000])('slices of %i instructions: every VM exactly as alone', (slice) => {
    const host = new Host({ vms: CONFIGS, slice });
    expect(host.run(200_000_000).end).toBe('stopped');
    expect(outcome(host)).toEqual(CONFIGS.map((c) => ({ vm: c.name, ...ALONE.get(c.name)! })));
    for (const vm of host.vms) expect(vm.stop?.kind).toBe('halted');
    // They really shared the CPU: every VM ran in several slices, each slice a world switch.
    if (slice < 100_000) for (const vm of host.vms.filter((v) => v.counters.instructions > 5 * slice)) expect(vm.host.slices).toBeGreaterThan(2);
    expect(host.counters.worldSwitches).toBe(host.vms.reduce((n, vm) => n + vm.host.slices, 0));
  });

  test('the same configuration twice, and on the jit: the same interleaving and counters', () => {
    const runs = [new Host({ vms: CONFIGS, slice: 997 }), new Host({ vms: CONFIGS, slice: 997 }), new Host({ vms: CONFIGS, slice: 997, engine: createJit })];
    const seen = runs.map((h) => {
      const order: string[] = [];
      let last = '';
      for (let steps = 0; steps < 200_000_000;) {
        const r = h.run(5_000);
        steps += r.steps;
        const v = h.vms.map((vm) => vm.host.slices).join(',');
        if (v !== last) order.push(v);
        last = v;
        if (r.end === 'stopped') break;
      }
      return { order, outcome: outcome(h), counters: h.vms.map((vm) => ({ ...vm.counters, host: vm.host, monitor: vm.monitor.counters })) };
    });
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });
});

describe('isolation of time', () => {
  test('a VM spinning with interrupts off cannot starve the others', () => {
    const spin = build(join(VMM_GUESTS, 'slow-timer.s'), { CRIT: 1 });
    const hog: HostVmConfig = { name: 'hog', mode: 'hw', guestMemory: SMALL, image: assembleFile(join(GUESTS, 'lib', 'inline.s'), {
      readFile: () => '        .text\n        .global _start\n_start: cli\n1:      j 1b\n',
    }).image! };
    const host = new Host({ vms: [hog, { name: 'slow', image: spin, mode: 'trap', guestMemory: SMALL }], slice: 5_000 });
    host.run(50_000_000);
    const slow = host.vms[1]!;
    expect(slow.stop?.kind).toBe('halted');
    expect(slow.consoleText()).toBe(alone({ name: 'slow', image: spin, mode: 'trap', guestMemory: SMALL }).console);
    const hogVm = host.vms[0]!;
    expect(hogVm.stop).toBeUndefined();
    expect(hogVm.host.preempted).toBeGreaterThan(5);
  });
});
