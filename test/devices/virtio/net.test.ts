// The virtio-style NIC through its BAR0 and PCI configuration space, with a
// driver in TypeScript (driver.ts) and rings in real memory.

import { describe, expect, test } from 'vitest';
import { VirtioNet } from '../../../src/devices/virtio-net/net.js';
import { COMMON, FEATURE, ISR, REGION, STATUS } from '../../../src/devices/virtio-net/registers.js';
import { CAP } from '../../../src/devices/pci/config-space.js';
import { ALL_FEATURES, Driver, frame, MAC, rig, ringAddrs, rxBuf, txBuf, WINDOW_SIZE, type Rig } from './driver.js';

const up = (r: Rig): Driver => new Driver(r).init();
/** Byte equality of large arrays (vitest's deep equality is slow on them). */
const same = (x: Uint8Array, y: Uint8Array): boolean => Buffer.compare(x, y) === 0;

describe('virtio-net: PCI identity and capabilities', () => {
  test('IDs, class, revision and BAR0 of 16 KiB', () => {
    const { dev } = rig();
    expect(dev.config.read(0x00, 2)).toBe(0x1af4);
    expect(dev.config.read(0x02, 2)).toBe(0x1041);
    expect(dev.config.read(0x08, 4) >>> 8).toBe(0x020000);
    expect(dev.config.read(0x08, 1)).toBe(1);
    expect(dev.config.barSize(0)).toBe(0x4000);
  });

  test('vendor capabilities 1..4 point into BAR0; notify carries the multiplier; MSI-X has 2 vectors at 0x3800', () => {
    const { dev } = rig();
    const cfg = dev.config;
    const seen = new Map<number, { bar: number; offset: number; length: number; len: number; mult?: number }>();
    let p = cfg.read(0x34, 1);
    let msix = 0;
    for (let guard = 0; p !== 0 && guard < 16; guard++) {
      const id = cfg.read(p, 1);
      if (id === CAP.VENDOR) {
        const type = cfg.read(p + 3, 1);
        seen.set(type, {
          bar: cfg.read(p + 4, 1), offset: cfg.read(p + 8, 4), length: cfg.read(p + 12, 4), len: cfg.read(p + 2, 1),
          ...(type === 2 ? { mult: cfg.read(p + 16, 4) } : {}),
        });
      } else if (id === CAP.MSIX) msix = p;
      p = cfg.read(p + 1, 1);
    }
    expect(seen.get(1)).toEqual({ bar: 0, offset: 0x0000, length: 0x38, len: 16 });
    expect(seen.get(2)).toEqual({ bar: 0, offset: 0x1000, length: 8, len: 20, mult: 4 });
    expect(seen.get(3)).toEqual({ bar: 0, offset: 0x2000, length: 1, len: 16 });
    expect(seen.get(4)).toEqual({ bar: 0, offset: 0x3000, length: 8, len: 16 });
    expect(msix).not.toBe(0);
    expect(cfg.read(msix + 2, 2) & 0x7ff).toBe(1);
    expect(cfg.read(msix + 4, 4)).toBe(0x3800);
    expect(cfg.read(msix + 8, 4)).toBe(0x3c00);
  });

  test('device configuration: the MAC and link up, at any aligned width', () => {
    const r = rig();
    const d = new Driver(r);
    const mac = [0, 1, 2, 3, 4, 5].map((i) => d.read(REGION.DEVICE + i, 1));
    expect(mac.map((b) => b.toString(16).padStart(2, '0')).join(':')).toBe(MAC);
    expect(d.read(REGION.DEVICE, 4)).toBe(0x00000002);
    expect(d.read(REGION.DEVICE + 4, 2)).toBe(0x0100);
    expect(d.read(REGION.DEVICE + 6, 2)).toBe(1);
  });
});

