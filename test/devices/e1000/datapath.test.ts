// The e1000-like NIC on a machine's PCI bus: found by its IDs, registers in
// BAR0, frames through the TX and RX rings, interrupts through the bus's line.

import { describe, expect, test } from 'vitest';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import { INT, RCTL, REG, RX_STA, STATUS_LU, TX_STA_DD } from '../../../src/devices/e1000/registers.js';
import { E1000 } from '../../../src/devices/e1000/e1000.js';
import { cfgRead, cfgWrite } from '../pci/helpers.js';
import { frame, MAC_BYTES, machineNic, RX_BUF } from './helpers.js';

const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const OTHER = [2, 0, 0, 0, 0, 7];

describe('the NIC on the bus', () => {
  test('enumeration shows 8086:100e, class 020000, a 128 KiB BAR0 at the window base, line 2', () => {
    const { machine: m } = machineNic();
    expect(cfgRead(m, 3, 0, 0)).toBe(0x100e_8086);
    expect(cfgRead(m, 3, 0, 8) >>> 8).toBe(0x020000);
    expect(cfgRead(m, 3, 0, 0x10)).toBe(0xe000_0000);
    cfgWrite(m, 3, 0, 0x10, 0xffffffff);
    expect(cfgRead(m, 3, 0, 0x10)).toBe(0xfffe_0000);
    cfgWrite(m, 3, 0, 0x10, 0xe000_0000);
    expect(cfgRead(m, 3, 0, 0x3c) & 0xffff).toBe(0x0102);
  });

  test('registers: STATUS link up, RAL0/RAH0 hold the MAC, reads of other offsets or sizes give 0; every access counted', () => {
    const { machine: m, nic, bar, driver: d } = machineNic();
    expect(d.rd(REG.STATUS)).toBe(STATUS_LU);
    expect(d.rd(REG.RAL0)).toBe(0x0000_0002);
    expect(d.rd(REG.RAH0)).toBe(0x8000_0100);
    expect(d.rd(0x1234)).toBe(0);
    expect(m.mmioRead(bar + REG.RAL0, 2)).toBe(0);
    expect(m.mmioRead(bar + REG.RAL0 + 1, 4)).toBe(0);
    d.wr(REG.RCTL, RCTL.EN);
    m.mmioWrite(bar + REG.RCTL, 2, 0);
    expect(d.rd(REG.RCTL)).toBe(RCTL.EN);
    expect(nic.counters.regReads).toBe(7);
    expect(nic.counters.regWrites).toBe(2);
  });
});

