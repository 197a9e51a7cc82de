// Snapshots of a machine with the NIC in the middle of traffic: restoring one
// and replaying the same traffic gives the same frames, memory and counters.

import { expect, test } from 'vitest';
import { INT, REG } from '../../../src/devices/e1000/registers.js';
import { frame, MAC_BYTES, machineNic } from './helpers.js';

test('save/restore mid-traffic: the run after a restore repeats the run after the snapshot', () => {
  const { machine: m, nic, driver: d } = machineNic();
  d.setupRx(8, 5);
  const echoed: Uint8Array[] = [];
  d.setupTx(8, (f) => { echoed.push(f.slice()); nic.receive(f); });
  d.wr(REG.IMS, INT.RXT0 | INT.RXO);
  for (let i = 0; i < 3; i++) d.send(frame(MAC_BYTES, 50, i));
  expect(m.irqPending).toBe(1 << 2);
  const snap = m.captureState();
  const memBefore = m.mem.u8.slice();
  const driverTail = d.tail; // the driver's own state (a guest keeps it in RAM or registers)

  const later = () => {
    for (let i = 3; i < 7; i++) d.send(frame(MAC_BYTES, 50 + i, i)); // the ring has 5 buffers: two of these are dropped
    return { icr: d.rd(REG.ICR), rdh: d.rd(REG.RDH), tdh: d.rd(REG.TDH), counters: { ...nic.counters }, mem: m.mem.u8.slice(), irq: m.irqPending };
  };
  const first = later();
  expect(first.counters.rxDropped).toBe(2);
  expect(first.rdh).toBe(5);
  expect(first.irq).toBe(0); // ICR was read (to clear) by later()

  m.restoreState(snap);
  m.mem.u8.set(memBefore); // the machine's RAM snapshot is the caller's to restore (captureState holds no RAM)
  d.tail = driverTail;
  expect(m.irqPending).toBe(1 << 2);
  expect(nic.save().regs.rdh).toBe(3); // not through the register: that read would count
  expect(nic.counters.rxFrames).toBe(3);
  echoed.length = 0;
  const second = later();
  expect(second.counters).toEqual(first.counters);
  expect(second.icr).toBe(first.icr);
  expect([second.rdh, second.tdh]).toEqual([first.rdh, first.tdh]);
  expect(Buffer.compare(second.mem, first.mem)).toBe(0);
  expect(echoed.length).toBe(4);
});