describe('virtio-net: common configuration', () => {
  test('offers MAC, EVENT_IDX and VERSION_1 in two feature words; num_queues 2; max queue size 256', () => {
    const d = new Driver(rig());
    d.write(COMMON.DEVICE_FEATURE_SELECT, 4, 0);
    expect(d.read(COMMON.DEVICE_FEATURE, 4)).toBe(((1 << 5) | (1 << 29)) >>> 0);
    d.write(COMMON.DEVICE_FEATURE_SELECT, 4, 1);
    expect(d.read(COMMON.DEVICE_FEATURE, 4)).toBe(1);
    d.write(COMMON.DEVICE_FEATURE_SELECT, 4, 2);
    expect(d.read(COMMON.DEVICE_FEATURE, 4)).toBe(0);
    expect(d.read(COMMON.NUM_QUEUES, 2)).toBe(2);
    d.write(COMMON.QUEUE_SELECT, 2, 1);
    expect(d.read(COMMON.QUEUE_SIZE, 2)).toBe(256);
    expect(d.read(COMMON.QUEUE_NOTIFY_OFF, 2)).toBe(1);
    d.write(COMMON.QUEUE_SELECT, 2, 2);
    expect(d.read(COMMON.QUEUE_SIZE, 2)).toBe(0); // no such queue
  });

  test('FEATURES_OK is refused for an unknown feature or without VERSION_1, kept otherwise', () => {
    expect(new Driver(rig()).negotiate([ALL_FEATURES[0] | 1, ALL_FEATURES[1]])).toBe(false);
    expect(new Driver(rig()).negotiate([ALL_FEATURES[0], 0])).toBe(false);
    expect(new Driver(rig()).negotiate([0, 1])).toBe(true);
    const d = new Driver(rig());
    expect(d.negotiate()).toBe(true);
    d.write(COMMON.DRIVER_FEATURE_SELECT, 4, 0);
    d.write(COMMON.DRIVER_FEATURE, 4, 0); // after FEATURES_OK: ignored
    expect(d.read(COMMON.DRIVER_FEATURE, 4)).toBe(ALL_FEATURES[0]);
  });

  test('each field answers its own width only; 64-bit addresses by halves', () => {
    const d = new Driver(rig());
    d.write(COMMON.QUEUE_SELECT, 2, 1);
    d.write(COMMON.QUEUE_SIZE, 4, 16); // wrong width: nothing
    expect(d.read(COMMON.QUEUE_SIZE, 2)).toBe(256);
    d.write(COMMON.QUEUE_SIZE, 2, 16);
    expect(d.read(COMMON.QUEUE_SIZE, 2)).toBe(16);
    expect(d.read(COMMON.QUEUE_SIZE, 1)).toBe(0);
    d.write(COMMON.QUEUE_DESC_LO, 4, 0x1230);
    d.write(COMMON.QUEUE_DESC_HI, 4, 7);
    expect([d.read(COMMON.QUEUE_DESC_LO, 4), d.read(COMMON.QUEUE_DESC_HI, 4)]).toEqual([0x1230, 7]);
    d.write(COMMON.DEVICE_STATUS, 1, STATUS.ACKNOWLEDGE);
    expect(d.read(COMMON.DEVICE_STATUS, 1)).toBe(1);
    expect(d.read(COMMON.DEVICE_STATUS - 2, 4)).toBe(0); // no 4-byte field there
  });

  test('a queue with an upper address word is a device error at enable', () => {
    const r = rig();
    const d = new Driver(r);
    d.negotiate();
    d.write(COMMON.QUEUE_SELECT, 2, 0);
    d.write(COMMON.QUEUE_SIZE, 2, 8);
    d.write(COMMON.QUEUE_DESC_LO, 4, ringAddrs(0).desc);
    d.write(COMMON.QUEUE_DESC_HI, 4, 1);
    d.write(COMMON.QUEUE_DRIVER_LO, 4, ringAddrs(0).avail);
    d.write(COMMON.QUEUE_DEVICE_LO, 4, ringAddrs(0).used);
    d.write(COMMON.QUEUE_ENABLE, 2, 1);
    expect(d.status() & STATUS.DEVICE_NEEDS_RESET).toBeTruthy();
    expect(d.read(COMMON.QUEUE_ENABLE, 2)).toBe(0);
    expect(r.dev.lastError).toMatch(/above 4 GiB/);
  });

  test('writing 0 to device_status resets features, queues and status', () => {
    const r = rig();
    const d = up(r);
    d.write(COMMON.DEVICE_STATUS, 1, 0);
    expect(d.status()).toBe(0);
    d.write(COMMON.DRIVER_FEATURE_SELECT, 4, 0);
    expect(d.read(COMMON.DRIVER_FEATURE, 4)).toBe(0);
    d.write(COMMON.QUEUE_SELECT, 2, 1);
    expect(d.read(COMMON.QUEUE_ENABLE, 2)).toBe(0);
    expect(d.read(COMMON.QUEUE_SIZE, 2)).toBe(256);
  });
});

