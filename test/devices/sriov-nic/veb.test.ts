// The embedded switch: VF-to-VF frames through the rings, broadcast and
// multicast replicated, unknown unicast out the uplink, frames from the wire
// to their VF, port VLANs and VLAN filters, VFRE/VFTE, and the VF's MSI-X
// vectors on the bus.

import { describe, expect, test } from 'vitest';
import { RX_STA, TX_STA_DD } from '../../../src/devices/e1000/registers.js';
import { MSIX_ADDRESS } from '../../../src/devices/pci/msix.js';
import { VF_INT, VF_MSIX, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import { multicastHash } from '../../../src/devices/sriov-nic/vf-admin.js';
import { BROADCAST, frame, nicMachine, vfMacBytes } from './helpers.js';

const WIRE_HOST = [2, 0, 0, 0, 0x99, 1];

function threeVfs() {
  const env = nicMachine();
  env.enable(3);
  const d = [0, 1, 2].map((i) => env.vf(i));
  for (const v of d) {
    v.setupTx();
    v.setupRx();
  }
  return { env, d };
}

describe('forwarding', () => {
  test('VF 0 to VF 1 by MAC: DMA from VF 0\'s ring into VF 1\'s, nothing on the wire; per-VF counters', () => {
    const { env, d } = threeVfs();
    const f = frame(vfMacBytes(1), vfMacBytes(0), 100, 3);
    d[0]!.send(f);
    expect(d[0]!.u32(d[0]!.txRing + 12) & TX_STA_DD).toBe(TX_STA_DD);
    expect(d[1]!.received()).toEqual([f]);
    expect(d[1]!.rxStatus(0)).toBe(RX_STA.DD | RX_STA.EOP);
    expect(d[2]!.received()).toEqual([]);
    expect(env.wire).toEqual([]);
    expect(env.toPf).toEqual([]);
    env.nic.vf(0)!.notify(1); // the pv kick: nothing more queued
    expect(env.nic.vf(0)!.notify(2)).toBe(false);
    expect(env.nic.vfCounters(0)).toMatchObject({ txFrames: 1, txBytes: 114, rxFrames: 0 });
    expect(env.nic.vfCounters(1)).toMatchObject({ txFrames: 0, rxFrames: 1, rxBytes: 114 });
    expect(d[0]!.rd(VF_REG.GPTC)).toBe(1);
    expect(d[1]!.rd(VF_REG.GPRC)).toBe(1);
    expect(d[1]!.rd(VF_REG.GORC)).toBe(114);
    expect(d[1]!.rd(VF_REG.RDH)).toBe(1);
    expect(env.frames.map((e) => [e.kind, e.where, e.to ?? []])).toEqual([
      ['tx', 'sriov-nic-vf0', []], ['forward', 'sriov-nic.vf0', ['sriov-nic.vf1']], ['rx', 'sriov-nic-vf1', []],
    ]);
  });

  test('broadcast: replicated to every other VF, the PF and the wire; multicast only to VFs whose table has its hash', () => {
    const { env, d } = threeVfs();
    const b = frame(BROADCAST, vfMacBytes(2), 46, 1);
    d[2]!.send(b);
    expect(d[0]!.received()).toEqual([b]);
    expect(d[1]!.received()).toEqual([b]);
    expect(d[2]!.received()).toEqual([]);
    expect(env.toPf).toEqual([b]);
    expect(env.wire).toEqual([b]);
    expect(env.nic.veb.counters.replicated).toBe(1);
    const group = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x42];
    const mc = frame(group, WIRE_HOST);
    env.nic.setVfMulticast(1, [multicastHash(mc)]);
    env.nic.receive(mc);
    expect(d[0]!.received()).toHaveLength(1);
    expect(d[1]!.received()).toEqual([b, mc]);
    expect(env.toPf).toEqual([b, mc]);
    expect(env.wire).toHaveLength(1); // not back out the uplink
    env.nic.setVfMulticastPromiscuous(0, true);
    env.nic.receive(mc);
    expect(d[0]!.received()).toEqual([b, mc]);
  });

  test('unknown unicast goes out the uplink; from the wire, a VF\'s MAC reaches it, the PF\'s MAC the PF, another nothing', () => {
    const { env, d } = threeVfs();
    const out = frame(WIRE_HOST, vfMacBytes(0));
    d[0]!.send(out);
    expect(env.wire).toEqual([out]);
    const inFrame = frame(vfMacBytes(2), WIRE_HOST, 60, 9);
    env.nic.receive(inFrame);
    expect(d[2]!.received()).toEqual([inFrame]);
    const toPf = frame([2, 0, 0, 0, 0x10, 0], WIRE_HOST);
    env.nic.receive(toPf);
    expect(env.toPf).toEqual([toPf]);
    env.nic.receive(frame([2, 0, 0, 0, 0x77, 0x77], WIRE_HOST));
    expect(env.nic.veb.counters.uplink).toMatchObject({ rxFrames: 3, dropped: 1, txFrames: 1 });
    expect(env.frames.at(-1)).toMatchObject({ kind: 'drop', reason: 'no-port' });
    // A PF RAR entry (an emulated NIC the PF fronts) draws its frames to the PF, from the VFs too.
    env.pfWr(0x5400 + 8, 0x0000_0002);
    env.pfWr(0x5404 + 8, 0x8000_7777);
    const fronted = frame([2, 0, 0, 0, 0x77, 0x77], vfMacBytes(1));
    d[1]!.send(fronted);
    expect(env.toPf).toEqual([toPf, fronted]);
    // The PF sends into the switch too, to a VF.
    const fromPf = frame(vfMacBytes(0), [2, 0, 0, 0, 0x10, 0]);
    env.nic.pfPort.receive(fromPf);
    expect(d[0]!.received()).toEqual([fromPf]);
  });

  test('VFTE off drops what the VF sends, VFRE off what comes to it; a full RX ring drops as no-buffer', () => {
    const { env, d } = threeVfs();
    env.nic.setVfQueuesEnabled(0, true, false);
    d[0]!.send(frame(vfMacBytes(1), vfMacBytes(0)));
    expect(d[1]!.received()).toEqual([]);
    expect(env.nic.vfCounters(0).txDropped).toBe(1);
    expect(env.frames.at(-1)).toMatchObject({ kind: 'drop', reason: 'disabled' });
    env.nic.setVfQueuesEnabled(1, false, true);
    env.nic.receive(frame(vfMacBytes(1), WIRE_HOST));
    expect(env.nic.vfCounters(1).rxDropped).toBe(1);
    env.nic.setVfQueuesEnabled(1, true, true);
    for (let i = 0; i < 9; i++) env.nic.receive(frame(vfMacBytes(1), WIRE_HOST, 46, i));
    expect(d[1]!.received()).toHaveLength(7); // 7 of 8 descriptors posted
    expect(env.nic.vfCounters(1)).toMatchObject({ rxFrames: 7, rxDropped: 3 });
    expect(env.frames.at(-1)).toMatchObject({ kind: 'drop', reason: 'no-buffer', where: 'sriov-nic.vf1' });
  });
});

