// A VM's virtual platform is built from a board as the machine is, and its
// devices' DMA reaches the VM's guest-physical RAM only: never the guard
// below it, the monitor's memory above it, or another window of host RAM.

import { describe, expect, test } from 'vitest';
import type { BoardDevice, DeviceContext } from '../../src/machine/device.js';
import { Machine } from '../../src/machine/index.js';
import { VirtualPlatform, virtualBoard } from '../../src/vmm/devices/platform.js';
import { makeLayout } from '../../src/vmm/layout.js';

/** A device with no registers, only its context (so the test can DMA through it). */
function contextOnly(): BoardDevice {
  return { name: 'dma', mappings: [], reset() {}, save: () => 0, restore() {} };
}

describe('the virtual platform', () => {
  const layout = makeLayout(64 * 1024, 16 * 1024);
  const machine = new Machine({ memorySize: layout.ramSize });

  test('by default: a virtual timer and console on the guest bus', () => {
    const p = new VirtualPlatform(machine, layout);
    expect(p.devices.map((d) => d.name)).toEqual(['timer', 'console']);
    expect(p.bus.ranges().map((r) => `${r.space} ${r.name}`)).toEqual(['pio console', 'pio timer', 'mmio console']);
    expect(virtualBoard(new Machine({ console: false })).length).toBe(1);
  });

  test('DMA is confined to the guest-physical window', () => {
    const sink: { ctx?: DeviceContext } = {};
    new VirtualPlatform(machine, layout, [...virtualBoard(machine), (ctx) => { sink.ctx = ctx; return contextOnly(); }]);
    const dma = sink.ctx!.dma;
    expect(dma.write(0x10, Uint8Array.of(1, 2, 3, 4))).toBe(true);
    expect(machine.mem.read32(layout.base + 0x10)).toBe(0x04030201); // guest-physical 0x10 is host base + 0x10
    expect(dma.read(0x10, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
    // The last bytes of guest RAM are reachable; one past them (the monitor's memory) is not.
    expect(dma.write(layout.guestSize - 4, Uint8Array.of(9, 9, 9, 9))).toBe(true);
    expect(dma.write(layout.guestSize - 2, Uint8Array.of(7, 7, 7, 7))).toBe(false);
    expect(dma.read(layout.guestSize, 1)).toBeUndefined();
    expect(machine.mem.read32(layout.monitorBase)).toBe(0);
    // A "negative" guest address is a huge unsigned one, not the guard below the window.
    expect(dma.write(-4, Uint8Array.of(5, 5, 5, 5))).toBe(false);
    expect(machine.mem.read32(layout.base - 4)).toBe(0);
  });
});
