// The SR-IOV capability on a PF's configuration space, the firmware placing
// its VF BARs, and VFs added to the bus at run time decoding their slices.

import { describe, expect, test } from 'vitest';
import { ConfigSpace } from '../../../src/devices/pci/config-space.js';
import type { PciFunction, PciFunctionContext } from '../../../src/devices/pci/function.js';
import { addSriovCapability, SRIOV, SRIOV_CONTROL, type SriovCapability } from '../../../src/devices/pci/sriov.js';
import type { BusDevice } from '../../../src/machine/device.js';
import { cfgRead, cfgWrite, pciMachine, ProbeFunction } from './helpers.js';

/** A PF: the probe with an SR-IOV capability of 8 VFs (offset 1, stride 1), VF BAR0 16 KiB per VF, VF BAR2 4 KiB per VF. */
class Pf extends ProbeFunction {
  readonly sriov: SriovCapability;
  constructor(ctx: PciFunctionContext) {
    super('pf', ctx, { bars: [0x20000] });
    this.sriov = addSriovCapability(this.config, { totalVfs: 8, firstVfOffset: 1, vfStride: 1, vfDeviceId: 0x10ca, vfBars: [0x4000, 0, 0x1000] });
  }
}

/** A VF: its BARs are its slices of the PF's VF BARs (the header BARs of a VF read 0). */
class VfConfig extends ConfigSpace {
  constructor(private readonly pf: SriovCapability, private readonly index: number) {
    super({ vendorId: 0x1234, deviceId: pf.vfDeviceId, classCode: 0x020000 });
  }
  override barAddress(n: number): number | undefined { return this.pf.vfBarAddress(n, this.index); }
  override barSize(n: number): number { return this.pf.vfBarSize(n); }
}

class Vf implements PciFunction {
  readonly config: VfConfig;
  private readonly regs: BusDevice;
  constructor(readonly name: string, pf: SriovCapability, index: number) {
    this.config = new VfConfig(pf, index);
    this.regs = { read: (off) => 0x1000 * (index + 1) + off, write: () => {} };
  }
  bar(n: number): BusDevice | undefined { return n === 0 ? this.regs : undefined; }
  reset(): void {}
  save(): unknown { return null; }
  restore(): void {}
}

function setup() {
  let pf!: Pf;
  const env = pciMachine([]);
  env.bus.add({ device: 4, make: (ctx) => (pf = new Pf(ctx)) });
  env.machine.reset(0); // firmware, now that the PF is there
  return { ...env, pf, m: env.machine, cap: pf.sriov.offset };
}

describe('SR-IOV', () => {
  test('the capability at 0x100: read-only counts and IDs, writable NumVFs and control bits', () => {
    const { m, cap } = setup();
    expect(cap).toBe(0x100);
    expect(cfgRead(m, 4, 0, 0x100)).toBe(0x0001_0010);
    expect(cfgRead(m, 4, 0, cap + SRIOV.INITIAL_VFS)).toBe(0x0008_0008); // InitialVFs, TotalVFs
    expect(cfgRead(m, 4, 0, cap + SRIOV.FIRST_VF_OFFSET)).toBe(0x0001_0001); // offset, stride
    expect(cfgRead(m, 4, 0, cap + 0x18) >>> 16).toBe(0x10ca);
    cfgWrite(m, 4, 0, cap + SRIOV.INITIAL_VFS, 0xffffffff);
    expect(cfgRead(m, 4, 0, cap + SRIOV.INITIAL_VFS)).toBe(0x0008_0008);
    cfgWrite(m, 4, 0, cap + SRIOV.NUM_VFS, 0xffffffff);
    expect(cfgRead(m, 4, 0, cap + SRIOV.NUM_VFS) & 0xffff).toBe(0xffff);
    cfgWrite(m, 4, 0, cap + SRIOV.CONTROL, 0xffffffff);
    expect(cfgRead(m, 4, 0, cap + SRIOV.CONTROL) & 0xffff).toBe(SRIOV_CONTROL.VF_ENABLE | SRIOV_CONTROL.VF_MSE);
  });

  test('firmware places the VF BARs after the PF\'s own, each TotalVFs slices aligned to one; sizing reads back one slice', () => {
    const { m, cap } = setup();
    expect(cfgRead(m, 4, 0, 0x10)).toBe(0xe000_0000); // PF BAR0, 128 KiB
    expect(cfgRead(m, 4, 0, cap + SRIOV.VF_BAR0)).toBe(0xe002_0000); // 8 x 16 KiB
    expect(cfgRead(m, 4, 0, cap + SRIOV.VF_BAR0 + 4)).toBe(0);
    expect(cfgRead(m, 4, 0, cap + SRIOV.VF_BAR0 + 8)).toBe(0xe004_0000); // 8 x 4 KiB
    cfgWrite(m, 4, 0, cap + SRIOV.VF_BAR0, 0xffffffff);
    expect(cfgRead(m, 4, 0, cap + SRIOV.VF_BAR0)).toBe(0xffff_c000);
    cfgWrite(m, 4, 0, cap + SRIOV.VF_BAR0, 0xe002_0000);
  });

  test('enabled VFs added at run time decode their slices; disabling takes the slices away', () => {
    const { m, bus, pf, cap } = setup();
    expect(pf.sriov.vfBarAddress(0, 0)).toBeUndefined();
    cfgWrite(m, 4, 0, cap + SRIOV.NUM_VFS, 3);
    cfgWrite(m, 4, 0, cap + SRIOV.CONTROL, SRIOV_CONTROL.VF_ENABLE | SRIOV_CONTROL.VF_MSE);
    expect(pf.sriov.enabledVfs).toBe(3);
    for (let i = 0; i < pf.sriov.enabledVfs; i++) {
      const rid = pf.sriov.vfRoutingId(4 << 3, i);
      bus.add({ device: rid >>> 3, function: rid & 7, make: () => new Vf(`vf${i}`, pf.sriov, i) });
    }
    expect(cfgRead(m, 4, 3, 0)).toBe(0x10ca_1234); // VF 2 at 00:04.3
    expect((cfgRead(m, 4, 0, 0x0c) >>> 16) & 0x80).toBe(0x80);
    expect(m.mmioRead(0xe002_0000 + 0x4000 * 2 + 8, 4)).toBe(0x3008);
    expect(m.mmioRead(0xe002_0000 + 0x4000 * 3, 4)).toBe(0xffffffff); // VF 3 not enabled
    expect(m.mmioRead(0xe000_0004, 4)).toBe(0); // the PF's own BAR still answers
    cfgWrite(m, 4, 0, cap + SRIOV.CONTROL, SRIOV_CONTROL.VF_ENABLE);
    expect(m.mmioRead(0xe002_0000 + 8, 4)).toBe(0xffffffff); // VF MSE off
    expect(() => addSriovCapability(pf.config, { totalVfs: 0, firstVfOffset: 1, vfStride: 1, vfDeviceId: 0, vfBars: [] })).toThrow(/TotalVFs 0/);
  });
});