describe('VLANs', () => {
  test('a port VLAN: untagged frames of the VF leave tagged, the VLAN\'s frames arrive untagged, other VLANs never', () => {
    const { env, d } = threeVfs();
    env.nic.setVfPortVlan(0, 10);
    env.nic.setVfPortVlan(1, 10);
    const f = frame(WIRE_HOST, vfMacBytes(0), 50);
    d[0]!.send(f);
    expect(env.wire).toEqual([frame(WIRE_HOST, vfMacBytes(0), 50, 0, 10)]);
    d[0]!.send(frame(BROADCAST, vfMacBytes(0)));
    expect(d[1]!.received()).toEqual([frame(BROADCAST, vfMacBytes(0))]); // same VLAN, untagged
    expect(d[2]!.received()).toEqual([]); // VF 2 is on the untagged network
    env.nic.receive(frame(vfMacBytes(1), WIRE_HOST, 46, 0, 10));
    expect(d[1]!.received()[1]).toEqual(frame(vfMacBytes(1), WIRE_HOST, 46, 0));
    env.nic.receive(frame(vfMacBytes(1), WIRE_HOST, 46, 0, 20));
    env.nic.receive(frame(vfMacBytes(1), WIRE_HOST, 46, 0));
    expect(d[1]!.received()).toHaveLength(2);
  });

  test('a VLAN filter entry: the VF sends and receives that VLAN tagged', () => {
    const { env, d } = threeVfs();
    expect(env.nic.addVfVlan(2, 30)).toBe(true);
    const t = frame(WIRE_HOST, vfMacBytes(2), 46, 0, 30);
    d[2]!.send(t);
    expect(env.wire).toEqual([t]);
    env.nic.receive(frame(vfMacBytes(2), WIRE_HOST, 46, 5, 30));
    expect(d[2]!.received()).toEqual([frame(vfMacBytes(2), WIRE_HOST, 46, 5, 30)]);
    for (const v of [31, 32, 33]) expect(env.nic.addVfVlan(2, v)).toBe(true);
    expect(env.nic.addVfVlan(2, 34)).toBe(false); // 4 entries
  });
});

describe('interrupts', () => {
  test('RX raises the VF\'s vector 0 through its MSI-X entry; reading EICR lowers it; the mailbox cause is vector 2', () => {
    const { env, d } = threeVfs();
    const v = d[1]!;
    // MSI-X: enable in the capability, entry 0 -> line 5, entry 2 -> line 6.
    const msixCap = env.nic.vf(1)!.msix.capability;
    v.cfgWr(msixCap, (v.cfgRd(msixCap) | (0x8000 << 16)) >>> 0);
    for (const [vec, line] of [[0, 5], [2, 6]] as const) {
      v.msixWr(VF_MSIX.TABLE + 16 * vec, MSIX_ADDRESS);
      v.msixWr(VF_MSIX.TABLE + 16 * vec + 8, line);
      v.msixWr(VF_MSIX.TABLE + 16 * vec + 12, 0);
    }
    v.wr(VF_REG.EIMS, VF_INT.RX | VF_INT.MAILBOX);
    expect(env.machine.irqPending).toBe(0);
    env.nic.receive(frame(vfMacBytes(1), WIRE_HOST));
    expect(env.machine.irqPending).toBe(1 << 5);
    expect(v.rd(VF_REG.EICR)).toBe(VF_INT.RX);
    expect(env.machine.irqPending).toBe(0);
    env.nic.mailbox.reply(1, [0x100]);
    expect(env.machine.irqPending).toBe(1 << 6);
    expect(env.nic.vfCounters(1).interruptsRaised).toBe(2);
  });
});
