// The register page as software sees it: identification, the root table and
// translation enable, IOTLB invalidation through IOTLB_REG, the fault ring
// (records, FRI, overflow, F and PFO write-1-to-clear) and the fault event.

import { describe, expect, test } from 'vitest';
import { FECTL, FRCD, FSTS, GSTS, IOMMU_BASE, REG } from '../../../src/devices/iommu/format.js';
import { iommuBoardDevice, type Iommu } from '../../../src/devices/iommu/iommu.js';
import { standardBoard } from '../../../src/machine/board.js';
import { Machine } from '../../../src/machine/index.js';
import { RID_A, RID_B, setup } from './helpers.js';

describe('registers', () => {
  test('identification: version, domain-ID width, fault records and where they and the IOTLB registers are', () => {
    const { iommu } = setup({ faultRecords: 4 });
    expect(iommu.readRegister(REG.VER)).toBe(0x10);
    const cap = iommu.readRegister(REG.CAP);
    expect(cap & 7).toBe(6); // 16-bit domain IDs
    expect(((cap >>> 8) & 0xff) + 1).toBe(4);
    expect(((cap >>> 16) & 0x3ff) * 16).toBe(REG.FRCD);
    const ecap = iommu.readRegister(REG.ECAP);
    expect(ecap & (1 << 6)).not.toBe(0); // pass-through
    expect(((ecap >>> 8) & 0x3ff) * 16 + 12).toBe(REG.IOTLB);
  });

  test('the root table takes effect on SRTP; TE turns translation on and off; GSTS reports both', () => {
    const { iommu } = setup();
    expect(iommu.readRegister(REG.GSTS)).toBe(0);
    iommu.writeRegister(REG.RTADDR, 0xc0123);
    expect(iommu.readRegister(REG.RTADDR)).toBe(0xc0000);
    iommu.writeRegister(REG.GCMD, 1 << 30);
    expect(iommu.readRegister(REG.GSTS) >>> 0).toBe(GSTS.RTPS >>> 0);
    iommu.writeRegister(REG.GCMD, 1 << 31);
    expect(iommu.readRegister(REG.GSTS) >>> 0).toBe((GSTS.RTPS | GSTS.TES) >>> 0);
    expect(iommu.translating).toBe(true);
    iommu.writeRegister(REG.GCMD, 0);
    expect(iommu.translating).toBe(false);
  });

  test('IOTLB_REG: IVT starts an invalidation of the requested granularity, reported in IAIG', () => {
    const { iommu, driver } = setup();
    driver.enable();
    driver.buildDomain(5, [{ iova: 0, hpa: 0x10000, length: 0x2000 }]);
    driver.attach(RID_A, 5);
    iommu.dmaFor(RID_A).read(0, 1);
    iommu.dmaFor(RID_A).read(0x1000, 1);
    iommu.writeRegister(REG.IOTLB, (1 << 31) | (2 << 28) | 4); // domain 4: not ours
    expect(iommu.iotlbSize).toBe(2);
    expect((iommu.readRegister(REG.IOTLB) >>> 25) & 3).toBe(2);
    iommu.writeRegister(REG.IVA, 0x1000);
    iommu.writeRegister(REG.IOTLB, (1 << 31) | (3 << 28) | 5); // page 0x1000 of domain 5
    expect(iommu.iotlbSize).toBe(1);
    iommu.writeRegister(REG.IOTLB, (1 << 31) | (1 << 28)); // global
    expect(iommu.iotlbSize).toBe(0);
    expect(iommu.readRegister(REG.IOTLB) >>> 31).toBe(0); // IVT clear: done
  });

  test('reachable as MMIO at 0xFED90000 on a machine', () => {
    const m = new Machine({ memorySize: 1 << 20, devices: [...standardBoard(), iommuBoardDevice()] });
    const iommu = m.devices.find((d) => d.name === 'iommu') as Iommu;
    expect(m.mmioRead(IOMMU_BASE + REG.VER, 4)).toBe(0x10);
    m.mmioWrite(IOMMU_BASE + REG.RTADDR, 4, 0x8000);
    expect(iommu.readRegister(REG.RTADDR)).toBe(0x8000);
    expect(m.mmioRead(IOMMU_BASE + REG.RTADDR + 1, 1)).toBe(0); // only aligned dwords
  });
});

