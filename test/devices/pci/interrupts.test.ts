// How the bus turns functions' vectors into lines (INTx shared and ORed,
// MSI-X routed by the table), gates DMA on bus mastering, and saves its state.

import { describe, expect, test } from 'vitest';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import type { PciFunctionContext } from '../../../src/devices/pci/function.js';
import { MSIX_ADDRESS } from '../../../src/devices/pci/msix.js';
import { cfgRead, cfgWrite, pciMachine, ProbeFunction } from './helpers.js';

describe('INTx', () => {
  test('two functions on one line: the line is the OR of both; status bit 3 follows each; INTx disable takes a function off', () => {
    const { machine: m, probe } = pciMachine([{ device: 1, name: 'a' }, { device: 2, name: 'b' }]);
    cfgWrite(m, 2, 0, 0x3c, 2); // share device 1's line
    const a = probe('a'), b = probe('b');
    a.raise(0, true);
    b.raise(0, true);
    expect(m.irqPending).toBe(1 << 2);
    a.raise(0, false);
    expect(m.irqPending).toBe(1 << 2);
    expect((cfgRead(m, 1, 0, PCI.COMMAND) >>> 16) & 8).toBe(0);
    expect((cfgRead(m, 2, 0, PCI.COMMAND) >>> 16) & 8).toBe(8);
    cfgWrite(m, 2, 0, PCI.COMMAND, COMMAND.MEMORY | COMMAND.BUS_MASTER | COMMAND.INTX_DISABLE);
    expect(m.irqPending).toBe(0);
    expect((cfgRead(m, 2, 0, PCI.COMMAND) >>> 16) & 8).toBe(8); // still pending, just not delivered
    cfgWrite(m, 2, 0, PCI.COMMAND, COMMAND.MEMORY | COMMAND.BUS_MASTER);
    expect(m.irqPending).toBe(1 << 2);
    // Moving the function to another line moves its level.
    cfgWrite(m, 2, 0, 0x3c, 7);
    expect(m.irqPending).toBe(1 << 7);
    b.raise(0, false);
    expect(m.irqPending).toBe(0);
  });

  test('a PCI line does not disturb the timer and console lines', () => {
    const { machine: m, probe } = pciMachine([{ device: 0, name: 'a' }]);
    m.setIrq(0, true);
    probe('a').raise(0, true);
    probe('a').raise(0, false);
    expect(m.irqPending).toBe(1);
  });
});

