// The machine is built from the devices it is given (a board), and its
// snapshots carry each device's state by name.

import { describe, expect, test } from 'vitest';
import { Console } from '../../src/devices/console.js';
import { Timer } from '../../src/devices/timer.js';
import { standardBoard } from '../../src/machine/board.js';
import type { BoardDevice, BusMapping, DeviceContext } from '../../src/machine/device.js';
import { Machine } from '../../src/machine/index.js';

/** A device with one register at a port and at an MMIO address, which raises line 5 on demand and DMAs. */
class Probe implements BoardDevice {
  value = 0;
  readonly mappings: readonly BusMapping[];
  constructor(readonly name: string, private readonly ctx: DeviceContext, port: number, mmio: number) {
    const dev = { read: () => this.value, write: (_o: number, _s: 1 | 2 | 4, v: number) => { this.value = v; } };
    this.mappings = [{ space: 'pio', base: port, length: 1, device: dev }, { space: 'mmio', base: mmio, length: 4, device: dev }];
  }
  raise(): void { this.ctx.setIrq(5, true); }
  copy(from: number, to: number, n: number): boolean {
    const bytes = this.ctx.dma.read(from, n);
    return bytes !== undefined && this.ctx.dma.write(to, bytes);
  }
  reset(): void { this.value = 0; }
  save(): unknown { return this.value; }
  restore(s: unknown): void { this.value = s as number; }
}

describe('the board', () => {
  test('by default: the standard board of timer and console', () => {
    const m = new Machine();
    expect(m.devices.map((d) => d.name)).toEqual(['timer', 'console']);
    expect(m.timer).toBeInstanceOf(Timer);
    expect(m.console).toBeInstanceOf(Console);
    expect(m.bus.ranges().map((r) => `${r.space} ${r.name}`)).toEqual(['pio console', 'pio timer', 'mmio console']);
  });

  test('the machine has exactly the devices it is given, routed by their ranges', () => {
    let probe!: Probe;
    const m = new Machine({ devices: [(ctx) => (probe = new Probe('probe', ctx, 0x300, 0xe000_0000))] });
    expect(m.devices.map((d) => d.name)).toEqual(['probe']);
    expect(m.timer).toBeUndefined();
    expect(m.console).toBeUndefined();
    m.portWrite(0x300, 42);
    expect(probe.value).toBe(42);
    expect(m.mmioRead(0xe000_0000, 4)).toBe(42);
    expect(m.portRead(0x20)).toBe(-1); // no timer on this board: unmapped
    probe.raise();
    expect(m.irqPending).toBe(1 << 5);
  });

  test('the standard board without a console, or without a timer', () => {
    expect(new Machine({ devices: standardBoard({ console: false }) }).devices.map((d) => d.name)).toEqual(['timer']);
    expect(new Machine({ timer: false }).devices.map((d) => d.name)).toEqual(['console']);
  });

  test('two devices of one name, or overlapping ranges, are refused', () => {
    expect(() => new Machine({ devices: [(c) => new Probe('p', c, 0x300, 0xe000_0000), (c) => new Probe('p', c, 0x301, 0xe000_1000)] }))
      .toThrow(/two devices named 'p'/);
    expect(() => new Machine({ devices: [(c) => new Probe('a', c, 0x300, 0xe000_0000), (c) => new Probe('b', c, 0x300, 0xe000_1000)] }))
      .toThrow(/overlaps/);
  });

  test('snapshots restore each device by name, whatever the order of the board', () => {
    let a!: Probe, b!: Probe;
    const m = new Machine({ devices: [(c) => (a = new Probe('a', c, 0x300, 0xe000_0000)), (c) => (b = new Probe('b', c, 0x301, 0xe000_1000))] });
    a.value = 1;
    b.value = 2;
    const state = m.captureState();
    expect(state.devices).toEqual({ a: 1, b: 2 });
    a.value = b.value = 9;
    m.restoreState(state);
    expect([a.value, b.value]).toEqual([1, 2]);
    // A snapshot of another board (no state for 'b') is refused rather than restored into the wrong device.
    expect(() => m.restoreState({ ...state, devices: { a: 1 } })).toThrow(/no state for device 'b'/);
  });

  test('DMA reaches RAM through the device context, journaled like CPU stores', () => {
    let p!: Probe;
    const m = new Machine({ memorySize: 8192, devices: [(c) => (p = new Probe('p', c, 0x300, 0xe000_0000))] });
    m.mem.write32(0x100, 0x11223344);
    const journal = m.enableJournal();
    const mark = journal.mark();
    expect(p.copy(0x100, 0x200, 4)).toBe(true);
    expect(m.mem.read32(0x200)).toBe(0x11223344);
    journal.undoTo(mark);
    expect(m.mem.read32(0x200)).toBe(0);
    // Past the end of RAM, or wrapping the 32-bit space: refused, nothing written.
    expect(p.copy(0x100, 8190, 4)).toBe(false);
    expect(p.copy(0xffff_fffe, 0x200, 4)).toBe(false);
    expect(m.mem.read32(0x200)).toBe(0);
  });
});