describe('transmit', () => {
  test('a frame in two descriptors reaches the peer whole; DD is written back into both; TDH follows TDT', () => {
    const { nic, driver: d } = machineNic();
    d.setupTx();
    const f = frame(OTHER, 100, 7);
    d.send(f, 2);
    expect(d.sent).toEqual([f]);
    expect(d.txStatus(0) & TX_STA_DD).toBe(TX_STA_DD);
    expect(d.txStatus(1) & TX_STA_DD).toBe(TX_STA_DD);
    expect(d.rd(REG.TDH)).toBe(2);
    expect(nic.counters.txFrames).toBe(1);
    expect(nic.counters.txBytes).toBe(114);
    expect(nic.counters.dmaBytes).toBe(2 * 16 + 114 + 2 * 16); // descriptors read, buffers read, descriptors written back
    expect(d.rd(REG.GPTC)).toBe(1);
    expect(d.rd(REG.GPTC)).toBe(0); // read to clear
    expect(d.events.map((e) => [e.kind, e.where, e.dst, e.length])).toEqual([['tx', 'e1000', '02:00:00:00:00:07', 114]]);
  });

  test('several frames per TDT write, around the end of the ring; nothing sent while TCTL.EN is off', () => {
    const { driver: d } = machineNic();
    d.setupTx(8);
    d.wr(REG.TCTL, 0);
    const frames = Array.from({ length: 10 }, (_, i) => frame(OTHER, 46 + i, i));
    for (const f of frames.slice(0, 6)) d.send(f, 1, false);
    d.wr(REG.TDT, 6);
    expect(d.sent).toEqual([]);
    d.wr(REG.TCTL, 2); // enabling the transmitter sends what is queued
    expect(d.sent).toEqual(frames.slice(0, 6));
    for (const f of frames.slice(6)) d.send(f, 1, false);
    d.wr(REG.TDT, 2);
    expect(d.sent).toEqual(frames);
    expect(d.rd(REG.TDH)).toBe(2);
  });

  test('TXDW raises the line only while unmasked; reading ICR clears it and lowers the line', () => {
    const { machine: m, nic, driver: d } = machineNic();
    d.setupTx();
    d.send(frame(OTHER));
    expect(m.irqPending).toBe(0); // IMS 0
    d.wr(REG.IMS, INT.TXDW);
    expect(m.irqPending).toBe(1 << 2);
    expect(nic.counters.interruptsRaised).toBe(1);
    expect(d.rd(REG.ICR)).toBe(INT.TXDW);
    expect(m.irqPending).toBe(0);
    expect(d.rd(REG.ICR)).toBe(0);
    d.send(frame(OTHER));
    expect(m.irqPending).toBe(1 << 2);
    d.wr(REG.IMC, INT.TXDW);
    expect(m.irqPending).toBe(0);
    expect(d.rd(REG.IMS)).toBe(0);
    d.wr(REG.ICS, INT.LSC);
    d.wr(REG.IMS, INT.LSC);
    expect(m.irqPending).toBe(1 << 2);
    expect(nic.counters.interruptsRaised).toBe(3);
    d.wr(REG.ICR, INT.LSC); // write 1 to clear
    expect(m.irqPending).toBe(0);
    expect(d.rd(REG.ICR)).toBe(INT.TXDW);
  });
});

