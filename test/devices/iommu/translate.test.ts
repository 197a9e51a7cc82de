// DMA through a domain: mapped pages reach their host pages, anything else is
// refused with a fault record (requester, address, reason, read/write).

import { describe, expect, test } from 'vitest';
import { FAULT } from '../../../src/devices/iommu/format.js';
import { RID_A, RID_B, RID_OTHER_BUS, bytes, fill, setup } from './helpers.js';

/** Domain 1: iova 0x0000-0x1fff -> host 0x40000, iova 0x5000 -> host 0x7000 read-only. */
function oneDomain() {
  const s = setup();
  s.driver.enable();
  s.driver.buildDomain(1, [
    { iova: 0, hpa: 0x40000, length: 0x2000 },
    { iova: 0x5000, hpa: 0x7000, length: 0x1000, write: false },
  ]);
  s.driver.attach(RID_A, 1);
  return s;
}

describe('translated DMA', () => {
  test('reads and writes reach the mapped host pages, across a page boundary', () => {
    const { mem, iommu } = oneDomain();
    const dma = iommu.dmaFor(RID_A);
    fill(mem, 0x40ffe, 4, 0xab);
    expect([...dma.read(0xffe, 4)!]).toEqual([0xab, 0xab, 0xab, 0xab]);
    expect(dma.write(0x1ffe, bytes(1, 2))).toBe(true);
    expect([...mem.slice(0x41ffe, 2)]).toEqual([1, 2]);
    // Nothing at the untranslated address (bus address 0x1ffe is not host 0x1ffe).
    expect([...mem.slice(0x1ffe, 2)]).toEqual([0, 0]);
    expect(iommu.counters.faults).toBe(0);
    expect(iommu.counters.translations).toBeGreaterThanOrEqual(3);
    expect(iommu.faults()).toEqual([]);
  });

  test('an access outside the domain is refused, the fault recorded with requester, address and reason, and counted', () => {
    const { mem, iommu, events } = oneDomain();
    const dma = iommu.dmaFor(RID_A);
    expect(dma.read(0x3000, 4)).toBeUndefined();
    // A write that starts mapped and runs into an unmapped page writes nothing at all.
    expect(dma.write(0x1ff0, new Uint8Array(0x20).fill(9))).toBe(false);
    expect([...mem.slice(0x41ff0, 0x10)].every((b) => b === 0)).toBe(true);
    expect(iommu.faults()).toEqual([
      { requester: RID_A, addr: 0x3000, code: FAULT.NO_READ, reason: 'no-read', access: 'read' },
      { requester: RID_A, addr: 0x2000, code: FAULT.NO_WRITE, reason: 'no-write', access: 'write' },
    ]);
    expect(iommu.counters.faults).toBe(2);
    expect(iommu.counters.faultsByReason['no-read']).toBe(1);
    expect(iommu.counters.faultsByReason['no-write']).toBe(1);
    expect(events.filter((e) => e.kind === 'fault').map((e) => e.kind === 'fault' && [e.requester, e.domain, e.addr, e.reason, e.recorded]))
      .toEqual([[RID_A, 1, 0x3000, 'no-read', true], [RID_A, 1, 0x2000, 'no-write', true]]);
  });

  test('a write to a read-only mapping faults; reading it works', () => {
    const { mem, iommu } = oneDomain();
    const dma = iommu.dmaFor(RID_A);
    mem.u8[0x7010] = 0x5a;
    expect(dma.read(0x5010, 1)![0]).toBe(0x5a);
    expect(dma.write(0x5010, bytes(1))).toBe(false);
    expect(mem.u8[0x7010]).toBe(0x5a);
    expect(iommu.faults()).toEqual([{ requester: RID_A, addr: 0x5010, code: FAULT.NO_WRITE, reason: 'no-write', access: 'write' }]);
  });

  test('requesters without a context, on a bus without a root entry, or with a reserved translation type fault by that reason', () => {
    const { iommu, mem, driver } = oneDomain();
    expect(iommu.dmaFor(RID_B).read(0, 4)).toBeUndefined();
    expect(iommu.dmaFor(RID_OTHER_BUS).write(0, bytes(1))).toBe(false);
    // Corrupt A's context entry: translation type 1 is reserved.
    const ctxTable = (mem.read32(driver.save().rootTable) & ~0xfff) >>> 0;
    mem.write32(ctxTable + RID_A * 8, mem.read32(ctxTable + RID_A * 8) | (1 << 2));
    expect(iommu.dmaFor(RID_A).read(0, 4)).toBeUndefined();
    expect(iommu.faults().map((f) => [f.requester, f.reason, f.access])).toEqual([
      [RID_B, 'context-not-present', 'read'],
      [RID_OTHER_BUS, 'root-not-present', 'write'],
      [RID_A, 'context-invalid', 'read'],
    ]);
  });

  test('a length past 4 GiB faults (address beyond); a length that is not a byte count is refused without a fault', () => {
    const { iommu } = oneDomain();
    const dma = iommu.dmaFor(RID_A);
    expect(dma.read(0xffff_fff0, 0x20)).toBeUndefined();
    expect(dma.read(0, -1)).toBeUndefined();
    expect(dma.read(0, 1.5)).toBeUndefined();
    expect(iommu.faults().map((f) => f.reason)).toEqual(['address-beyond']);
  });

  test('detach: the requester faults from its next access', () => {
    const { iommu, driver } = oneDomain();
    expect(iommu.dmaFor(RID_A).read(0, 4)).toBeDefined();
    driver.detach(RID_A);
    expect(iommu.dmaFor(RID_A).read(0, 4)).toBeUndefined();
    expect(iommu.faults()[0]!.reason).toBe('context-not-present');
  });
});

