// The IOTLB: hits and misses counted, a remapped page seen only after an
// invalidation (global, by domain, by page; by register or by API), and
// domains kept apart even when they use the same bus addresses.

import { describe, expect, test } from 'vitest';
import { RID_A, RID_B, bytes, setup } from './helpers.js';

function twoDomains(options = {}) {
  const s = setup(options);
  s.driver.enable();
  // The same bus addresses in both domains, onto different host pages (two VMs' guest-physical 0).
  s.driver.buildDomain(1, [{ iova: 0, hpa: 0x10000, length: 0x4000 }]);
  s.driver.buildDomain(2, [{ iova: 0, hpa: 0x20000, length: 0x4000 }]);
  s.driver.attach(RID_A, 1);
  s.driver.attach(RID_B, 2);
  return s;
}

describe('IOTLB', () => {
  test('the first access to a page misses and walks, the next ones hit', () => {
    const { iommu } = twoDomains();
    const dma = iommu.dmaFor(RID_A);
    dma.read(0x100, 4);
    dma.read(0x200, 4);
    dma.write(0x300, bytes(1));
    dma.read(0x1000, 4);
    expect([iommu.counters.iotlbMisses, iommu.counters.iotlbHits]).toEqual([2, 2]);
    expect(iommu.iotlbSize).toBe(2);
  });

  test('a remapped page is not seen until the domain is invalidated, then it is', () => {
    const { mem, iommu, driver } = twoDomains();
    const dma = iommu.dmaFor(RID_A);
    dma.write(0, bytes(1));
    expect(mem.u8[0x10000]).toBe(1);
    driver.map(1, { iova: 0, hpa: 0x30000, length: 0x1000 });
    dma.write(0, bytes(2));
    expect([mem.u8[0x10000], mem.u8[0x30000]]).toEqual([2, 0]); // stale translation
    driver.invalidate(1);
    dma.write(0, bytes(3));
    expect([mem.u8[0x10000], mem.u8[0x30000]]).toEqual([2, 3]);
    expect(iommu.counters.invalidations).toBeGreaterThanOrEqual(2); // enable()'s global one and this
  });

  test('an unmapped page stays reachable through the IOTLB until invalidated, then faults', () => {
    const { iommu, driver } = twoDomains();
    const dma = iommu.dmaFor(RID_A);
    expect(dma.read(0x2000, 4)).toBeDefined();
    driver.unmap(1, 0x2000, 0x1000);
    expect(dma.read(0x2000, 4)).toBeDefined();
    driver.invalidatePage(1, 0x2000);
    expect(dma.read(0x2000, 4)).toBeUndefined();
    expect(iommu.faults().map((f) => [f.addr, f.reason])).toEqual([[0x2000, 'no-read']]);
  });

  test("invalidating one domain leaves the other's entries; global drops all", () => {
    const { iommu, driver } = twoDomains();
    iommu.dmaFor(RID_A).read(0, 4);
    iommu.dmaFor(RID_B).read(0, 4);
    expect(iommu.iotlbSize).toBe(2);
    driver.invalidate(2);
    expect(iommu.iotlbSize).toBe(1);
    iommu.dmaFor(RID_A).read(0, 4);
    expect(iommu.counters.iotlbHits).toBe(1);
    iommu.dmaFor(RID_B).read(0, 4);
    expect(iommu.iotlbSize).toBe(2);
    expect(iommu.invalidate()).toBe(2);
    expect(iommu.iotlbSize).toBe(0);
    expect(iommu.counters.iotlbDropped).toBeGreaterThanOrEqual(3);
  });

  test('a newly mapped page is seen without invalidation (not-present entries are never cached)', () => {
    const { iommu, driver } = twoDomains();
    const dma = iommu.dmaFor(RID_A);
    expect(dma.read(0x8000, 1)).toBeUndefined();
    driver.map(1, { iova: 0x8000, hpa: 0x18000, length: 0x1000 });
    expect(dma.read(0x8000, 1)).toBeDefined();
  });

  test('the IOTLB is bounded: the oldest entry is evicted and walks again', () => {
    const { iommu } = twoDomains({ iotlbEntries: 2 });
    const dma = iommu.dmaFor(RID_A);
    for (const a of [0, 0x1000, 0x2000, 0]) dma.read(a, 1);
    expect(iommu.iotlbSize).toBe(2);
    expect([iommu.counters.iotlbMisses, iommu.counters.iotlbHits]).toEqual([4, 0]);
  });
});

describe('isolation', () => {
  test('two domains with the same bus addresses reach only their own host pages', () => {
    const { mem, iommu } = twoDomains();
    mem.u8[0x10000] = 0xaa;
    mem.u8[0x20000] = 0xbb;
    expect(iommu.dmaFor(RID_A).read(0, 1)![0]).toBe(0xaa);
    expect(iommu.dmaFor(RID_B).read(0, 1)![0]).toBe(0xbb);
    iommu.dmaFor(RID_B).write(0x10, bytes(0xcc));
    expect([mem.u8[0x10010], mem.u8[0x20010]]).toEqual([0, 0xcc]);
  });

  test("no bus address of one requester reaches the other domain's host pages or the tables", () => {
    const { mem, iommu } = twoDomains();
    const before = mem.slice(0, mem.size);
    const dma = iommu.dmaFor(RID_A);
    // Try the other domain's host pages and the table region as bus addresses, and just past the domain.
    for (const a of [0x20000, 0x23000, 0xc0000, 0xc1000, 0x4000]) expect(dma.write(a, new Uint8Array(16).fill(0xee))).toBe(false);
    expect(Buffer.from(mem.slice(0, mem.size)).equals(Buffer.from(before))).toBe(true);
    expect(iommu.counters.faultsByReason['no-write']).toBe(5);
  });
});