describe('fault recording', () => {
  /** A translating IOMMU with `n` records and an empty root table: every access faults. */
  function faulting(n: number) {
    const s = setup({ faultRecords: n });
    s.driver.enable();
    return s;
  }

  test('each fault fills the record at FRI and advances it; the registers hold requester, address, reason and type', () => {
    const { iommu } = faulting(4);
    iommu.dmaFor(RID_A).read(0x1234, 4);
    iommu.dmaFor(RID_B).write(0x5678, new Uint8Array(1));
    expect((iommu.readRegister(REG.FSTS) >>> FSTS.FRI_SHIFT) & 0xff).toBe(2);
    expect(iommu.readRegister(REG.FSTS) & FSTS.PPF).not.toBe(0);
    expect(iommu.readRegister(REG.FRCD)).toBe(0x1234);
    expect(iommu.readRegister(REG.FRCD + 8)).toBe(RID_A);
    expect(iommu.readRegister(REG.FRCD + 12) >>> 0).toBe((FRCD.F | FRCD.T | 1) >>> 0); // read, root entry not present (bus 0 has no context table yet)
    expect(iommu.readRegister(REG.FRCD + 16)).toBe(0x5678);
    expect(iommu.readRegister(REG.FRCD + 16 + 8)).toBe(RID_B);
    expect(iommu.readRegister(REG.FRCD + 16 + 12) >>> 0).toBe((FRCD.F | 1) >>> 0); // write
  });

  test('a full ring overflows (PFO): later faults are counted but lost until software frees records', () => {
    const { iommu, driver, events } = faulting(2);
    for (const a of [0x1000, 0x2000, 0x3000]) iommu.dmaFor(RID_A).read(a, 1);
    expect(iommu.readRegister(REG.FSTS) & FSTS.PFO).toBe(FSTS.PFO);
    expect(iommu.counters.faults).toBe(3);
    expect(iommu.counters.faultsLost).toBe(1);
    expect(events.filter((e) => e.kind === 'fault').map((e) => e.kind === 'fault' && e.recorded)).toEqual([true, true, false]);
    // The driver's handler reads both, frees them and clears PFO; recording resumes at FRI.
    expect(driver.serviceFaults().map((f) => f.addr)).toEqual([0x1000, 0x2000]);
    expect(iommu.readRegister(REG.FSTS) & (FSTS.PFO | FSTS.PPF)).toBe(0);
    iommu.dmaFor(RID_A).read(0x4000, 1);
    expect(iommu.faults().map((f) => f.addr)).toEqual([0x4000]);
  });

  test('records are freed one by one by writing 1 to F', () => {
    const { iommu } = faulting(2);
    iommu.dmaFor(RID_A).read(0x1000, 1);
    iommu.writeRegister(REG.FRCD + 12, 0); // writing 0 frees nothing
    expect(iommu.faults()).toHaveLength(1);
    iommu.writeRegister(REG.FRCD + 12, FRCD.F);
    expect(iommu.faults()).toHaveLength(0);
    expect(iommu.readRegister(REG.FRCD + 12)).toBe(0);
  });

  test('the fault event: masked at reset; unmasked, line FEDATA is high while a fault is pending', () => {
    const { iommu, driver, lines } = faulting(4);
    expect(iommu.readRegister(REG.FECTL) >>> 0).toBe(FECTL.IM >>> 0);
    iommu.dmaFor(RID_A).read(0, 1);
    expect(iommu.readRegister(REG.FECTL) & FECTL.IP).toBe(FECTL.IP);
    expect(lines.size).toBe(0); // masked
    driver.enableFaultEvents(9);
    expect(lines.get(9)).toBe(true);
    expect(driver.faultPending()).toBe(true);
    driver.serviceFaults();
    expect(lines.get(9)).toBe(false);
    expect(driver.faultPending()).toBe(false);
    // Moving the event to another line while pending moves the level.
    iommu.dmaFor(RID_A).read(0, 1);
    iommu.writeRegister(REG.FEDATA, 11);
    expect([lines.get(9), lines.get(11)]).toEqual([false, true]);
    iommu.clearFaults();
    expect(lines.get(11)).toBe(false);
  });
});
