// Snapshots and reset: save() is plain data (survives JSON), restore() brings
// back registers, fault records, the IOTLB (stale entries included) and the
// counters; on a machine with the write journal, going back undoes the tables
// and the DMA too, as reverse stepping needs.

import { describe, expect, test } from 'vitest';
import { IommuDriver } from '../../../src/devices/iommu/driver.js';
import { REG } from '../../../src/devices/iommu/format.js';
import { Iommu, iommuBoardDevice, type IommuState } from '../../../src/devices/iommu/iommu.js';
import { standardBoard } from '../../../src/machine/board.js';
import { Machine } from '../../../src/machine/index.js';
import { BumpFrames, RID_A, RID_B, TABLES, bytes, setup } from './helpers.js';

/** A used IOMMU: a domain, a cached page then remapped without invalidation (stale), two faults, events unmasked. */
function used() {
  const s = setup();
  s.driver.enable();
  s.driver.buildDomain(1, [{ iova: 0, hpa: 0x10000, length: 0x2000 }]);
  s.driver.attach(RID_A, 1);
  s.iommu.dmaFor(RID_A).write(0, bytes(1));
  s.driver.map(1, { iova: 0, hpa: 0x30000, length: 0x1000 }); // IOTLB still says 0x10000
  s.iommu.dmaFor(RID_A).read(0x5000, 1);
  s.iommu.dmaFor(RID_B).write(0, bytes(1));
  s.driver.enableFaultEvents(7);
  return s;
}

describe('save and restore', () => {
  test('a JSON round trip restores registers, fault records, the stale IOTLB entry and counters into another IOMMU', () => {
    const a = used();
    const state = JSON.parse(JSON.stringify(a.iommu.save())) as IommuState;
    const b = setup({}, a.mem); // a fresh IOMMU over the same memory
    b.iommu.restore(state);
    expect(b.iommu.save()).toEqual(a.iommu.save());
    for (const r of [REG.GSTS, REG.RTADDR, REG.FSTS, REG.FECTL, REG.FEDATA, REG.FRCD, REG.FRCD + 12, REG.FRCD + 16 + 8]) {
      expect(b.iommu.readRegister(r)).toBe(a.iommu.readRegister(r));
    }
    expect(b.iommu.faults()).toEqual(a.iommu.faults());
    // The stale translation came along: the write still lands at the old host page.
    b.iommu.dmaFor(RID_A).write(0, bytes(2));
    expect([a.mem.u8[0x10000], a.mem.u8[0x30000]]).toEqual([2, 0]);
    expect(b.iommu.counters.iotlbHits).toBe(a.iommu.counters.iotlbHits + 1);
  });

  test('restoring an earlier save undoes later faults, invalidations, register writes and counters', () => {
    const { iommu, driver } = used();
    const saved = iommu.save();
    const faults = iommu.faults();
    driver.serviceFaults();
    driver.invalidate();
    iommu.writeRegister(REG.FEDATA, 3);
    iommu.dmaFor(RID_B).read(0x9000, 4);
    driver.disable();
    iommu.restore(saved);
    expect(iommu.save()).toEqual(saved);
    expect(iommu.faults()).toEqual(faults);
    expect(iommu.translating).toBe(true);
    expect(iommu.iotlbSize).toBe(1);
  });

  test('two identical runs save identical states (deterministic)', () => {
    expect(used().iommu.save()).toEqual(used().iommu.save());
  });

  test('the driver saves its domains and attachments', () => {
    const { driver, iommu, frames } = used();
    const saved = driver.save();
    driver.buildDomain(2, [{ iova: 0, hpa: 0x20000, length: 0x1000 }]);
    driver.attach(RID_B, 2);
    expect(driver.domains().map((d) => [d.id, d.requesters])).toEqual([[1, [RID_A]], [2, [RID_B]]]);
    const other = new IommuDriver(iommu, frames);
    other.restore(saved);
    expect(other.domains().map((d) => [d.id, d.requesters])).toEqual([[1, [RID_A]]]);
    expect(other.describe(RID_A)).toBe('00:03.0: domain 1');
    expect(other.describe(RID_B)).toBe('00:04.0: not attached');
  });
});

describe('reset', () => {
  test('power-on: translation off, root pointer unset, records, IOTLB and counters cleared, event masked and its line dropped', () => {
    const { iommu, lines, mem } = used();
    expect(lines.get(7)).toBe(true);
    iommu.reset();
    expect(lines.get(7)).toBe(false);
    expect(iommu.readRegister(REG.GSTS)).toBe(0);
    expect(iommu.faults()).toEqual([]);
    expect(iommu.iotlbSize).toBe(0);
    expect(iommu.counters.faults).toBe(0);
    expect(iommu.readRegister(REG.FECTL) >>> 31).toBe(1);
    expect(iommu.dmaFor(RID_B).write(0x100, bytes(5))).toBe(true); // untranslated
    expect(mem.u8[0x100]).toBe(5);
  });
});

describe('on a machine with the write journal', () => {
  test('going back to a snapshot undoes the tables built, the DMA done and the IOMMU state', () => {
    const m = new Machine({ memorySize: 1 << 20, devices: [...standardBoard(), iommuBoardDevice()] });
    const iommu = m.devices.find((d) => d.name === 'iommu') as Iommu;
    const journal = m.enableJournal();
    const state = m.captureState();
    const mark = journal.mark();
    const before = m.mem.slice(0, m.mem.size);
    const driver = new IommuDriver(iommu, new BumpFrames(TABLES, m.mem.size));
    driver.enable();
    driver.buildDomain(1, [{ iova: 0, hpa: 0x40000, length: 0x1000 }]);
    driver.attach(RID_A, 1);
    expect(iommu.dmaFor(RID_A).write(0x10, bytes(9, 9))).toBe(true);
    expect(m.mem.u8[0x40010]).toBe(9);
    journal.undoTo(mark);
    m.restoreState(state);
    expect(Buffer.from(m.mem.slice(0, m.mem.size)).equals(Buffer.from(before))).toBe(true);
    expect(iommu.translating).toBe(false);
    expect(iommu.counters.translations).toBe(0);
  });
});

test('bad options are one-line RangeErrors', () => {
  const ctx = { clock: () => 0, setIrq: () => {}, dma: { read: () => undefined, write: () => false } };
  expect(() => new Iommu(ctx, { faultRecords: 0 })).toThrow(/iommu: 0 fault records \(1\.\.16\)/);
  expect(() => new Iommu(ctx, { base: 0x123 })).toThrow(/page-aligned/);
  expect(() => new Iommu(ctx, { iotlbEntries: 0 })).toThrow(/IOTLB size 0/);
});
