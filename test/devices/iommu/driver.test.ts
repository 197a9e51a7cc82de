// The monitor's driver: tables written where the format says, frames from the
// allocator and given back, and misuse reported as one-line errors.

import { describe, expect, test } from 'vitest';
import { IommuDriver } from '../../../src/devices/iommu/driver.js';
import { BumpFrames, RID_A, RID_B, TABLES, setup } from './helpers.js';

describe('tables in memory', () => {
  test('root entry by bus, context entry by devfn (domain, second-level root), second-level entries with R/W', () => {
    const { mem, driver } = setup();
    driver.enable();
    const d = driver.buildDomain(0x1234, [{ iova: 0x00403000, hpa: 0x50000, length: 0x1000, write: false }]);
    driver.attach(RID_A, 0x1234);
    const root = driver.save().rootTable;
    const rootEntry = mem.read32(root) >>> 0;
    expect(rootEntry & 1).toBe(1);
    const ctx = (rootEntry & ~0xfff) >>> 0;
    expect(mem.read32(ctx + RID_A * 8) >>> 0).toBe((d.root | 1) >>> 0); // TT 0 (translate), P
    expect(mem.read32(ctx + RID_A * 8 + 4) >>> 0).toBe(0x1234 << 8);
    const dir = mem.read32(d.root + 1 * 4) >>> 0; // directory index 1 (0x00400000)
    expect(dir & 3).toBe(3);
    expect(mem.read32(((dir & ~0xfff) >>> 0) + 3 * 4) >>> 0).toBe(0x50000 | 1); // R only
  });

  test('destroying a domain detaches its requesters, gives its frames back and drops its IOTLB entries', () => {
    const { iommu, driver, frames } = setup();
    driver.enable();
    const d = driver.buildDomain(1, [{ iova: 0, hpa: 0x10000, length: 0x1000 }, { iova: 0x800000, hpa: 0x20000, length: 0x1000 }]);
    driver.attach(RID_A, 1);
    iommu.dmaFor(RID_A).read(0, 1);
    driver.destroyDomain(1);
    expect(frames.released).toHaveLength(3); // two tables and the directory
    expect(frames.released).toContain(d.root);
    expect(iommu.iotlbSize).toBe(0);
    expect(driver.domains()).toEqual([]);
    expect(iommu.dmaFor(RID_A).read(0, 1)).toBeUndefined();
    expect(iommu.faults()[0]!.reason).toBe('context-not-present');
  });
});

describe('misuse', () => {
  test('bad mappings, domain IDs and routing IDs, unknown or duplicate domains, and attaching before enable throw one-line errors', () => {
    const { driver } = setup();
    expect(() => driver.attach(RID_A, 1)).toThrow('iommu driver: no domain 1');
    driver.buildDomain(1);
    expect(() => driver.attach(RID_A, 1)).toThrow('iommu driver: enable() first (no root table)');
    driver.enable();
    expect(() => driver.buildDomain(1)).toThrow('iommu driver: domain 1 exists');
    expect(() => driver.buildDomain(0x10000)).toThrow('domain ID 65536 is not 0..65535');
    expect(() => driver.map(1, { iova: 0x10, hpa: 0, length: 0x1000 })).toThrow('mapping 0x10+0x1000 -> 0x0 must be page-aligned and non-empty');
    expect(() => driver.map(1, { iova: 0, hpa: 0, length: 0 })).toThrow(/non-empty/);
    expect(() => driver.map(1, { iova: 0xfffff000, hpa: 0, length: 0x2000 })).toThrow(/runs past 4 GiB/);
    expect(() => driver.attach(0x10000, 1)).toThrow('routing ID 65536 is not 0..0xffff');
    expect(() => driver.unmap(2, 0, 0x1000)).toThrow('no domain 2');
  });

  test('running out of frames is an error naming what needed one', () => {
    const { iommu } = setup();
    const driver = new IommuDriver(iommu, new BumpFrames(TABLES, TABLES + 0x2000)); // root table + one more
    driver.enable();
    driver.buildDomain(1);
    expect(() => driver.map(1, { iova: 0, hpa: 0x10000, length: 0x1000 })).toThrow('iommu driver: no free frame for a table of domain 1');
    expect(() => driver.attach(RID_B, 1)).toThrow("no free frame for bus 0's context table");
  });
});