describe('MSI-X', () => {
  function setup() {
    const env = pciMachine([{ device: 4, name: 'a', options: { msix: true } }]);
    const cap = cfgRead(env.machine, 4, 0, 0x34) & 0xfc;
    const bar = cfgRead(env.machine, 4, 0, 0x10);
    return { ...env, cap, bar, m: env.machine };
  }
  const enable = (m: ReturnType<typeof setup>['m'], cap: number, bits: number) => cfgWrite(m, 4, 0, cap, (cfgRead(m, 4, 0, cap) & 0xffff) | (bits << 16));

  test('with MSI-X enabled a vector drives the line its entry names; masked vectors show in the PBA and fire when unmasked', () => {
    const { m, probe, cap, bar } = setup();
    const a = probe('a');
    enable(m, cap, 0x8000);
    // Every vector starts masked.
    expect(m.mmioRead(bar + 0x800 + 12, 4)).toBe(1);
    m.mmioWrite(bar + 0x810, 4, MSIX_ADDRESS);
    m.mmioWrite(bar + 0x818, 4, 9);
    a.raise(1, true);
    expect(m.irqPending).toBe(0);
    expect(m.mmioRead(bar + 0xc00, 4)).toBe(0b10); // pending while masked
    m.mmioWrite(bar + 0x81c, 4, 0);
    expect(m.irqPending).toBe(1 << 9);
    expect(m.mmioRead(bar + 0xc00, 4)).toBe(0);
    // Not INTx: the INTx line stays low and status bit 3 clear.
    expect((cfgRead(m, 4, 0, PCI.COMMAND) >>> 16) & 8).toBe(0);
    // The function mask holds every vector back.
    enable(m, cap, 0xc000);
    expect(m.irqPending).toBe(0);
    enable(m, cap, 0x8000);
    expect(m.irqPending).toBe(1 << 9);
    a.raise(1, false);
    expect(m.irqPending).toBe(0);
    // Resolving vectors never went through the function's BAR: only the test's own table accesses did.
    expect(a.barAccesses).toBe(6);
  });

  test('a message not at 0xFEE00000, or with data past line 15, goes nowhere; MSI-X off falls back to INTx', () => {
    const { m, probe, cap, bar } = setup();
    const a = probe('a');
    enable(m, cap, 0x8000);
    m.mmioWrite(bar + 0x800, 4, 0xfee0_1000);
    m.mmioWrite(bar + 0x808, 4, 5);
    m.mmioWrite(bar + 0x80c, 4, 0);
    a.raise(0, true);
    expect(m.irqPending).toBe(0);
    m.mmioWrite(bar + 0x800, 4, MSIX_ADDRESS);
    expect(m.irqPending).toBe(1 << 5);
    m.mmioWrite(bar + 0x808, 4, 16);
    expect(m.irqPending).toBe(0);
    enable(m, cap, 0);
    expect(m.irqPending).toBe(1 << 2); // the INTx line firmware gave device 4 (the first device: line 2)
  });
});

test('MSI-X of a function whose configuration space is not a ConfigSpace: the bus reads its table through the BAR', () => {
  const env = pciMachine([]);
  const m = env.machine;
  const inner = env.bus.add({ device: 6, make: (ctx) => new ProbeFunction('inner', ctx, { msix: true }) }) as ProbeFunction;
  const c = inner.config;
  // The same function seen through a plain PciConfig (as another implementation would be).
  env.bus.remove(6);
  const plain = { name: 'plain', bar: (n: number) => inner.bar(n), reset: () => {}, save: () => null, restore: () => {},
    config: { read: c.read.bind(c), write: c.write.bind(c), barAddress: c.barAddress.bind(c), barSize: c.barSize.bind(c) } };
  let plainCtx!: PciFunctionContext;
  env.bus.add({ device: 6, make: (ctx) => ((plainCtx = ctx), plain) });
  cfgWrite(m, 6, 0, 0x10, 0xe100_0000);
  cfgWrite(m, 6, 0, PCI.COMMAND, COMMAND.MEMORY);
  const cap = cfgRead(m, 6, 0, 0x34) & 0xfc;
  cfgWrite(m, 6, 0, cap, 0x8000_0000 | (cfgRead(m, 6, 0, cap) & 0xffff));
  m.mmioWrite(0xe100_0800, 4, MSIX_ADDRESS);
  m.mmioWrite(0xe100_0808, 4, 11);
  m.mmioWrite(0xe100_080c, 4, 0);
  const before = inner.barAccesses;
  plainCtx.irq(0, true);
  expect(m.irqPending).toBe(1 << 11);
  expect(inner.barAccesses).toBeGreaterThan(before);
  m.mmioWrite(0xe100_080c, 4, 1); // masked
  expect(m.irqPending).toBe(0);
});

describe('notifications by routing ID (the pv net_notify hypercall)', () => {
  test('reach the function at bus << 8 | device << 3 | function, if it has that queue', () => {
    const { bus, probe } = pciMachine([{ device: 2, function: 1, name: 'a' }]);
    expect(bus.notifyFunction((2 << 3) | 1, 1)).toBe(true);
    expect(bus.notifyFunction((2 << 3) | 1, 2)).toBe(false);
    expect(bus.notifyFunction(2 << 3, 0)).toBe(false);
    expect(bus.notifyFunction((1 << 8) | (2 << 3) | 1, 0)).toBe(false); // bus 1
    expect(probe('a').notified).toEqual([1]);
  });
});

