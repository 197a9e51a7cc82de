// Every device error of docs/nics.md, on the NIC alone with a DMA window that
// is part of a larger memory: the device stops (STATUS.DERR, ICR.DERR), counts
// it, and nothing outside the window changes.

import { describe, expect, test } from 'vitest';
import { CTRL_RST, INT, REG, STATUS_DERR, STATUS_LU, TX_CMD } from '../../../src/devices/e1000/registers.js';
import { Driver, frame, MAC_BYTES, RX_RING, standaloneNic, TX_BUF, WINDOW_SIZE } from './helpers.js';

const OTHER = [2, 0, 0, 0, 0, 7];

function expectStopped(env: ReturnType<typeof standaloneNic>, d: Driver, reason: RegExp): void {
  expect(env.nic.counters.deviceErrors).toBe(1);
  expect(env.nic.error).toMatch(reason);
  expect(d.rd(REG.STATUS)).toBe((STATUS_LU | STATUS_DERR) >>> 0);
  expect(env.level()).toBe(true); // DERR is unmasked in every test below
  expect(d.rd(REG.ICR) & INT.DERR).toBe(INT.DERR);
  expect(env.outsideUntouched()).toBe(true);
  // Stopped: no more transmit or receive until CTRL.RST.
  const sentBefore = d.sent.length;
  d.wr(REG.TDT, d.rd(REG.TDT));
  env.nic.receive(frame(MAC_BYTES));
  expect(d.sent.length).toBe(sentBefore);
  expect(env.nic.counters.deviceErrors).toBe(1);
  expect(d.events.at(-1)).toMatchObject({ kind: 'drop', reason: 'device-error' });
}

/** A setup with a TX ring of 8 and DERR unmasked, then `program` writes something bad and kicks. */
function txCase(program: (d: Driver) => void) {
  const env = standaloneNic();
  const d = env.driver;
  d.setupTx(8);
  d.setupRx(8);
  d.wr(REG.IMS, INT.DERR);
  program(d);
  return { env, d };
}

describe('TX device errors', () => {
  const cases: [string, (d: Driver) => void, RegExp][] = [
    ['TDLEN not a multiple of 128', (d) => { d.wr(REG.TDLEN, 100); d.send(frame(OTHER)); }, /length 100/],
    ['TDLEN 0 while enabled', (d) => { d.wr(REG.TDLEN, 0); d.send(frame(OTHER)); }, /length 0/],
    ['a ring past the window', (d) => { d.wr(REG.TDBAL, WINDOW_SIZE - 64); d.wr(REG.TDT, 1); }, /past the memory/],
    ['a ring base above 4 GiB (TDBAH)', (d) => { d.wr(REG.TDBAH, 1); d.wr(REG.TDT, 1); }, /past the memory/],
    ['a tail beyond the ring', (d) => { d.wr(REG.TDT, 8); }, /tail 8 is beyond/],
    ['a head beyond the ring', (d) => { d.wr(REG.TDH, 9); d.wr(REG.TDT, 1); }, /head 9 is beyond/],
    ['a buffer past the window', (d) => { d.txDesc(0, WINDOW_SIZE - 10, 60, TX_CMD.EOP); d.wr(REG.TDT, 1); }, /buffer of descriptor 0/],
    ['a buffer above 4 GiB', (d) => { d.txDesc(0, TX_BUF, 60, TX_CMD.EOP, 1); d.wr(REG.TDT, 1); }, /buffer of descriptor 0/],
    ['a frame longer than 1518 bytes', (d) => { d.txDesc(0, TX_BUF, 1000, 0); d.txDesc(1, TX_BUF, 519, TX_CMD.EOP); d.wr(REG.TDT, 2); }, /longer than 1518/],
    ['a frame without EOP before the tail', (d) => { d.txDesc(0, TX_BUF, 60, 0); d.txDesc(1, TX_BUF, 60, 0); d.wr(REG.TDT, 2); }, /without EOP/],
  ];
  for (const [name, program, reason] of cases) {
    test(name, () => {
      const { env, d } = txCase(program);
      expect(d.sent).toEqual([]);
      expect(d.txStatus(0) & 1).toBe(0); // nothing consumed
      expectStopped(env, d, reason);
    });
  }

  test('frames before a bad one go out; the bad one is not consumed', () => {
    const { env, d } = txCase((dr) => {
      dr.send(frame(OTHER, 46, 1), 1, false);
      dr.txDesc(1, TX_BUF, 60, 0); // no EOP, and the tail comes next
      dr.wr(REG.TDT, 2);
    });
    expect(d.sent).toEqual([frame(OTHER, 46, 1)]);
    expect(d.rd(REG.TDH)).toBe(1);
    expect(d.txStatus(1) & 1).toBe(0);
    expectStopped(env, d, /without EOP/);
  });
});

describe('RX device errors', () => {
  const cases: [string, (d: Driver) => void, RegExp][] = [
    ['RDLEN not a multiple of 128', (d) => d.wr(REG.RDLEN, 200), /length 200/],
    ['RDLEN 0 while enabled', (d) => d.wr(REG.RDLEN, 0), /length 0/],
    ['a ring past the window', (d) => d.wr(REG.RDBAL, WINDOW_SIZE - 16), /past the memory/],
    ['a tail beyond the ring', (d) => d.wr(REG.RDT, 40), /tail 40 is beyond/],
    ['a head beyond the ring', (d) => d.wr(REG.RDH, 8), /head 8 is beyond/],
    ['a ring base above 4 GiB (RDBAH)', (d) => d.wr(REG.RDBAH, 1), /past the memory/],
    ['a buffer past the window', (d) => d.put32(RX_RING, WINDOW_SIZE - 20), /buffer of descriptor 0/],
    ['a buffer above 4 GiB', (d) => d.put32(RX_RING + 4, 1), /buffer of descriptor 0/],
  ];
  for (const [name, program, reason] of cases) {
    test(name, () => {
      const env = standaloneNic();
      const d = env.driver;
      d.setupTx(8);
      d.setupRx(8);
      d.wr(REG.IMS, INT.DERR);
      program(d);
      const before = d.mem.slice();
      const head = env.nic.save().regs.rdh;
      env.nic.receive(frame(MAC_BYTES, 46, 5));
      expect(Buffer.compare(d.mem, before)).toBe(0); // not even inside the window: no partial write, no write-back
      expect(env.nic.save().regs.rdh).toBe(head);
      expect(env.nic.counters.rxDropped).toBe(1);
      expectStopped(env, d, reason);
      expect(env.nic.counters.rxDropped).toBe(2);
    });
  }
});

test('CTRL.RST clears the error: registers back to reset values (the MAC included), counters kept, the device works again', () => {
  const { env, d } = txCase((dr) => dr.wr(REG.TDT, 9));
  expect(env.nic.counters.deviceErrors).toBe(1);
  d.wr(REG.RAL0, 0x12345678);
  d.wr(REG.CTRL, CTRL_RST);
  expect(d.rd(REG.STATUS)).toBe(STATUS_LU);
  expect(d.rd(REG.CTRL) & CTRL_RST).toBe(0);
  expect(d.rd(REG.RAL0)).toBe(0x0000_0002);
  expect(d.rd(REG.TDLEN)).toBe(0);
  expect(d.rd(REG.IMS)).toBe(0);
  expect(env.level()).toBe(false);
  expect(env.nic.error).toBeUndefined();
  expect(env.nic.counters.deviceErrors).toBe(1);
  d.setupTx(8);
  d.send(frame(OTHER));
  expect(d.sent).toEqual([frame(OTHER)]);
});
