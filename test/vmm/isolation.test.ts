// The monitor's memory is invisible to the guest: a hostile guest kernel that
// writes and reads everything it can address sees only its own RAM, all ones
// where nothing is, and page faults; it never reaches the monitor's memory,
// which lies right above its own in host RAM, nor the guard below.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PTE } from '../../src/isa/index.js';
import type { StepRecord } from '../../src/machine/index.js';
import { createVm, GUEST_BASE, LayoutError } from '../../src/vmm/index.js';
import { TC_VBASE } from '../../src/vmm/bt/cache.js';
import type { BtMode } from '../../src/vmm/modes/bt.js';
import { MODE_NAMES } from '../../src/vmm/modes/mode.js';
import { imageOf, imageOfFile, runVm, VMM_GUESTS } from './helpers.js';

const GUEST_MEMORY = 0x40000;
const PATTERN = 0x5a5a5a5a;

describe('a hostile guest kernel', () => {
  const image = imageOfFile(join(VMM_GUESTS, 'hostile.s'));

  test('sees the same as on a bare machine with just its RAM', () => {
    const native = runVm(image, 'native', 10_000_000, { guestMemory: GUEST_MEMORY }).out;
    const trap = runVm(image, 'trap', 10_000_000, { guestMemory: GUEST_MEMORY }).out;
    expect(native.console).toBe('mismatches 0x00000000, sum above RAM 0xffffdffe, sum of region 1 0xfffffc00, page faults 0x00000004\n');
    expect(trap).toEqual(native);
    const bt = runVm(image, 'bt', 10_000_000, { guestMemory: GUEST_MEMORY }).out;
    expect(bt).toEqual(native);
  });

  test('under bt it cannot reach the translation cache either: every unit\'s words are intact', () => {
    const vm = createVm({ image, mode: 'bt', guestMemory: GUEST_MEMORY });
    expect(vm.run(10_000_000).stop.kind).toBe('halted');
    const { cache } = vm.monitor!.mode as BtMode;
    const { tcBase } = vm.layout!;
    for (const cu of cache.all()) {
      const chained = new Set(cu.outgoing.map(([site]) => site));
      cu.unit.words.forEach((w, i) => {
        if (!chained.has(i)) expect(vm.machine.mem.read32(tcBase + ((cu.addr - TC_VBASE) >>> 0) + 4 * i) >>> 0).toBe(w >>> 0);
      });
    }
    expect(cache.all().length).toBeGreaterThan(0);
  });

  test('cannot read or change the monitor\'s memory or the guard below its own', () => {
    const vm = createVm({ image, mode: 'trap', guestMemory: GUEST_MEMORY });
    const { base, guestSize, monitorBase, monitorSize } = vm.layout!;
    const mem = vm.machine.mem;
    // Every access the CPU made for the guest, fetches aside, landed in guest RAM.
    const outside: string[] = [];
    vm.machine.observer = (rec: StepRecord) => {
      for (const a of rec.mem) if (a.paddr < base || a.paddr >= base + guestSize) outside.push(`${a.kind} 0x${a.paddr.toString(16)} at pc 0x${rec.pc.toString(16)}`);
    };
    const { stop } = vm.run(10_000_000);
    expect(stop.kind).toBe('halted');
    expect(outside).toEqual([]);
    expect(vm.monitor!.counters.mmioEmulated).toBeGreaterThan(8000); // accesses beyond RAM were emulated, not mapped
    // The guard is untouched.
    expect(mem.slice(0, base).every((b) => b === 0)).toBe(true);
    // No guest pattern word anywhere in monitor memory, and every shadow structure still sound.
    for (let a = monitorBase; a < monitorBase + monitorSize; a += 4) {
      const w = mem.read32(a) >>> 0;
      expect(((w ^ PATTERN) >>> 0) < guestSize && w !== 0 ? a : -1).toBe(-1);
    }
    for (const sh of vm.monitor!.shadow.save().shadows) {
      for (let i = 0; i < 1024; i++) {
        const pde = mem.read32(sh.dirHpa + 4 * i);
        if ((pde & PTE.P) === 0) continue;
        const table = (pde & PTE.FRAME_MASK) >>> 0;
        expect(table >= monitorBase && table < monitorBase + monitorSize).toBe(true);
        for (let j = 0; j < 1024; j++) {
          const leaf = mem.read32(table + 4 * j);
          if ((leaf & PTE.P) !== 0) expect(vm.monitor!.guest.guestOf((leaf & PTE.FRAME_MASK) >>> 0)).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });
});

describe('layout', () => {
  test('guest-physical 0 is host-physical GUEST_BASE, not 0; the monitor lies above the guest', () => {
    const image = imageOf('.text\n.global _start\n_start: li a0, 7\n halt a0\n');
    const vm = createVm({ image, mode: 'trap', guestMemory: 0x100000, monitorMemory: 0x20000 });
    expect(vm.layout).toEqual({ base: GUEST_BASE, guestSize: 0x100000, monitorBase: GUEST_BASE + 0x100000, monitorSize: 0x20000, tcBase: GUEST_BASE + 0x120000, tcSize: 0, ramSize: GUEST_BASE + 0x120000 });
    expect(GUEST_BASE).toBeGreaterThan(0);
    const text = image.sections.find((s) => s.name === '.text')!;
    const first = new DataView(text.data.buffer, text.data.byteOffset).getInt32(0, true);
    expect(vm.machine.mem.read32(GUEST_BASE + text.addr)).toBe(first);
    expect(vm.machine.mem.read32(text.addr)).toBe(0);
    expect(vm.machine.cpu.regs[2]).toBe(0x100000); // sp: the top of guest RAM, as the guest would see natively
    expect(vm.run(100).stop).toEqual({ kind: 'halted', code: 7, pc: text.addr + 4 });
  });

  test('bad sizes and images that do not fit are refused with one line', () => {
    const image = imageOf('.text\n.global _start\n_start: halt zero\n');
    expect(() => createVm({ image, mode: 'trap', guestMemory: 1000 })).toThrow(new LayoutError('guest memory 1000 must be a positive multiple of 4096 bytes'));
    expect(() => createVm({ image, mode: 'trap', guestMemory: 1024 * 1024 * 1024 })).toThrow(LayoutError);
    expect(() => createVm({ image, mode: 'trap', guestMemory: 0x1000 })).toThrow(/lies outside guest memory \(guest RAM is \[0x0, 0x1000\)\)/);
    expect(() => createVm({ image, mode: 'vmware' as never })).toThrow(`unknown mode 'vmware' (known: ${MODE_NAMES.join(', ')})`);
    expect(() => createVm({ image, mode: 'bt', tcSize: 0x800000 })).toThrow(new LayoutError('translation cache 8388608 exceeds its 4194304-byte fetch window'));
    expect(() => createVm({ image, mode: 'bt', tcSize: 100 })).toThrow(new LayoutError('translation cache 100 must be a positive multiple of 4096 bytes'));
  });

  test('monitor memory too small for one shadow is refused', () => {
    const image = imageOf('.text\n.global _start\n_start: halt zero\n');
    expect(() => createVm({ image, mode: 'trap', monitorMemory: 0x1000 }))
      .toThrow(new LayoutError('monitor memory 4096 must be at least 8192 bytes (one shadow directory and one shadow table)'));
    // Two frames are enough: the one table is recycled region by region.
    const hostile = imageOfFile(join(VMM_GUESTS, 'hostile.s'));
    const tiny = runVm(hostile, 'trap', 10_000_000, { guestMemory: GUEST_MEMORY, monitorMemory: 0x2000 });
    expect(tiny.out).toEqual(runVm(hostile, 'native', 10_000_000, { guestMemory: GUEST_MEMORY }).out);
  });
});

describe('monitor memory pressure', () => {
  test('when frames run out, shadows are recycled and the guest does not notice', () => {
    const image = imageOfFile(join(VMM_GUESTS, 'address-spaces.s'));
    const roomy = runVm(image, 'trap');
    const tight = runVm(image, 'trap', 100_000, { monitorMemory: 0x3000 }); // three frames: one directory and two tables
    expect(tight.out).toEqual(roomy.out);
    expect(tight.vm.monitor!.counters.shadowEvictions).toBeGreaterThan(0);
  });
});