describe('untranslated DMA', () => {
  test('with translation off (as at reset) DMA passes to the same host address, counted', () => {
    const { mem, iommu, driver } = setup();
    const dma = iommu.dmaFor(RID_A);
    expect(dma.write(0x3000, bytes(7))).toBe(true);
    expect(mem.u8[0x3000]).toBe(7);
    expect(iommu.counters.passthrough).toBe(1);
    expect(dma.read(0xffff_fff0, 0x20)).toBeUndefined(); // refused, but no fault: nothing is translated
    expect(iommu.counters.faults).toBe(0);
    // Enabled, a domain; disabled again: untranslated again.
    driver.enable();
    driver.buildDomain(1, [{ iova: 0x3000, hpa: 0x50000, length: 0x1000 }]);
    driver.attach(RID_A, 1);
    expect(dma.write(0x3000, bytes(8))).toBe(true);
    expect(mem.u8[0x50000]).toBe(8);
    driver.disable();
    expect(dma.write(0x3000, bytes(9))).toBe(true);
    expect([mem.u8[0x3000], mem.u8[0x50000]]).toEqual([9, 8]);
  });

  test('a pass-through context reaches host memory untranslated while others are translated', () => {
    const { mem, iommu, driver } = oneDomain();
    driver.attachPassthrough(RID_B);
    expect(iommu.dmaFor(RID_B).write(0x3000, bytes(4))).toBe(true);
    expect(mem.u8[0x3000]).toBe(4);
    expect(iommu.dmaFor(RID_A).write(0x3000, bytes(4))).toBe(false);
    expect(iommu.probe(RID_B, 0x3000)).toEqual({ kind: 'passthrough', hpa: 0x3000, domain: 0 });
  });

  test('translation on with no root table set: every request faults (root table error), nothing reaches memory', () => {
    const { mem, iommu } = setup();
    iommu.writeRegister(0x018, 1 << 31); // GCMD.TE without SRTP
    expect(iommu.dmaFor(RID_A).write(0, bytes(1))).toBe(false);
    expect(mem.u8[0]).toBe(0);
    expect(iommu.faults()[0]!.reason).toBe('root-table-error');
  });
});

describe('probe and events', () => {
  test('probe tells the translation and permissions without touching the IOTLB, counters or fault log', () => {
    const { iommu } = oneDomain();
    expect(iommu.probe(RID_A, 0x1234)).toEqual({ kind: 'translated', hpa: 0x41234, domain: 1, read: true, write: true });
    expect(iommu.probe(RID_A, 0x5000)).toEqual({ kind: 'translated', hpa: 0x7000, domain: 1, read: true, write: false });
    expect(iommu.probe(RID_A, 0x9000)).toMatchObject({ kind: 'fault', reason: 'no-read', domain: 1 });
    expect(iommu.probe(RID_B, 0)).toMatchObject({ kind: 'fault', reason: 'context-not-present' });
    expect(iommu.counters.iotlbMisses + iommu.counters.faults).toBe(0);
    expect(iommu.iotlbSize).toBe(0);
    expect(iommu.faults()).toEqual([]);
  });

  test('each page translated is an event with requester, domain, bus and host address, and whether the IOTLB hit', () => {
    const { iommu, events } = oneDomain();
    iommu.dmaFor(RID_A).read(0xff0, 0x20);
    iommu.dmaFor(RID_A).read(0xff0, 1);
    expect(events.filter((e) => e.kind === 'translate')).toEqual([
      { kind: 'translate', requester: RID_A, domain: 1, addr: 0xff0, hpa: 0x40ff0, access: 'read', iotlb: 'miss' },
      { kind: 'translate', requester: RID_A, domain: 1, addr: 0x1000, hpa: 0x41000, access: 'read', iotlb: 'miss' },
      { kind: 'translate', requester: RID_A, domain: 1, addr: 0xff0, hpa: 0x40ff0, access: 'read', iotlb: 'hit' },
    ]);
  });
});
