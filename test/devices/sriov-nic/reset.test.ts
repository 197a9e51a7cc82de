// Function-level reset of one VF (PCIe FLR through its Device Control, or its
// CTRL.RST): queues, pending interrupts, the MSI-X table, its filters and its
// mailbox cleared, VFRE/VFTE off, the PF told (VFLRE, ICR.VMMB, an event);
// the administrator's settings and the other VFs untouched.

import { expect, test } from 'vitest';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import { MSIX_ADDRESS } from '../../../src/devices/pci/msix.js';
import { PF_INT, PF_REG, V2P, VF_CTRL_RST, VF_INT, VF_MSIX, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import { DEVCTL_FLR, PCIE } from '../../../src/devices/sriov-nic/vf-config.js';
import { frame, nicMachine, vfMacBytes } from './helpers.js';

const WIRE_HOST = [2, 0, 0, 0, 0x99, 1];

/** VF 1 in the middle of things: rings, a frame received, an interrupt pending, MSI-X on, a filter, a message posted. */
function busyVf() {
  const env = nicMachine();
  env.enable(2);
  const d = [env.vf(0), env.vf(1)];
  for (const v of d) {
    v.setupTx();
    v.setupRx();
  }
  const v = d[1]!;
  const vf = env.nic.vf(1)!;
  v.cfgWr(vf.msix.capability, 0x8000_0000);
  v.msixWr(VF_MSIX.TABLE, MSIX_ADDRESS);
  v.msixWr(VF_MSIX.TABLE + 8, 7);
  v.msixWr(VF_MSIX.TABLE + 12, 0);
  v.wr(VF_REG.EIMS, VF_INT.RX);
  env.nic.addVfVlan(1, 5);
  env.nic.setVfMulticast(1, [0x123]);
  env.nic.setVfPortVlan(1, 0);
  env.nic.setVfTrust(1, true);
  env.nic.receive(frame(vfMacBytes(1), WIRE_HOST));
  v.post([0x03, 0xabc]); // a message the PF has not read
  expect(env.machine.irqPending).toBe(1 << 7);
  env.pfWr(PF_REG.IMS, PF_INT.VMMB);
  env.pfRd(PF_REG.ICR);
  return { env, d, v, vf };
}

function expectCleared(env: ReturnType<typeof busyVf>['env'], v: ReturnType<typeof busyVf>['v']): void {
  for (const reg of [VF_REG.RDBAL, VF_REG.RDLEN, VF_REG.RDH, VF_REG.RDT, VF_REG.RXDCTL, VF_REG.TDLEN, VF_REG.TXDCTL, VF_REG.EIMS, VF_REG.GPRC]) expect(v.rd(reg)).toBe(0);
  expect(v.rd(VF_REG.EICR)).toBe(0);
  expect(env.machine.irqPending & (1 << 7)).toBe(0);
  expect(v.msixRd(VF_MSIX.TABLE + 8)).toBe(0);
  expect(v.msixRd(VF_MSIX.TABLE + 12)).toBe(1); // masked
  expect(v.rd(VF_REG.VMBMEM + 4)).toBe(0);
  expect(v.rd(VF_REG.V2PMAILBOX)).toBe(V2P.RSTD);
  expect(env.nic.mailbox.pending()).toEqual([]);
  const admin = env.nic.vfAdmin(1);
  expect(admin.vlans.every((x) => x === 0) && admin.mta.every((x) => x === 0)).toBe(true);
  expect(env.nic.vfMac(1)).toBe('02:00:00:00:20:01'); // the administrator's settings stay
  expect(env.nic.vfTrusted(1)).toBe(true);
  expect(env.nic.vfre.has(1) || env.nic.vfte.has(1)).toBe(false);
  expect(env.pfRd(PF_REG.VFLRE)).toBe(1 << 1);
  expect(env.pfRd(PF_REG.ICR) & PF_INT.VMMB).toBe(PF_INT.VMMB);
  expect(env.nic.vfCounters(1)).toMatchObject({ resets: 1, rxFrames: 1 }); // the PF's counters survive
  // Nothing reaches VF 1 until the PF re-enables it; VF 0 is untouched.
  env.nic.receive(frame(vfMacBytes(1), WIRE_HOST));
  expect(env.nic.vfCounters(1).rxDropped).toBe(1);
  expect(env.nic.vfCounters(0).resets).toBe(0);
  env.nic.receive(frame(vfMacBytes(0), WIRE_HOST));
  expect(env.nic.vfCounters(0).rxFrames).toBe(1);
}

test('FLR through the PCIe Device Control: the VF is clean, its configuration space too (MSI-X off, bus mastering off)', () => {
  const { env, v, vf } = busyVf();
  const ctl = vf.config.pcie + PCIE.DEVICE_CONTROL;
  v.cfgWr(ctl, DEVCTL_FLR);
  expect(v.cfgRd(ctl) & DEVCTL_FLR).toBe(0);
  expect(env.events).toContainEqual({ kind: 'vf-reset', vf: 1, cause: 'flr' });
  expectCleared(env, v);
  expect(v.cfgRd(PCI.COMMAND) & COMMAND.BUS_MASTER).toBe(0);
  expect(v.cfgRd(vf.msix.capability) >>> 31).toBe(0);
  expect(env.nic.takeResetEvents()).toEqual([1]);
  expect(env.nic.takeResetEvents()).toEqual([]);
});

test('CTRL.RST of the VF: the same, but its configuration space stays (igbvf resets so)', () => {
  const { env, v, vf } = busyVf();
  v.wr(VF_REG.CTRL, VF_CTRL_RST);
  expect(env.events).toContainEqual({ kind: 'vf-reset', vf: 1, cause: 'ctrl-rst' });
  expectCleared(env, v);
  expect(v.cfgRd(PCI.COMMAND) & COMMAND.BUS_MASTER).toBe(COMMAND.BUS_MASTER);
  expect(v.cfgRd(vf.msix.capability) >>> 31).toBe(1);
});

test('the host side resets a VF (resetVf, as VFIO before reassigning it) and clears its filters (clearVfFilters, on VF_RESET)', () => {
  const { env, v } = busyVf();
  expect(env.nic.resetVf(1)).toBe(true);
  expect(env.events).toContainEqual({ kind: 'vf-reset', vf: 1, cause: 'flr' });
  expectCleared(env, v);
  expect(env.nic.resetVf(5)).toBe(false);
  env.nic.addVfVlan(0, 9);
  env.nic.setVfMulticastPromiscuous(0, true);
  env.nic.clearVfFilters(0);
  const a = env.nic.vfAdmin(0);
  expect(a.vlans.every((x) => x === 0) && (a.ctl & 0x8) === 0).toBe(true);
  expect(env.nic.vfMac(0)).toBe('02:00:00:00:20:00');
});