describe('receive', () => {
  test('loopback: a frame to our MAC lands in the next buffer with length and DD|EOP; RDH advances; RXT0', () => {
    const { machine: m, nic, driver: d } = machineNic();
    d.setupRx();
    d.setupTx(8, (f) => nic.receive(f)); // the peer sends every frame straight back
    d.wr(REG.IMS, INT.RXT0);
    const f = frame(MAC_BYTES, 60, 3);
    d.send(f);
    expect(d.rxFrame(0)).toEqual(f);
    expect(d.rxLength(0)).toBe(74);
    expect(d.rxStatus(0)).toBe(RX_STA.DD | RX_STA.EOP);
    expect(d.rxStatus(1)).toBe(0);
    expect(d.rd(REG.RDH)).toBe(1);
    expect(m.irqPending).toBe(1 << 2);
    expect(d.rd(REG.ICR)).toBe(INT.TXDW | INT.RXT0);
    expect(d.rd(REG.GPRC)).toBe(1);
    expect(nic.counters.rxFrames).toBe(1);
    expect(nic.counters.rxBytes).toBe(74);
    expect(d.events.map((e) => e.kind)).toEqual(['tx', 'rx']);
    expect(m.mem.u8[RX_BUF + 74]).toBe(0); // nothing past the frame
  });

  test('the filter: other unicast only with UPE, broadcast with BAM, multicast with MPE, our MAC only while AV', () => {
    const { nic, driver: d } = machineNic();
    d.setupRx(8, 7, RCTL.EN);
    nic.receive(frame(OTHER));
    nic.receive(frame(BROADCAST));
    nic.receive(frame([0x01, 0, 0x5e, 0, 0, 1]));
    expect(d.rd(REG.RDH)).toBe(0);
    expect(nic.counters.rxFiltered).toBe(3);
    expect(nic.counters.rxDropped).toBe(0);
    d.wr(REG.RCTL, RCTL.EN | RCTL.BAM);
    nic.receive(frame(BROADCAST));
    d.wr(REG.RCTL, RCTL.EN | RCTL.MPE);
    nic.receive(frame([0x01, 0, 0x5e, 0, 0, 1]));
    d.wr(REG.RCTL, RCTL.EN | RCTL.UPE);
    nic.receive(frame(OTHER));
    d.wr(REG.RCTL, RCTL.EN);
    nic.receive(frame(MAC_BYTES));
    expect(d.rd(REG.RDH)).toBe(4);
    d.wr(REG.RAH0, 0x0100); // AV off: not even our own MAC
    nic.receive(frame(MAC_BYTES));
    d.wr(REG.RAL0, 0x0700_0002); // a new MAC: 02:00:00:07:00:01
    d.wr(REG.RAH0, 0x8000_0100);
    nic.receive(frame([2, 0, 0, 7, 0, 1]));
    expect(d.rd(REG.RDH)).toBe(5);
    expect(nic.counters.rxFiltered).toBe(4);
  });

  test('drops: no free descriptor (RXO), receiver off, malformed length; each counted with its reason', () => {
    const { nic, driver: d } = machineNic();
    d.setupRx(8, 2);
    for (let i = 0; i < 3; i++) nic.receive(frame(MAC_BYTES, 46, i));
    expect(d.rd(REG.RDH)).toBe(2);
    expect(d.rxFrame(1)).toEqual(frame(MAC_BYTES, 46, 1));
    expect(d.rd(REG.ICR) & INT.RXO).toBe(INT.RXO);
    d.wr(REG.RCTL, 0);
    nic.receive(frame(MAC_BYTES));
    d.wr(REG.RCTL, RCTL.EN);
    nic.receive(new Uint8Array(10));
    nic.receive(frame(MAC_BYTES, 1505));
    expect(nic.counters.rxDropped).toBe(4);
    expect(d.events.filter((e) => e.kind === 'drop').map((e) => e.reason)).toEqual(['no-buffer', 'disabled', 'too-short', 'too-long']);
    // The driver gives buffers back by moving the tail; frames flow again.
    d.wr(REG.RDT, 5);
    nic.receive(frame(MAC_BYTES, 46, 9));
    expect(d.rxFrame(2)).toEqual(frame(MAC_BYTES, 46, 9));
  });

  test('bus mastering off: the NIC cannot reach its ring, which is a device error', () => {
    const { machine: m, nic, driver: d } = machineNic();
    d.setupTx();
    cfgWrite(m, 3, 0, PCI.COMMAND, COMMAND.MEMORY);
    d.send(frame(OTHER));
    expect(d.sent).toEqual([]);
    expect(nic.counters.deviceErrors).toBe(1);
    expect(d.rd(REG.STATUS) >>> 31).toBe(1);
    expect(d.txStatus(0)).toBe(0);
  });
});

test('a malformed MAC is refused at construction with one line', () => {
  const ctx = { clock: () => 0, dma: { read: () => undefined, write: () => false }, irq: () => {} };
  expect(() => new E1000(ctx, { mac: '02:00:00:00:00' })).toThrow(/^invalid MAC address '02:00:00:00:00'/);
  expect(() => new E1000(ctx, { mac: new Uint8Array(5) })).toThrow(/a MAC is 6 bytes, not 5/);
  expect(Array.from(new E1000(ctx).mac)).toEqual([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
});

test('frame events carry the 802.1Q VLAN and the inner ethertype', () => {
  const { nic, driver: d } = machineNic();
  d.setupTx();
  const f = frame(OTHER, 60);
  const tagged = new Uint8Array(f.length + 4);
  tagged.set(f.subarray(0, 12));
  tagged.set([0x81, 0x00, 0x20, 0x07], 12);
  tagged.set(f.subarray(12), 16);
  d.send(tagged);
  expect(d.events[0]).toMatchObject({ kind: 'tx', where: 'e1000', vlan: 7, ethertype: 0x88b5, length: 78 });
  expect(nic.counters.txFrames).toBe(1);
});
