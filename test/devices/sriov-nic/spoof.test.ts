// Anti-spoofing in the embedded switch: a VF's frame with another source MAC,
// or tagged with a VLAN it may not use, is dropped, counted per VF, and
// reported to the PF (WVBR, ICR.MDD, an event); the PF's own frames are exempt.

import { expect, test } from 'vitest';
import { PF_INT, PF_REG, VF_BLOCK, VF_CTL } from '../../../src/devices/sriov-nic/registers.js';
import { frame, nicMachine, PF_MAC, vfMacBytes } from './helpers.js';

const WIRE_HOST = [2, 0, 0, 0, 0x99, 1];

function setup() {
  const env = nicMachine({ mac: PF_MAC }, 4 << 20); // room for VF 35's rings
  env.enable(40);
  const d = [0, 1, 35].map((i) => env.vf(i));
  for (const v of d) {
    v.setupTx();
    v.setupRx();
  }
  env.pfWr(PF_REG.IMS, PF_INT.MDD);
  return { env, d };
}

test('a spoofed source MAC: dropped, counted on its VF, WVBR bit and ICR.MDD for the PF, an event; the other VFs unaffected', () => {
  const { env, d } = setup();
  const spoofed = frame(vfMacBytes(1), vfMacBytes(1), 46); // VF 35 pretends to be VF 1
  d[2]!.send(spoofed);
  expect(d[1]!.received()).toEqual([]);
  expect(env.wire).toEqual([]);
  expect(env.nic.vfCounters(35)).toMatchObject({ spoofMac: 1, spoofVlan: 0, txFrames: 0 });
  expect(env.events).toContainEqual({ kind: 'spoof', vf: 35, what: 'mac', src: '02:00:00:00:20:01' });
  expect(env.frames.at(-1)).toMatchObject({ kind: 'drop', reason: 'spoof', where: 'sriov-nic.vf35' });
  expect(env.machine.irqPending).not.toBe(0); // the PF's line
  expect(env.pfRd(PF_REG.WVBR)).toBe(0);
  expect(env.pfRd(PF_REG.WVBR + 4)).toBe(1 << 3); // VF 35
  expect(env.pfRd(PF_REG.SPOOFCNT)).toBe(1);
  expect(env.pfRd(PF_REG.VF_BLOCK + 35 * VF_BLOCK.SIZE + VF_BLOCK.SPOOFC)).toBe(1);
  expect(env.pfRd(PF_REG.ICR) & PF_INT.MDD).toBe(PF_INT.MDD);
  expect(env.machine.irqPending).toBe(0);
  env.pfWr(PF_REG.WVBR + 4, 1 << 3); // write 1 to clear
  expect(env.pfRd(PF_REG.WVBR + 4)).toBe(0);
  // VF 0 still talks to VF 1.
  const ok = frame(vfMacBytes(1), vfMacBytes(0));
  d[0]!.send(ok);
  expect(d[1]!.received()).toEqual([ok]);
  expect(env.nic.takeSpoofEvents()).toEqual([]);
});

test('a VLAN the VF may not use: dropped as a VLAN spoof; with a port VLAN any tag but its own is one', () => {
  const { env, d } = setup();
  d[0]!.send(frame(WIRE_HOST, vfMacBytes(0), 46, 0, 7));
  expect(env.nic.vfCounters(0)).toMatchObject({ spoofVlan: 1, spoofMac: 0 });
  expect(env.events).toContainEqual({ kind: 'spoof', vf: 0, what: 'vlan', src: '02:00:00:00:20:00', vlan: 7 });
  env.nic.addVfVlan(0, 7);
  d[0]!.send(frame(WIRE_HOST, vfMacBytes(0), 46, 0, 7));
  expect(env.wire).toHaveLength(1);
  env.nic.setVfPortVlan(1, 10);
  d[1]!.send(frame(WIRE_HOST, vfMacBytes(1), 46, 0, 11));
  d[1]!.send(frame(WIRE_HOST, vfMacBytes(1), 46, 0, 10));
  expect(env.nic.vfCounters(1).spoofVlan).toBe(1);
  expect(env.wire).toHaveLength(2);
  expect(env.nic.takeSpoofEvents()).toEqual([0, 1]);
  expect(env.nic.takeSpoofEvents()).toEqual([]);
});

test('spoof checking off (the PF driver\'s choice, through the VF block): the frame goes; a VF without a MAC can send nothing while checked', () => {
  const { env, d } = setup();
  const ctl = PF_REG.VF_BLOCK + 35 * VF_BLOCK.SIZE + VF_BLOCK.CTL;
  expect(env.pfRd(ctl) & (VF_CTL.MAC_ANTISPOOF | VF_CTL.VLAN_ANTISPOOF)).toBe(VF_CTL.MAC_ANTISPOOF | VF_CTL.VLAN_ANTISPOOF);
  env.pfWr(ctl, VF_CTL.BAM);
  d[2]!.send(frame(WIRE_HOST, [2, 0, 0, 0, 0x55, 0x55], 46, 0, 99));
  expect(env.wire).toHaveLength(1);
  expect(env.nic.vfCounters(35).spoofMac + env.nic.vfCounters(35).spoofVlan).toBe(0);
  env.nic.setVfMac(0, undefined);
  d[0]!.send(frame(WIRE_HOST, vfMacBytes(0)));
  expect(env.nic.vfCounters(0).spoofMac).toBe(1);
});

test('the PF is exempt: it may send with any source MAC and VLAN', () => {
  const { env, d } = setup();
  const f = frame(vfMacBytes(1), [2, 0, 0, 0, 0x33, 0x33]);
  env.nic.pfPort.receive(f);
  expect(d[1]!.received()).toEqual([f]);
  env.nic.pfPort.receive(frame(WIRE_HOST, [2, 0, 0, 0, 0x33, 0x33], 46, 0, 300));
  expect(env.wire).toHaveLength(1);
  expect(env.pfRd(PF_REG.SPOOFCNT)).toBe(0);
  expect(env.events.some((e) => e.kind === 'spoof')).toBe(false);
});