describe('virtio-net: transmit', () => {
  test('several frames, one kick: each reaches the peer without its header; used elements for all; one interrupt', () => {
    const r = rig();
    const d = up(r);
    const frames = [frame(60, 1), frame(1514, 2), frame(100, 3)];
    d.send(frames);
    expect(d.kicks).toBe(1);
    expect(r.peer.frames).toEqual(frames);
    expect(d.reap(1)).toEqual([{ id: 0, len: 0 }, { id: 1, len: 0 }, { id: 2, len: 0 }]);
    const c = r.dev.counters;
    expect(c.notifications).toBe(1);
    expect(c.txFrames).toBe(3);
    expect(c.txBytes).toBe(60 + 1514 + 100);
    expect(c.interruptsRaised).toBe(1);
    expect(r.lines.get(0)).toBe(true);
    expect(r.events.map((e) => [e.kind, e.where, e.length, e.dst])).toEqual([
      ['tx', 'virtio-net', 60, 'ff:ff:ff:ff:ff:ff'], ['tx', 'virtio-net', 1514, 'ff:ff:ff:ff:ff:ff'], ['tx', 'virtio-net', 100, 'ff:ff:ff:ff:ff:ff'],
    ]);
    // DMA: enabling each queue writes used flags, used idx and avail_event (2 each); per frame a descriptor (16),
    // the buffer, a used element (8) and the used idx (2), and per pop the avail idx and ring entry (2 + 2) and
    // avail_event (2); then the final avail idx read, avail_event and used_event (2 each).
    const buffers = 3 * 12 + 60 + 1514 + 100;
    expect(c.dmaBytes).toBe(2 * 6 + buffers + 3 * (16 + 8 + 2 + 2 + 2 + 2) + 2 + 2 + 2);
  });

  test('a frame split over two descriptors (header, then frame) is one frame', () => {
    const r = rig();
    const d = up(r);
    d.send([frame(80, 4), frame(70, 5)], true);
    expect(r.peer.frames).toEqual([frame(80, 4), frame(70, 5)]);
    expect(d.reap(1).map((e) => e.id)).toEqual([0, 2]);
  });

  test('the ISR is read to clear and lowers the line', () => {
    const r = rig();
    const d = up(r);
    d.send([frame(60)]);
    expect(r.lines.get(0)).toBe(true);
    expect(d.read(REGION.ISR, 1)).toBe(ISR.QUEUE);
    expect(r.lines.get(0)).toBe(false);
    expect(d.read(REGION.ISR, 1)).toBe(0);
  });

  test('notify() (the pv hypercall) is the doorbell; a queue that does not exist is refused', () => {
    const r = rig();
    const d = up(r);
    const old = d.availIdx[1]!;
    d.desc(1, 0, txBuf(0), 72, 0);
    r.dma.write(txBuf(0) + 12, frame(60, 9));
    d.offer(1, 0);
    d.w16(ringAddrs(1).avail + 2, d.availIdx[1]!);
    expect(old).toBe(0);
    expect(r.dev.notify(1)).toBe(true);
    expect(r.peer.frames).toEqual([frame(60, 9)]);
    expect(r.dev.notify(2)).toBe(false);
    expect(r.dev.notify(-1)).toBe(false);
    expect(r.dev.counters.notifications).toBe(1);
  });

  test('nothing moves before DRIVER_OK', () => {
    const r = rig();
    const d = new Driver(r);
    d.negotiate();
    d.setupQueue(1, 8);
    d.send([frame(60)]);
    expect(r.peer.frames).toEqual([]);
    expect(d.reap(1)).toEqual([]);
  });
});

