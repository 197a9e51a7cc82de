// The PF and its VFs as enumeration finds them: the SR-IOV capability, VFs
// appearing on the bus at their routing IDs when enabled and going when
// disabled or reset, each VF's configuration space and BAR slice.

import { describe, expect, test } from 'vitest';
import { ConfigSpace, PCI } from '../../../src/devices/pci/config-space.js';
import { findExtendedCapability } from '../../../src/devices/pci/firmware.js';
import { SRIOV, SRIOV_CONTROL } from '../../../src/devices/pci/sriov.js';
import { CAP_PCIE, DEVCAP_FLR, PCIE } from '../../../src/devices/sriov-nic/vf-config.js';
import { PF_REG, STATUS_LU, VF_BAR_SIZE, VF_INT, VF_MSIX, VF_MSIX_BAR, VF_MSIX_BAR_SIZE, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import { MSIX_ADDRESS, MSIX_VECTOR_MASKED } from '../../../src/devices/pci/msix.js';
import { cfgRead, cfgWrite } from '../pci/helpers.js';
import { nicMachine, PF_DEVICE } from './helpers.js';

/** Walk a function's capability list from 0x34 through configuration cycles; the IDs found. */
function capabilityIds(env: ReturnType<typeof nicMachine>, device: number, func: number): number[] {
  const ids: number[] = [];
  let p = cfgRead(env.machine, device, func, PCI.CAPABILITIES) & 0xfc;
  for (let guard = 0; p !== 0 && guard < 48; guard++) {
    const h = cfgRead(env.machine, device, func, p);
    ids.push(h & 0xff);
    p = (h >>> 8) & 0xfc;
  }
  return ids;
}

describe('the PF', () => {
  test('8086:10c9, Ethernet, a 128 KiB BAR0; SR-IOV at 0x100: TotalVFs 64, offset 8, stride 1, VF device 10ca, VF BAR0 64 slices of 16 KiB', () => {
    const env = nicMachine();
    const m = env.machine;
    expect(cfgRead(m, PF_DEVICE, 0, 0)).toBe(0x10c9_8086);
    expect(cfgRead(m, PF_DEVICE, 0, 8) >>> 8).toBe(0x020000);
    expect(cfgRead(m, PF_DEVICE, 0, 0x10)).toBe(0xe000_0000);
    const cap = findExtendedCapability(env.bus, PF_DEVICE, 0, 0x10);
    expect(cap).toBe(0x100);
    expect(cfgRead(m, PF_DEVICE, 0, cap + SRIOV.INITIAL_VFS) >>> 16).toBe(64);
    expect(cfgRead(m, PF_DEVICE, 0, cap + SRIOV.FIRST_VF_OFFSET)).toBe(0x0001_0008);
    expect(cfgRead(m, PF_DEVICE, 0, cap + 0x18) >>> 16).toBe(0x10ca);
    expect(cfgRead(m, PF_DEVICE, 0, cap + SRIOV.VF_BAR0)).toBe(0xe002_0000);
    cfgWrite(m, PF_DEVICE, 0, cap + SRIOV.VF_BAR0, 0xffffffff);
    expect(cfgRead(m, PF_DEVICE, 0, cap + SRIOV.VF_BAR0)).toBe(0xffff_c000);
    cfgWrite(m, PF_DEVICE, 0, cap + SRIOV.VF_BAR0, 0xe002_0000);
    expect(env.pfRd(PF_REG.STATUS)).toBe(STATUS_LU);
    expect(env.pfRd(PF_REG.RAL)).toBe(0x0000_0002);
    expect(env.pfRd(PF_REG.RAH)).toBe(0x8000_0010);
    expect(env.bus.functions()).toHaveLength(1);
  });
});

describe('VF Enable', () => {
  test('enumerated through mechanism #1: VFs at PF + 8 + i, vendor/device 0xffff, class 020000, no header BARs, MSI-X and PCIe (FLR) capabilities', () => {
    const env = nicMachine();
    const m = env.machine;
    env.enable(4);
    expect(env.nic.vfCount).toBe(4);
    expect(env.events).toContainEqual({ kind: 'vfs', count: 4 });
    // Software finds VFs from the PF's capability, not by scanning for a vendor ID.
    const cap = env.cap;
    const num = cfgRead(m, PF_DEVICE, 0, cap + SRIOV.NUM_VFS) & 0xffff;
    const offset = cfgRead(m, PF_DEVICE, 0, cap + SRIOV.FIRST_VF_OFFSET) & 0xffff;
    const stride = cfgRead(m, PF_DEVICE, 0, cap + SRIOV.FIRST_VF_OFFSET) >>> 16;
    const pfRid = PF_DEVICE << 3;
    const found: string[] = [];
    for (let i = 0; i < num; i++) {
      const rid = pfRid + offset + i * stride;
      const dev = rid >>> 3;
      const fn = rid & 7;
      expect(cfgRead(m, dev, fn, 0)).toBe(0xffff_ffff);
      expect(cfgRead(m, dev, fn, 8) >>> 8).toBe(0x020000);
      for (let b = 0; b < 6; b++) expect(cfgRead(m, dev, fn, 0x10 + 4 * b)).toBe(0);
      expect(capabilityIds(env, dev, fn)).toEqual([CAP_PCIE, 0x11]);
      expect(cfgRead(m, dev, fn, 0x3c) & 0xffff).toBe(0x00ff); // no INTx
      found.push(`${dev}.${fn}`);
    }
    expect(found).toEqual(['9.0', '9.1', '9.2', '9.3']);
    expect(cfgRead(m, 9, 4, 8)).toBe(0xffff_ffff); // VF 4 does not exist
    expect((cfgRead(m, 9, 0, 0x0c) >>> 16) & 0x80).toBe(0x80); // device 9 is multi-function
    const pcie = capabilityIds(env, 9, 0).indexOf(CAP_PCIE) === 0 ? cfgRead(m, 9, 0, PCI.CAPABILITIES) & 0xfc : 0;
    expect(cfgRead(m, 9, 0, pcie + PCIE.DEVICE_CAPABILITIES) & DEVCAP_FLR).toBe(DEVCAP_FLR);
  });

  test('VF BARs decode at distinct addresses: VF i at VF BAR0 + i x 16 KiB; each VF\'s registers are its own', () => {
    const env = nicMachine();
    env.enable(3);
    const base = 0xe002_0000;
    const addrs = [0, 1, 2].map((i) => env.nic.vf(i)!.config.barAddress(0));
    expect(addrs).toEqual([base, base + 0x4000, base + 0x8000]);
    const m = env.machine;
    for (let i = 0; i < 3; i++) m.mmioWrite(base + 0x4000 * i + VF_REG.RDLEN, 4, 0x80 * (i + 1));
    for (let i = 0; i < 3; i++) {
      expect(m.mmioRead(base + 0x4000 * i + VF_REG.RDLEN, 4)).toBe(0x80 * (i + 1));
      expect(m.mmioRead(base + 0x4000 * i + VF_REG.STATUS, 4)).toBe(STATUS_LU);
    }
    expect(m.mmioRead(base + 0x4000 * 3, 4)).toBe(0xffff_ffff); // VF 3 not enabled
    expect(env.nic.vfCounters(1).regWrites).toBe(1);
    // VF MSE off: VFs stay but their BARs do not decode.
    cfgWrite(m, PF_DEVICE, 0, env.cap + SRIOV.CONTROL, SRIOV_CONTROL.VF_ENABLE);
    expect(env.nic.vfCount).toBe(3);
    expect(m.mmioRead(base + VF_REG.STATUS, 4)).toBe(0xffff_ffff);
  });

  test('MSI-X lives in VF BAR3 (64 slices of 4 KiB after VF BAR0: table at 0, PBA at 0x800), none of it in BAR0\'s data-path pages', () => {
    const env = nicMachine();
    const m = env.machine;
    const bar3 = env.cap + SRIOV.VF_BAR0 + 4 * VF_MSIX_BAR;
    // Firmware placed VF BAR3 after VF BAR0's 64 x 16 KiB; sizing reads one slice, 4 KiB.
    expect(cfgRead(m, PF_DEVICE, 0, bar3)).toBe(0xe012_0000);
    cfgWrite(m, PF_DEVICE, 0, bar3, 0xffffffff);
    expect(cfgRead(m, PF_DEVICE, 0, bar3)).toBe(0xffff_f000);
    cfgWrite(m, PF_DEVICE, 0, bar3, 0xe012_0000);
    for (const n of [1, 2, 4, 5]) expect(cfgRead(m, PF_DEVICE, 0, env.cap + SRIOV.VF_BAR0 + 4 * n)).toBe(0);
    env.enable(2);
    const vf = env.nic.vf(1)!;
    expect(vf.config.barAddress(3)).toBe(0xe012_1000);
    expect(vf.config.barSize(3)).toBe(VF_MSIX_BAR_SIZE);
    // The capability, as a driver reads it: 3 vectors, table BIR 3 offset 0, PBA BIR 3 offset 0x800.
    const cap = vf.msix.capability;
    expect((cfgRead(m, 9, 1, cap) >>> 16) & 0x7ff).toBe(2);
    expect(cfgRead(m, 9, 1, cap + 4)).toBe(VF_MSIX.TABLE | VF_MSIX_BAR);
    expect(cfgRead(m, 9, 1, cap + 8)).toBe(VF_MSIX.PBA | VF_MSIX_BAR);
    // An entry programmed through BAR3 routes the VF's mailbox vector (2) to its line.
    const d = env.vf(1);
    cfgWrite(m, 9, 1, cap, 0x8000_0000);
    d.msixWr(VF_MSIX.TABLE + 32, MSIX_ADDRESS);
    d.msixWr(VF_MSIX.TABLE + 40, 9);
    d.msixWr(VF_MSIX.TABLE + 44, 0);
    expect(d.msixRd(VF_MSIX.TABLE + 40)).toBe(9);
    expect(m.mmioRead(0xe012_0000 + VF_MSIX.TABLE + 40, 4)).toBe(0); // VF 0's table is its own
    d.wr(VF_REG.EIMS, VF_INT.MAILBOX);
    env.nic.mailbox.reply(1, [0x100]);
    expect(m.irqPending).toBe(1 << 9);
    // Masked, the vector shows pending in the PBA.
    d.msixWr(VF_MSIX.TABLE + 44, MSIX_VECTOR_MASKED);
    expect(d.msixRd(VF_MSIX.PBA)).toBe(1 << 2);
    // BAR0's four pages hold no MSI-X: nothing there reads the table entry or the pending bit.
    d.msixWr(VF_MSIX.TABLE, MSIX_ADDRESS);
    for (let off = 0; off < VF_BAR_SIZE; off += 0x100) {
      if (Object.values(VF_REG).includes(off as never)) continue;
      expect(d.rd(off)).toBe(0);
    }
  });

  test('64 VFs fill devices 9..16; NumVFs cannot change while enabled', () => {
    const env = nicMachine();
    env.enable(64);
    expect(env.nic.vfCount).toBe(64);
    expect(env.bus.functions()).toHaveLength(65);
    expect(env.slot(63)).toEqual({ device: 16, func: 7 });
    expect(cfgRead(env.machine, 16, 7, 8) >>> 8).toBe(0x020000);
    cfgWrite(env.machine, PF_DEVICE, 0, env.cap + SRIOV.NUM_VFS, 2);
    expect(cfgRead(env.machine, PF_DEVICE, 0, env.cap + SRIOV.NUM_VFS) & 0xffff).toBe(64);
    expect(env.nic.vfCount).toBe(64);
  });

  test('more VFs than TotalVFs gives TotalVFs; a slot taken by another function stops the VFs there', () => {
    const env = nicMachine();
    const config = new ConfigSpace({ vendorId: 0x1234, deviceId: 1, classCode: 0 });
    env.bus.add({ device: 9, function: 2, make: () => ({ name: 'other', config, bar: () => undefined, reset() {}, save: () => null, restore() {} }) });
    env.enable(5);
    expect(env.nic.vfCount).toBe(2);
    env.disable();
    env.bus.remove(9, 2);
    env.enable(100);
    expect(env.nic.vfCount).toBe(64);
  });

  test('VF Enable cleared, or a machine reset, takes the VFs off the bus', () => {
    const env = nicMachine();
    const m = env.machine;
    env.enable(8);
    expect(cfgRead(m, 9, 7, 8) >>> 8).toBe(0x020000);
    env.disable();
    expect(env.nic.vfCount).toBe(0);
    expect(env.bus.functions()).toHaveLength(1);
    expect(cfgRead(m, 9, 0, 8)).toBe(0xffff_ffff);
    expect(m.mmioRead(0xe002_0000, 4)).toBe(0xffff_ffff);
    expect(env.events.filter((e) => e.kind === 'vfs')).toEqual([{ kind: 'vfs', count: 8 }, { kind: 'vfs', count: 0 }]);
    env.enable(2);
    expect(env.nic.vfCount).toBe(2);
    m.reset(0);
    expect(env.nic.vfCount).toBe(0);
    expect(env.bus.functions().map((f) => f.fn.name)).toEqual(['sriov-nic']);
    expect(cfgRead(m, PF_DEVICE, 0, env.cap + SRIOV.CONTROL) & 0xffff).toBe(0);
    expect(cfgRead(m, PF_DEVICE, 0, 0x10)).toBe(0xe000_0000); // firmware ran again
  });
});
