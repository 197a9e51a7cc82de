// Bus routing: port and MMIO ranges, overlap refusal, unmapped accesses.

import { describe, expect, test } from 'vitest';
import { Bus, BusError, type AccessSize, type BusDevice } from '../../src/machine/index.js';
import { boot, li } from './helpers.js';

class Recorder implements BusDevice {
  log: string[] = [];
  read(offset: number, size: AccessSize): number {
    this.log.push(`r${size}@${offset}`);
    return 0x80 + offset;
  }
  write(offset: number, size: AccessSize, value: number): void {
    this.log.push(`w${size}@${offset}=${value.toString(16)}`);
  }
}

describe('registration', () => {
  test('overlapping port ranges are refused, naming both', () => {
    const bus = new Bus(0x1000);
    bus.registerPio(0x10, 3, 'console', new Recorder());
    expect(() => bus.registerPio(0x12, 2, 'other', new Recorder())).toThrow(new BusError('ports 0x12-0x13 (other) overlaps ports 0x10-0x12 (console)'));
    bus.registerPio(0x13, 1, 'adjacent', new Recorder());
    expect(bus.pioAt(0x13)?.name).toBe('adjacent');
    expect(bus.pioAt(0x14)).toBeUndefined();
  });
  test('port ranges must fit the 64 K port space', () => {
    expect(() => new Bus(0x1000).registerPio(0xffff, 2, 'x', new Recorder())).toThrow(BusError);
  });
  test('MMIO ranges may not overlap each other or RAM', () => {
    const bus = new Bus(0x10000);
    bus.registerMmio(0xf000_0000, 0x1000, 'a', new Recorder());
    expect(() => bus.registerMmio(0xf000_0800, 0x1000, 'b', new Recorder())).toThrow(/overlaps MMIO 0xf0000000-0xf0000fff \(a\)/);
    expect(() => bus.registerMmio(0x8000, 0x1000, 'c', new Recorder())).toThrow('MMIO 0x8000-0x8fff (c) overlaps RAM 0x0-0xffff');
    bus.registerMmio(0xe000_0000, 0x10, 'd', new Recorder());
    expect(bus.mmioAt(0xe000_000f)?.name).toBe('d');
    expect(bus.mmioAt(0xe000_0010)).toBeUndefined();
    expect(bus.ranges().map((r) => r.name)).toEqual(['d', 'a']);
  });
  test('the default machine registers the timer and the console', () => {
    const { m } = boot([]);
    expect(m.bus.ranges().map((r) => `${r.space}:${r.base.toString(16)}+${r.length}:${r.name}`)).toEqual([
      'pio:10+3:console', 'pio:20+3:timer', 'mmio:f0000000+4096:console',
    ]);
  });
});

describe('routing from instructions', () => {
  test('port accesses reach the device with the offset in its range; 32-bit values', () => {
    const { m, eng } = boot([...li('a0', 0xdeadbeef), ['addi', 'a1', 'zero', 0x100], ['out', 'a0', { offset: 2, base: 'a1' }], ['in', 's0', { offset: 0x101, base: 'zero' }], ['halt', 'zero']]);
    const dev = new Recorder();
    m.bus.registerPio(0x100, 4, 'rec', dev);
    eng.run(100);
    expect(dev.log).toEqual(['w4@2=deadbeef', 'r4@1']);
    expect(m.cpu.regs[12]).toBe(0x81);
    expect(m.counters).toMatchObject({ ioReads: 1, ioWrites: 1, ioUnmapped: 0 });
  });
  test('the port number wraps at 16 bits', () => {
    const { m, eng } = boot([...li('a1', 0x1_0000), ['in', 's0', { offset: 0x100, base: 'a1' }], ['halt', 'zero']]);
    m.bus.registerPio(0x100, 1, 'rec', new Recorder());
    eng.run(100);
    expect(m.cpu.regs[12]).toBe(0x80);
  });
  test('unmapped ports read all ones and ignore writes, and are counted', () => {
    const { m, eng } = boot([['in', 's0', { offset: 0x300, base: 'zero' }], ['out', 's0', { offset: 0x300, base: 'zero' }], ['halt', 'zero']]);
    eng.run(100);
    expect(m.cpu.regs[12]).toBe(-1);
    expect(m.counters).toMatchObject({ ioReads: 1, ioWrites: 1, ioUnmapped: 2 });
  });
  test('MMIO: size and offset reach the device; sub-word loads extend as usual', () => {
    const { m, eng } = boot([
      ...li('a0', 0xe000_0000),
      ['lw', 's0', { offset: 4, base: 'a0' }],
      ['lb', 's1', { offset: 0x7f, base: 'a0' }], // device returns 0xff: sign-extended
      ['lhu', 's2', { offset: 2, base: 'a0' }],
      ['sb', 'a0', { offset: 1, base: 'a0' }],
      ['halt', 'zero'],
    ]);
    const dev = new Recorder();
    m.bus.registerMmio(0xe000_0000, 0x100, 'rec', dev);
    eng.run(100);
    expect(dev.log).toEqual(['r4@4', 'r1@127', 'r2@2', 'w1@1=0']);
    expect([m.cpu.regs[12], m.cpu.regs[13], m.cpu.regs[14]]).toEqual([0x84, -1, 0x82]);
    expect(m.counters).toMatchObject({ mmioReads: 3, mmioWrites: 1, mmioUnmapped: 0 });
  });
  test('unmapped physical addresses above RAM read all ones', () => {
    const { m, eng } = boot([...li('a0', 0x2000_0000), ['lw', 's0', { offset: 0, base: 'a0' }], ['lbu', 's1', { offset: 0, base: 'a0' }], ['sw', 's0', { offset: 0, base: 'a0' }], ['halt', 'zero']]);
    eng.run(100);
    expect([m.cpu.regs[12], m.cpu.regs[13]]).toEqual([-1, 0xff]);
    expect(m.counters.mmioUnmapped).toBe(3);
  });
});
