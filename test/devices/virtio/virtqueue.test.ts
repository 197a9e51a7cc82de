// The split virtqueue on its own: rings built in real memory through a WindowDma.

import { describe, expect, test } from 'vitest';
import { needEvent } from '../../../src/devices/virtio/layout.js';
import { QueueError, SplitQueue, type Chain } from '../../../src/devices/virtio/virtqueue.js';
import { Driver, rig, ringAddrs, rxBuf, txBuf, WINDOW_SIZE } from './driver.js';

/** A TX-direction queue of `size` at queue 1's addresses, with a driver to fill it. */
function txQueue(size = 8, eventIdx = false) {
  const r = rig();
  const d = new Driver(r);
  d.size[1] = size;
  const q = new SplitQueue(r.dma, 'device-reads');
  const a = ringAddrs(1);
  q.size = size;
  q.desc = a.desc;
  q.driver = a.avail;
  q.device = a.used;
  q.eventIdx = eventIdx;
  expect(q.enable()).toBeUndefined();
  return { r, d, q };
}

function popError(q: SplitQueue): QueueError {
  const got = q.pop();
  expect(got).toBeInstanceOf(QueueError);
  return got as QueueError;
}

describe('event index rule', () => {
  test('signals exactly when the event index lies in [old, new)', () => {
    expect(needEvent(5, 6, 5)).toBe(true);
    expect(needEvent(5, 5, 4)).toBe(false);
    expect(needEvent(3, 10, 4)).toBe(false);
    expect(needEvent(4, 10, 4)).toBe(true);
    expect(needEvent(9, 10, 4)).toBe(true);
    expect(needEvent(10, 10, 4)).toBe(false);
  });
  test('is taken modulo 2^16 (free-running indexes wrap)', () => {
    expect(needEvent(0xffff, 1, 0xfffe)).toBe(true);
    expect(needEvent(0, 2, 0xffff)).toBe(true);
    expect(needEvent(2, 2, 0xffff)).toBe(false);
  });
});