describe('DMA and state', () => {
  test('with bus mastering off the function\'s DMA is refused', () => {
    const { machine: m, probe } = pciMachine([{ device: 0, name: 'a' }]);
    const { dma } = probe('a').ctx;
    m.mem.u8.set([1, 2, 3], 0x100);
    expect(Array.from(dma.read(0x100, 3)!)).toEqual([1, 2, 3]);
    cfgWrite(m, 0, 0, PCI.COMMAND, COMMAND.MEMORY);
    expect(dma.read(0x100, 3)).toBeUndefined();
    expect(dma.write(0x100, new Uint8Array([9]))).toBe(false);
    expect(m.mem.u8[0x100]).toBe(1);
    cfgWrite(m, 0, 0, PCI.COMMAND, COMMAND.MEMORY | COMMAND.BUS_MASTER);
    expect(dma.write(0x100, new Uint8Array([9]))).toBe(true);
    expect(m.mem.u8[0x100]).toBe(9);
  });

  test('an IOMMU hook chooses each requester\'s DMA by routing ID', () => {
    const { machine: m, bus, probe } = pciMachine([{ device: 0, name: 'a' }, { device: 2, function: 1, name: 'b' }]);
    const asked: number[] = [];
    m.mem.u8.set([5, 6], 0x200);
    const refuse = { read: () => undefined, write: () => false };
    bus.iommu = (rid) => (asked.push(rid), rid === ((2 << 3) | 1) ? refuse : undefined);
    expect(Array.from(probe('a').ctx.dma.read(0x200, 2)!)).toEqual([5, 6]);
    expect(probe('b').ctx.dma.read(0x200, 2)).toBeUndefined();
    expect(probe('b').ctx.dma.write(0x200, new Uint8Array([1]))).toBe(false);
    expect(asked).toEqual([0, 17, 17]);
    expect(m.mem.u8[0x200]).toBe(5);
  });

  test('save/restore carries configuration bytes, function state and raised vectors', () => {
    const { machine: m, probe } = pciMachine([{ device: 0, name: 'a' }, { device: 1, name: 'b' }]);
    cfgWrite(m, 0, 0, 0x10, 0xe400_0000);
    probe('a').regs[3] = 77;
    probe('b').raise(0, true);
    const snap = m.captureState();
    cfgWrite(m, 0, 0, 0x10, 0xe500_0000);
    probe('a').regs[3] = 1;
    probe('b').raise(0, false);
    expect(m.irqPending).toBe(0);
    m.restoreState(snap);
    expect(cfgRead(m, 0, 0, 0x10)).toBe(0xe400_0000);
    expect(m.mmioRead(0xe400_000c, 4)).toBe(77);
    expect(m.irqPending).toBe(1 << 3);
    probe('b').raise(0, false); // the restored level is the bus's too: lowering it lowers the line
    expect(m.irqPending).toBe(0);
  });

  test('functions can be added and removed at run time; a snapshot of another set of functions is refused', () => {
    const { machine: m, bus } = pciMachine([{ device: 0, name: 'a' }]);
    const snap = m.captureState();
    bus.add({ device: 0, function: 1, make: (ctx) => new ProbeFunction('vf', ctx) });
    expect(cfgRead(m, 0, 1, 0)).toBe(0x5678_1234);
    expect((cfgRead(m, 0, 0, 0x0c) >>> 16) & 0x80).toBe(0x80);
    expect(() => bus.add({ device: 0, function: 1, make: () => { throw new Error('unreachable'); } })).toThrow(/00:00.1 is taken/);
    expect(() => m.restoreState(snap)).not.toThrow();
    bus.remove(0, 0);
    expect(cfgRead(m, 0, 0, 0)).toBe(0xffffffff);
    expect(() => m.restoreState(snap)).toThrow(/no function 'a' at 00:00.0/);
  });
});