describe('virtio-net: receive', () => {
  test('a frame goes into the next posted buffer behind a zeroed header with num_buffers 1', () => {
    const r = rig();
    const d = up(r);
    d.post(4);
    expect(d.kicks).toBe(0); // the receive queue asks for no kicks
    const f = frame(200, 7);
    r.dev.receive(f);
    const used = d.reap(0);
    expect(used).toEqual([{ id: 0, len: 212 }]);
    const { header, frame: got } = d.received(0, 212);
    expect(Array.from(header)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(got).toEqual(f);
    expect(r.dev.counters.rxFrames).toBe(1);
    expect(r.dev.counters.rxBytes).toBe(200);
    expect(r.lines.get(0)).toBe(true);
    expect(r.events.at(-1)).toMatchObject({ kind: 'rx', length: 200 });
  });

  test('no buffer: a counted no-buffer drop, nothing written', () => {
    const r = rig();
    const d = up(r);
    r.dev.receive(frame(60));
    expect(r.dev.counters.rxDropped).toBe(1);
    expect(r.events.at(-1)).toMatchObject({ kind: 'drop', reason: 'no-buffer' });
    expect(d.reap(0)).toEqual([]);
    expect(r.dev.stopped).toBe(false);
  });

  test('before DRIVER_OK frames are dropped as disabled; oversized ones as too-long', () => {
    const r = rig();
    r.dev.receive(frame(60));
    expect(r.events.at(-1)).toMatchObject({ kind: 'drop', reason: 'disabled' });
    const d = up(r);
    d.post(1);
    r.dev.receive(frame(1515));
    expect(r.events.at(-1)).toMatchObject({ kind: 'drop', reason: 'too-long' });
    expect(d.reap(0)).toEqual([]);
  });
});

describe('virtio-net: suppression', () => {
  test('event index: a batch of N frames costs one kick and fewer interrupts than frames', () => {
    const r = rig();
    const d = new Driver(r).init(32);
    const N = 16;
    let sent = 0;
    for (let batch = 0; batch < 2; batch++) {
      // The driver asks for an interrupt only once the whole batch is used.
      d.setUsedEvent(1, (d.lastUsed[1]! + N - 1) & 0xffff);
      d.send(Array.from({ length: N }, (_, i) => frame(60 + i, i)));
      sent += N;
      expect(d.reap(1)).toHaveLength(N);
      d.read(REGION.ISR, 1);
    }
    expect(r.peer.frames).toHaveLength(sent);
    expect(d.kicks).toBe(2);
    expect(r.dev.counters.notifications).toBe(2);
    expect(r.dev.counters.interruptsRaised).toBe(2);

    // RX: used_event 3 ahead: one interrupt per 4 frames.
    d.post(16);
    let interrupts = 0;
    for (let k = 0; k < 16; k++) {
      if (k % 4 === 0) d.setUsedEvent(0, (k + 3) & 0xffff);
      const before = r.rises[0]!;
      r.dev.receive(frame(64, k));
      interrupts += r.rises[0]! - before;
      d.read(REGION.ISR, 1);
    }
    expect(interrupts).toBe(4);
    expect(r.dev.counters.rxFrames).toBe(16);
    expect(r.dev.counters.suppressedInterrupts).toBe(12);
  });

  test('without EVENT_IDX: NO_INTERRUPT suppresses interrupts, kicks follow NO_NOTIFY (never set on TX)', () => {
    const r = rig();
    const d = new Driver(r).init(8, [1 << FEATURE.NET_MAC, 1]);
    d.setAvailFlags(1, 1);
    d.send([frame(60), frame(61)]);
    d.send([frame(62)]);
    expect(d.kicks).toBe(2);
    expect(r.peer.frames).toHaveLength(3);
    expect(r.dev.counters.interruptsRaised).toBe(0);
    expect(r.dev.counters.suppressedInterrupts).toBe(2);
    d.setAvailFlags(1, 0);
    d.send([frame(63)]);
    expect(r.dev.counters.interruptsRaised).toBe(1);
  });
});

describe('virtio-net: malformed rings stop the device', () => {
  /** Run `spoil` on a live device and check the stop: NEEDS_RESET, config interrupt, counted, no traffic, RAM outside the window untouched; then a reset recovers. */
  function expectDeviceError(spoil: (r: Rig, d: Driver) => void, pattern: RegExp): void {
    const r = rig();
    const outside = r.outside();
    const d = up(r);
    d.post(2);
    spoil(r, d);
    expect(r.dev.stopped).toBe(true);
    expect(d.status() & STATUS.DEVICE_NEEDS_RESET).toBeTruthy();
    expect(r.dev.counters.deviceErrors).toBe(1);
    expect(r.dev.lastError).toMatch(pattern);
    expect(d.read(REGION.ISR, 1) & ISR.CONFIG).toBe(ISR.CONFIG);
    // Stopped: TX does nothing, RX drops as device-error, no second error counted.
    const sent = r.peer.frames.length;
    r.dev.notify(1);
    r.dev.receive(frame(60));
    expect(r.peer.frames.length).toBe(sent);
    expect(r.events.at(-1)).toMatchObject({ kind: 'drop', reason: 'device-error' });
    expect(r.dev.counters.deviceErrors).toBe(1);
    expect(same(r.outside(), outside)).toBe(true);
    // A reset and a fresh bring-up recover.
    d.write(COMMON.DEVICE_STATUS, 1, 0);
    expect(r.dev.stopped).toBe(false);
    expect(r.dev.lastError).toBeUndefined();
    d.init();
    d.send([frame(99, 3)]);
    expect(r.peer.frames.at(-1)).toEqual(frame(99, 3));
    expect(same(r.outside(), outside)).toBe(true);
  }

  test('a looping chain', () => expectDeviceError((_r, d) => {
    d.desc(1, 0, txBuf(0), 12, 1, 1);
    d.desc(1, 1, txBuf(1), 60, 1, 0);
    d.offer(1, 0);
    d.publish(1, 0);
  }, /^loop:/));

  test('a descriptor index past the table', () => expectDeviceError((_r, d) => {
    d.desc(1, 0, txBuf(0), 12, 1, 8);
    d.offer(1, 0);
    d.publish(1, 0);
  }, /^index:/));

  test('a buffer past the DMA window', () => expectDeviceError((_r, d) => {
    d.desc(1, 0, WINDOW_SIZE - 40, 72, 0);
    d.offer(1, 0);
    d.publish(1, 0);
  }, /^dma:/));

  test('a TX buffer marked WRITE', () => expectDeviceError((_r, d) => {
    d.desc(1, 0, txBuf(0), 72, 2);
    d.offer(1, 0);
    d.publish(1, 0);
  }, /^direction:/));

  test('an RX buffer not marked WRITE', () => expectDeviceError((r, d) => {
    d.desc(0, 2, rxBuf(2), 1526, 0);
    d.offer(0, 2);
    d.w16(ringAddrs(0).avail + 2, d.availIdx[0]!);
    r.dev.receive(frame(60)); // takes buffer 0
    r.dev.receive(frame(60)); // buffer 1
    r.dev.receive(frame(60)); // the read-only one
  }, /^direction:/));

  test('an RX buffer too small for a frame', () => expectDeviceError((r, d) => {
    d.w16(ringAddrs(0).desc + 8, 100); // buffer 0's length
    r.dev.receive(frame(60));
  }, /^length:.*under the 1526/));

  test('a TX frame over 1514 bytes', () => expectDeviceError((_r, d) => {
    d.send([frame(1515)]);
  }, /^length:.*1515-byte untagged frame/));

  test('a TX chain shorter than the header', () => expectDeviceError((_r, d) => {
    d.desc(1, 0, txBuf(0), 8, 0);
    d.offer(1, 0);
    d.publish(1, 0);
  }, /^length:.*under the 12-byte header/));

  test('a queue size that is not a power of two', () => expectDeviceError((_r, d) => {
    d.write(COMMON.DEVICE_STATUS, 1, 0);
    d.negotiate();
    d.setupQueue(0, 8);
    d.setupQueue(1, 12);
  }, /^size:/));

  test('rings past memory', () => expectDeviceError((_r, d) => {
    d.write(COMMON.DEVICE_STATUS, 1, 0);
    d.negotiate();
    d.setupQueue(1, 8, { desc: ringAddrs(1).desc, avail: WINDOW_SIZE - 8, used: ringAddrs(1).used });
  }, /^ring:.*available ring/));

  test('an avail idx further ahead than the queue holds', () => expectDeviceError((_r, d) => {
    d.w16(ringAddrs(1).avail + 2, 9);
    d.write(REGION.NOTIFY + 4, 2, 1);
  }, /^avail-idx:/));

  test('bus mastering off (DMA refused) stops the device too', () => {
    const r = rig();
    let gated = false;
    const inner = r.dma;
    const ctx = {
      clock: () => 0,
      dma: { read: (a: number, l: number) => (gated ? undefined : inner.read(a, l)), write: (a: number, b: Uint8Array) => !gated && inner.write(a, b) },
      irq: () => {},
    };
    const dev = new VirtioNet(ctx, { mac: MAC });
    const d2 = new Driver({ ...r, dev, bar: dev.bar(0)! });
    d2.init();
    gated = true;
    dev.notify(1);
    expect(dev.stopped).toBe(true);
    expect(dev.lastError).toMatch(/^ring:.*no longer reachable/);
    expect(dev.counters.deviceErrors).toBe(1);
  });
});

describe('virtio-net: save and restore', () => {
  test('mid-traffic: a device restored from a snapshot continues exactly as the original', () => {
    const a = rig();
    const da = new Driver(a).init(16);
    da.post(8);
    da.send([frame(60, 1), frame(70, 2)]);
    a.dev.receive(frame(80, 3));
    // Some buffers made available but not yet kicked.
    da.desc(1, 5, txBuf(5), 12 + 90, 0);
    a.dma.write(txBuf(5) + 12, frame(90, 4));
    da.offer(1, 5);
    da.w16(ringAddrs(1).avail + 2, da.availIdx[1]!);

    const state = structuredClone(a.dev.save());
    const config = a.dev.config.save();
    const memory = a.mem.u8.slice();

    const b = rig();
    b.mem.u8.set(memory);
    b.dev.config.restore(config);
    b.dev.restore(state);
    expect(b.dev.save()).toEqual(a.dev.save());

    const continueTraffic = (r: Rig): unknown => {
      r.dev.notify(1);
      r.dev.receive(frame(100, 5));
      r.dev.receive(frame(110, 6));
      return { frames: r.peer.frames.slice(-1), counters: { ...r.dev.counters }, state: r.dev.save() };
    };
    const fromA = continueTraffic(a);
    const fromB = continueTraffic(b) as { frames: Uint8Array[] };
    expect(fromB.frames).toEqual([frame(90, 4)]);
    expect(fromB).toEqual(fromA);
    expect(same(b.mem.u8, a.mem.u8)).toBe(true);
    expect(same(b.mem.u8, memory)).toBe(false); // traffic did write memory
  });
});
