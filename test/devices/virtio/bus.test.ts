// The virtio-style NIC on a real machine's PCI bus: found by enumeration
// through ports 0xCF8/0xCFC, BAR0 placed by the firmware, registers reached by
// MMIO, interrupts on the function's INTx line or through its MSI-X table.

import { describe, expect, test } from 'vitest';
import { pciBoardDevice } from '../../../src/devices/pci/bus.js';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import { MSIX_ADDRESS } from '../../../src/devices/pci/msix.js';
import { VirtioNet } from '../../../src/devices/virtio-net/net.js';
import { COMMON, REGION } from '../../../src/devices/virtio-net/registers.js';
import { standardBoard } from '../../../src/machine/board.js';
import { WindowDma } from '../../../src/machine/dma.js';
import { Machine } from '../../../src/machine/index.js';
import { cfgRead, cfgWrite } from '../pci/helpers.js';
import { Collector, Driver, frame, MAC, type Rig } from './driver.js';

const SLOT = 5;
const MEMORY = 1 << 20;

function onBus() {
  let dev!: VirtioNet;
  const machine = new Machine({
    memorySize: MEMORY,
    devices: [...standardBoard(), pciBoardDevice([{ device: SLOT, make: (ctx) => (dev = new VirtioNet(ctx, { mac: MAC })) }])],
  });
  machine.reset(0);
  const base = (cfgRead(machine, SLOT, 0, PCI.BAR0) & ~0xf) >>> 0;
  const line = cfgRead(machine, SLOT, 0, PCI.INTERRUPT_LINE) & 0xff;
  const peer = new Collector();
  dev.connect(peer);
  const r: Rig = {
    mem: machine.mem,
    dma: new WindowDma(machine.mem, 0, MEMORY),
    dev,
    bar: { read: (o, s) => machine.mmioRead(base + o, s), write: (o, s, v) => machine.mmioWrite(base + o, s, v) },
    lines: new Map(), rises: [0, 0], events: [], peer,
    outside: () => new Uint8Array(0),
  };
  return { machine, dev, base, line, r, driver: new Driver(r) };
}

describe('virtio-net on the PCI bus', () => {
  test('enumeration: 1af4:1041, class 020000, BAR0 of 16 KiB in the PCI window, an interrupt line', () => {
    const { machine: m, base, line } = onBus();
    expect(cfgRead(m, SLOT, 0, 0)).toBe(0x1041_1af4);
    expect(cfgRead(m, SLOT, 0, 8)).toBe(0x0200_0001);
    expect(base).toBeGreaterThanOrEqual(0xe000_0000);
    cfgWrite(m, SLOT, 0, PCI.BAR0, 0xffffffff);
    expect(cfgRead(m, SLOT, 0, PCI.BAR0)).toBe(0xffff_c000);
    cfgWrite(m, SLOT, 0, PCI.BAR0, base);
    expect(line).toBeGreaterThanOrEqual(2);
  });

  test('TX by MMIO doorbell: the frame reaches the peer, the INTx line rises, the ISR read lowers it', () => {
    const { machine: m, dev, line, r, driver: d } = onBus();
    d.init();
    d.send([frame(60, 1), frame(64, 2)]);
    expect(r.peer.frames).toEqual([frame(60, 1), frame(64, 2)]);
    expect(dev.counters.notifications).toBe(1);
    expect(m.irqPending & (1 << line)).toBe(1 << line);
    expect(d.read(REGION.ISR, 1)).toBe(1);
    expect(m.irqPending & (1 << line)).toBe(0);
    expect(dev.counters.regReads + dev.counters.regWrites).toBeGreaterThan(10);
  });

  test('with MSI-X enabled the queue vector drives the line its table entry names', () => {
    const { machine: m, base, line, driver: d } = onBus();
    const cap = cfgRead(m, SLOT, 0, PCI.CAPABILITIES) & 0xfc;
    let msix = cap;
    while ((cfgRead(m, SLOT, 0, msix) & 0xff) !== 0x11) msix = (cfgRead(m, SLOT, 0, msix) >>> 8) & 0xfc;
    cfgWrite(m, SLOT, 0, msix, (cfgRead(m, SLOT, 0, msix) & 0xffff) | (0x8000 << 16));
    m.mmioWrite(base + REGION.MSIX_TABLE + 16, 4, MSIX_ADDRESS); // vector 1 -> line 9
    m.mmioWrite(base + REGION.MSIX_TABLE + 24, 4, 9);
    m.mmioWrite(base + REGION.MSIX_TABLE + 28, 4, 0);
    d.init();
    d.write(COMMON.QUEUE_SELECT, 2, 1);
    d.write(COMMON.QUEUE_MSIX_VECTOR, 2, 1);
    expect(d.read(COMMON.QUEUE_MSIX_VECTOR, 2)).toBe(1);
    d.send([frame(60)]);
    expect(m.irqPending & (1 << 9)).toBe(1 << 9);
    expect(m.irqPending & (1 << line)).toBe(0);
    d.read(REGION.ISR, 1);
    expect(m.irqPending & (1 << 9)).toBe(0);
  });

  test('bus mastering off: the next kick is a device error, nothing is sent', () => {
    const { machine: m, dev, r, driver: d } = onBus();
    d.init();
    cfgWrite(m, SLOT, 0, PCI.COMMAND, COMMAND.MEMORY);
    d.send([frame(60)]);
    expect(r.peer.frames).toEqual([]);
    expect(dev.stopped).toBe(true);
    expect(dev.counters.deviceErrors).toBe(1);
  });
});