describe('split virtqueue', () => {
  test('pops a chain following NEXT, then nothing; push publishes used elements', () => {
    const { d, q } = txQueue();
    d.desc(1, 2, txBuf(0), 12, 1, 5);
    d.desc(1, 5, txBuf(1), 100, 1, 3);
    d.desc(1, 3, txBuf(2), 7, 0);
    d.offer(1, 2);
    d.w16(ringAddrs(1).avail + 2, 1);
    const chain = q.pop() as Chain;
    expect(chain.head).toBe(2);
    expect(chain.buffers).toEqual([{ addr: txBuf(0), len: 12 }, { addr: txBuf(1), len: 100 }, { addr: txBuf(2), len: 7 }]);
    expect(chain.bytes).toBe(119);
    expect(q.pop()).toBeUndefined();
    expect(q.push(2, 0)).toBeUndefined();
    expect(d.reap(1)).toEqual([{ id: 2, len: 0 }]);
  });

  test('indexes are free-running across 2^16', () => {
    const { d, q } = txQueue(4);
    const state = q.save();
    q.restore({ ...state, lastAvail: 0xfffe, used: 0xfffe, signalled: 0xfffe });
    d.availIdx[1] = 0xfffe;
    d.lastUsed[1] = 0xfffe;
    for (let k = 0; k < 4; k++) {
      d.desc(1, k, txBuf(k), 20, 0);
      d.offer(1, k);
    }
    d.w16(ringAddrs(1).avail + 2, d.availIdx[1]!);
    expect(d.availIdx[1]).toBe(2);
    const heads: number[] = [];
    for (let c = q.pop(); c !== undefined; c = q.pop()) {
      expect(c).not.toBeInstanceOf(QueueError);
      heads.push((c as Chain).head);
      expect(q.push((c as Chain).head, 0)).toBeUndefined();
    }
    expect(heads).toEqual([0, 1, 2, 3]);
    expect(d.reap(1).map((e) => e.id)).toEqual([0, 1, 2, 3]);
    expect(d.r16(ringAddrs(1).used + 2)).toBe(2);
  });

  test('with EVENT_IDX the device publishes avail_event = the avail idx it has seen', () => {
    const { d, q } = txQueue(8, true);
    for (let k = 0; k < 3; k++) { d.desc(1, k, txBuf(k), 20, 0); d.offer(1, k); }
    d.w16(ringAddrs(1).avail + 2, 3);
    while (q.pop() !== undefined);
    expect(d.r16(ringAddrs(1).used + 4 + 8 * 8)).toBe(3);
  });

  test('a receive queue asks for no kicks: NO_NOTIFY, or avail_event behind what it has seen', () => {
    const r = rig();
    const a = ringAddrs(0);
    const flags = new SplitQueue(r.dma, 'device-writes', false);
    Object.assign(flags, { size: 8, desc: a.desc, driver: a.avail, device: a.used });
    expect(flags.enable()).toBeUndefined();
    const d = new Driver(r);
    expect(d.r16(a.used)).toBe(1);
    const ev = new SplitQueue(r.dma, 'device-writes', false);
    Object.assign(ev, { size: 8, desc: a.desc, driver: a.avail, device: a.used, eventIdx: true });
    expect(ev.enable()).toBeUndefined();
    expect(d.r16(a.used)).toBe(0);
    expect(d.r16(a.used + 4 + 64)).toBe(0xffff);
    expect(needEvent(0xffff, 1, 0)).toBe(false); // the driver adding a buffer does not kick
  });

  test('interrupt decisions: NO_INTERRUPT flag, or used_event', () => {
    const { d, q } = txQueue(8);
    expect(q.shouldInterrupt()).toBe(false); // nothing pushed
    q.push(0, 0);
    expect(q.shouldInterrupt()).toBe(true);
    d.setAvailFlags(1, 1);
    q.push(1, 0);
    expect(q.shouldInterrupt()).toBe(false);

    const e = txQueue(8, true);
    e.d.setUsedEvent(1, 2); // interrupt once used idx passes 2, i.e. at the third element
    e.q.push(0, 0);
    expect(e.q.shouldInterrupt()).toBe(false);
    e.q.push(1, 0);
    expect(e.q.shouldInterrupt()).toBe(false);
    e.q.push(2, 0);
    e.q.push(3, 0);
    expect(e.q.shouldInterrupt()).toBe(true); // 2 lies in [2, 4)
  });

  test('a chain longer than the queue size is a loop', () => {
    const { d, q } = txQueue(4);
    d.desc(1, 0, txBuf(0), 10, 1, 1);
    d.desc(1, 1, txBuf(1), 10, 1, 0);
    d.offer(1, 0);
    d.w16(ringAddrs(1).avail + 2, 1);
    expect(popError(q).kind).toBe('loop');
  });

  test('a descriptor index past the table: as head or as next', () => {
    const a = txQueue(4);
    a.d.offer(1, 4);
    a.d.w16(ringAddrs(1).avail + 2, 1);
    expect(popError(a.q).kind).toBe('index');
    const b = txQueue(4);
    b.d.desc(1, 0, txBuf(0), 10, 1, 9);
    b.d.offer(1, 0);
    b.d.w16(ringAddrs(1).avail + 2, 1);
    expect(popError(b.q).kind).toBe('index');
  });

  test('buffers DMA cannot reach, including a non-zero upper address word', () => {
    const a = txQueue();
    a.d.desc(1, 0, WINDOW_SIZE - 8, 16, 0);
    a.d.offer(1, 0);
    a.d.w16(ringAddrs(1).avail + 2, 1);
    expect(popError(a.q).kind).toBe('dma');
    const b = txQueue();
    b.d.desc(1, 0, txBuf(0), 16, 0);
    b.d.w32(ringAddrs(1).desc + 4, 1);
    b.d.offer(1, 0);
    b.d.w16(ringAddrs(1).avail + 2, 1);
    expect(popError(b.q).kind).toBe('dma');
  });

  test('the WRITE flag must match the queue direction; INDIRECT is refused', () => {
    const a = txQueue();
    a.d.desc(1, 0, txBuf(0), 16, 2);
    a.d.offer(1, 0);
    a.d.w16(ringAddrs(1).avail + 2, 1);
    expect(popError(a.q).kind).toBe('direction');

    const r = rig();
    const d = new Driver(r);
    d.size[0] = 8;
    const rx = new SplitQueue(r.dma, 'device-writes', false);
    Object.assign(rx, { size: 8, desc: ringAddrs(0).desc, driver: ringAddrs(0).avail, device: ringAddrs(0).used });
    expect(rx.enable()).toBeUndefined();
    d.desc(0, 0, rxBuf(0), 1526, 0);
    d.offer(0, 0);
    d.w16(ringAddrs(0).avail + 2, 1);
    expect(popError(rx).kind).toBe('direction');

    const c = txQueue();
    c.d.desc(1, 0, txBuf(0), 16, 4);
    c.d.offer(1, 0);
    c.d.w16(ringAddrs(1).avail + 2, 1);
    expect(popError(c.q).kind).toBe('flags');
  });

  test('the driver cannot claim more available buffers than the queue holds', () => {
    const { d, q } = txQueue(4);
    d.w16(ringAddrs(1).avail + 2, 5);
    expect(popError(q).kind).toBe('avail-idx');
  });

  test('enable validates size (power of two, at most 256), alignment and reach', () => {
    const r = rig();
    const a = ringAddrs(1);
    const q = new SplitQueue(r.dma, 'device-reads');
    Object.assign(q, { desc: a.desc, driver: a.avail, device: a.used });
    for (const size of [0, 3, 12, 512]) {
      q.size = size;
      expect(q.enable()?.kind).toBe('size');
      expect(q.ready).toBe(false);
    }
    q.size = 8;
    q.desc = a.desc + 8;
    expect(q.enable()?.kind).toBe('ring');
    q.desc = a.desc;
    q.device = WINDOW_SIZE - 20; // 6 + 8 * 8 bytes do not fit
    expect(q.enable()?.kind).toBe('ring');
    q.device = a.used;
    expect(q.enable()).toBeUndefined();
    expect(q.ready).toBe(true);
  });

  test('scatter writes across the chain; gather reads it back', () => {
    const { r, q } = txQueue();
    const chain: Chain = { head: 0, buffers: [{ addr: rxBuf(0), len: 5 }, { addr: rxBuf(1), len: 100 }], bytes: 105 };
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
    expect(q.scatter(chain, bytes)).toBeUndefined();
    expect(Array.from(r.dma.read(rxBuf(0), 5)!)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(r.dma.read(rxBuf(1), 15)!)).toEqual(Array.from(bytes.subarray(5)));
    expect(q.scatter(chain, new Uint8Array(106))?.kind).toBe('length'); // refused before writing anything
    const back = q.gather({ head: 0, buffers: [{ addr: rxBuf(0), len: 5 }, { addr: rxBuf(1), len: 15 }], bytes: 20 });
    expect(Array.from(back as Uint8Array)).toEqual(Array.from(bytes));
  });
});
