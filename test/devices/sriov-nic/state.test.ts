// Snapshots of a machine with the SR-IOV NIC in the middle of traffic: the run
// after a restore repeats the run after the snapshot, whether the VFs were
// still there or had been disabled (the PF's restore puts them back on the bus
// before the bus restores them), and a snapshot without VFs takes them away.

import { expect, test } from 'vitest';
import { MSG, V2P, VF_INT, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import { BROADCAST, fakePfDriver, frame, nicMachine, vfMacBytes } from './helpers.js';

const WIRE_HOST = [2, 0, 0, 0, 0x99, 1];

function traffic() {
  const env = nicMachine();
  env.enable(3);
  const d = [0, 1, 2].map((i) => env.vf(i));
  d.forEach((v, i) => {
    v.setupTx();
    v.setupRx(8, 4);
    v.wr(VF_REG.EIMS, VF_INT.RX);
    if (i === 2) env.nic.setVfPortVlan(2, 10);
  });
  fakePfDriver(env.nic);
  for (let i = 0; i < 3; i++) d[0]!.send(frame(vfMacBytes(1), vfMacBytes(0), 50, i));
  d[1]!.send(frame(vfMacBytes(5), vfMacBytes(0), 46)); // spoofed
  d[2]!.post([MSG.SET_LPE, 1518]); // the PF answers; VF 2 has not fetched the reply
  return { env, d };
}

test('save/restore mid-traffic: the run after a restore repeats the run after the snapshot, VFs still there or disabled meanwhile', () => {
  const { env, d } = traffic();
  const m = env.machine;
  const snap = m.captureState();
  const mem = m.mem.u8.slice();
  const tails = d.map((v) => v.tail);

  const later = () => {
    env.wire.length = 0;
    for (let i = 3; i < 8; i++) d[0]!.send(frame(vfMacBytes(1), vfMacBytes(0), 50 + i, i)); // VF 1 has 4 buffers: 2 of these are dropped
    d[1]!.send(frame(BROADCAST, vfMacBytes(1), 46, 9));
    env.nic.receive(frame(vfMacBytes(2), WIRE_HOST, 46, 0, 10));
    const reply = d[2]!.fetch(1);
    return {
      reply,
      mailbox: d[2]!.rd(VF_REG.V2PMAILBOX),
      eicr: d[1]!.rd(VF_REG.EICR),
      rdh: d.map((v) => v.rd(VF_REG.RDH)),
      counters: [0, 1, 2].map((i) => env.nic.vfCounters(i)),
      veb: structuredClone(env.nic.veb.counters),
      wire: env.wire.map((f) => Array.from(f)),
      mem: m.mem.u8.slice(),
      irq: m.irqPending,
    };
  };
  const first = later();
  expect(first.counters[1]).toMatchObject({ rxFrames: 4, rxDropped: 4, spoofMac: 1 });
  expect(first.reply?.[0]).toBe((MSG.SET_LPE | MSG.NACK | MSG.CTS) >>> 0);
  expect(first.wire).toHaveLength(1);

  for (const disableFirst of [false, true]) {
    if (disableFirst) env.disable();
    m.restoreState(snap);
    m.mem.u8.set(mem);
    d.forEach((v, i) => { v.tail = tails[i]!; });
    expect(env.nic.vfCount).toBe(3);
    expect(env.nic.vf(0)!.config.barAddress(0)).toBe(d[0]!.bar);
    expect(env.nic.vfCounters(1)).toMatchObject({ rxFrames: 3, spoofMac: 1 });
    expect(env.nic.mailbox.pending()).toEqual([]);
    const second = later();
    expect(second.reply).toEqual(first.reply);
    expect(second.mailbox & ~V2P.R2C).toBe(first.mailbox & ~V2P.R2C);
    expect(second.eicr).toBe(first.eicr);
    expect(second.rdh).toEqual(first.rdh);
    expect(second.counters).toEqual(first.counters);
    expect(second.veb).toEqual(first.veb);
    expect(second.wire).toEqual(first.wire);
    expect(second.irq).toBe(first.irq);
    expect(Buffer.compare(second.mem, first.mem)).toBe(0);
  }
});

test('a snapshot taken before VF Enable takes the VFs off the bus when restored', () => {
  const env = nicMachine();
  const snap = env.machine.captureState();
  env.enable(4);
  expect(env.bus.functions()).toHaveLength(5);
  expect(env.nic.save().vfs).toEqual([]); // per-VF state is saved only for VFs away from reset
  env.nic.setVfMac(2, '02:00:00:00:00:22');
  expect(env.nic.save().vfs.map((v) => v.vf)).toEqual([2]);
  env.machine.restoreState(snap);
  expect(env.nic.vfCount).toBe(0);
  expect(env.bus.functions()).toHaveLength(1);
  expect(env.machine.mmioRead(0xe002_0000, 4)).toBe(0xffff_ffff);
});
