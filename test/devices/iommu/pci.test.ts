// The IOMMU behind a machine's PCI bus (PciBus.iommu = iommu.dmaFor): each
// function's DMA goes through the domain its routing ID is attached to, and
// nowhere else; an e1000 attached to a VM's domain works on bus addresses
// (guest-physical) and its stray DMA faults instead of reaching the host.

import { describe, expect, test } from 'vitest';
import { E1000 } from '../../../src/devices/e1000/e1000.js';
import { IommuDriver } from '../../../src/devices/iommu/driver.js';
import { iommuBoardDevice, type Iommu } from '../../../src/devices/iommu/iommu.js';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import { pciBoardDevice, type PciBus } from '../../../src/devices/pci/bus.js';
import { standardBoard } from '../../../src/machine/board.js';
import { Machine } from '../../../src/machine/index.js';
import { Driver, MAC, frame } from '../e1000/helpers.js';
import { ProbeFunction } from '../pci/helpers.js';
import { BumpFrames, TABLES, bytes } from './helpers.js';

const VM1 = 0x40000; // host RAM of "VM 1": its guest-physical [0, 0x20000)
const VM2 = 0x60000;
const GUEST_SIZE = 0x20000;

function board(slots: Parameters<typeof pciBoardDevice>[0]) {
  const machine = new Machine({ memorySize: 1 << 20, devices: [...standardBoard(), pciBoardDevice(slots), iommuBoardDevice()] });
  const bus = machine.devices.find((d) => d.name === 'pci') as PciBus;
  const iommu = machine.devices.find((d) => d.name === 'iommu') as Iommu;
  bus.iommu = iommu.dmaFor;
  const driver = new IommuDriver(iommu, new BumpFrames(TABLES, machine.mem.size));
  driver.enable();
  driver.buildDomain(1, [{ iova: 0, hpa: VM1, length: GUEST_SIZE }]);
  driver.buildDomain(2, [{ iova: 0, hpa: VM2, length: GUEST_SIZE }]);
  return { machine, bus, iommu, driver };
}

describe('functions on the PCI bus', () => {
  function probes() {
    const made = new Map<string, ProbeFunction>();
    const slot = (device: number, name: string) => ({ device, make: (ctx: ConstructorParameters<typeof ProbeFunction>[1]) => {
      const p = new ProbeFunction(name, ctx);
      made.set(name, p);
      return p;
    } });
    const b = board([slot(3, 'a'), slot(4, 'b')]);
    b.driver.attach(3 << 3, 1);
    b.driver.attach(4 << 3, 2);
    return { ...b, a: made.get('a')!, b: made.get('b')! };
  }

  test("a function attached to a domain DMAs only into that domain's host memory", () => {
    const { machine, a, b } = probes();
    expect(a.ctx.dma.write(0x100, bytes(1, 2, 3))).toBe(true);
    expect(b.ctx.dma.write(0x100, bytes(4, 5, 6))).toBe(true);
    expect([...machine.mem.slice(VM1 + 0x100, 3)]).toEqual([1, 2, 3]);
    expect([...machine.mem.slice(VM2 + 0x100, 3)]).toEqual([4, 5, 6]);
    expect([...machine.mem.slice(0x100, 3)]).toEqual([0, 0, 0]);
    expect([...a.ctx.dma.read(0x100, 3)!]).toEqual([1, 2, 3]);
  });

  test("DMA beyond its domain, to the other VM's host pages or to the tables, is refused and faults with its requester ID", () => {
    const { machine, iommu, a } = probes();
    const before = machine.mem.slice(0, machine.mem.size);
    for (const addr of [GUEST_SIZE, VM2, TABLES]) expect(a.ctx.dma.write(addr, bytes(0xee))).toBe(false);
    expect(Buffer.from(machine.mem.slice(0, machine.mem.size)).equals(Buffer.from(before))).toBe(true);
    expect(iommu.faults().map((f) => [f.requester, f.addr, f.reason])).toEqual([
      [3 << 3, GUEST_SIZE, 'no-write'], [3 << 3, VM2, 'no-write'], [3 << 3, TABLES, 'no-write'],
    ]);
    expect(iommu.counters.faultsByRequester).toEqual({ [3 << 3]: 3 });
  });

  test('bus mastering off refuses DMA at the bus, before the IOMMU (no fault)', () => {
    const { machine, bus, iommu, a } = probes();
    const cmd = bus.configRead(3, 0, PCI.COMMAND, 2);
    bus.configWrite(3, 0, PCI.COMMAND, 2, cmd & ~COMMAND.BUS_MASTER);
    expect(a.ctx.dma.write(0, bytes(1))).toBe(false);
    expect(machine.mem.u8[VM1]).toBe(0);
    expect(iommu.counters.faults + iommu.counters.translations).toBe(0);
  });
});

describe('an e1000 assigned to a VM', () => {
  function assigned() {
    let nic!: E1000;
    const b = board([{ device: 3, make: (ctx) => (nic = new E1000(ctx, { mac: MAC })) }]);
    b.driver.attach(3 << 3, 1);
    const bar = nic.config.barAddress(0)!;
    // The guest's driver sees its guest-physical memory: VM 1's host pages.
    const guest = b.machine.mem.u8.subarray(VM1, VM1 + GUEST_SIZE);
    const drv = new Driver(nic, (off) => b.machine.mmioRead(bar + off, 4) >>> 0, (off, v) => b.machine.mmioWrite(bar + off, 4, v), guest);
    return { ...b, nic, drv };
  }

  test('transmits and receives through rings and buffers at guest-physical addresses', () => {
    const { nic, drv, iommu } = assigned();
    drv.setupTx();
    const f = frame([2, 0, 0, 0, 0, 2], 100, 7);
    drv.send(f);
    expect(drv.sent).toHaveLength(1);
    expect([...drv.sent[0]!]).toEqual([...f]);
    drv.setupRx();
    const g = frame([2, 0, 0, 0, 0, 1], 60, 3);
    nic.receive(g);
    expect([...drv.rxFrame(0)]).toEqual([...g]);
    expect(iommu.counters.faults).toBe(0);
    expect(iommu.counters.iotlbHits).toBeGreaterThan(0);
  });

  test('a receive buffer outside the VM is not written: the frame is dropped, the fault recorded, the host untouched', () => {
    const { machine, nic, drv, iommu } = assigned();
    drv.setupRx();
    const stray = 0x30000; // a bus address past the VM's memory (and host RAM of something else)
    drv.put32(0x2000, stray); // RX descriptor 0's buffer (RX_RING = 0x2000)
    const before = machine.mem.slice(stray, 0x1000);
    nic.receive(frame([2, 0, 0, 0, 0, 1], 60));
    expect(nic.counters.rxDropped).toBe(1);
    expect(Buffer.from(machine.mem.slice(stray, 0x1000)).equals(Buffer.from(before))).toBe(true);
    expect(iommu.faults()).toContainEqual({ requester: 3 << 3, addr: stray, code: 5, reason: 'no-write', access: 'write' });
    expect(drv.rxLength(0)).toBe(0);
  });
});
