// A virtio-net driver written in TypeScript for the tests: it builds split
// rings in a real PhysicalMemory reached through a WindowDma, talks to the
// device through its BAR0 only (as a guest would), and follows the event index
// rule for its kicks. Addresses are bus addresses (offsets in the DMA window).

import { VirtioNet } from '../../../src/devices/virtio-net/net.js';
import { COMMON, FEATURE, REGION, STATUS } from '../../../src/devices/virtio-net/registers.js';
import { needEvent } from '../../../src/devices/virtio/layout.js';
import type { AccessSize, BusDevice } from '../../../src/machine/device.js';
import { WindowDma } from '../../../src/machine/dma.js';
import { PhysicalMemory } from '../../../src/machine/memory.js';
import type { FrameEvent, FrameReceiver } from '../../../src/net/types.js';

/** Where the window starts in RAM, and its size: RAM outside it is filled with a pattern no DMA may change. */
export const WINDOW_BASE = 0x4000;
export const WINDOW_SIZE = 0x40000;
export const RAM_SIZE = 0x50000;
export const MAC = '02:00:00:00:00:01';
export const ALL_FEATURES = [(1 << FEATURE.NET_MAC) | (1 << FEATURE.RING_EVENT_IDX), 1 << (FEATURE.VERSION_1 - 32)] as const;

/** Each queue's rings: queue q's descriptor table, avail and used rings (room for 256 entries). */
export const ringAddrs = (q: number): { desc: number; avail: number; used: number } => {
  const base = 0x1000 + q * 0x3000;
  return { desc: base, avail: base + 0x1000, used: base + 0x2000 };
};
/** Buffers: 2 KiB each from 0x8000, RX slots first, TX slots from 0x20000. */
export const rxBuf = (i: number): number => 0x8000 + i * 0x800;
export const txBuf = (i: number): number => 0x20000 + i * 0x800;

export class Collector implements FrameReceiver {
  frames: Uint8Array[] = [];
  receive(frame: Uint8Array): void { this.frames.push(frame.slice()); }
}

export interface Rig {
  mem: PhysicalMemory;
  dma: WindowDma;
  dev: VirtioNet;
  bar: BusDevice;
  /** Current level of each vector the device drives. */
  lines: Map<number, boolean>;
  /** Rising edges per vector. */
  rises: number[];
  events: FrameEvent[];
  peer: Collector;
  /** A copy of RAM outside the window, taken when the rig was built. */
  outside: () => Uint8Array;
}

export function rig(): Rig {
  const mem = new PhysicalMemory(RAM_SIZE);
  for (let i = 0; i < RAM_SIZE; i++) mem.u8[i] = (i * 7 + 3) & 0xff;
  mem.u8.fill(0, WINDOW_BASE, WINDOW_BASE + WINDOW_SIZE);
  const dma = new WindowDma(mem, WINDOW_BASE, WINDOW_SIZE);
  const lines = new Map<number, boolean>();
  const rises = [0, 0];
  const ctx = {
    clock: () => 0,
    dma,
    irq(vector: number, level: boolean) {
      if (level && !lines.get(vector)) rises[vector] = (rises[vector] ?? 0) + 1;
      lines.set(vector, level);
    },
  };
  const events: FrameEvent[] = [];
  const dev = new VirtioNet(ctx, { mac: MAC, observer: (e) => events.push(e) });
  const peer = new Collector();
  dev.connect(peer);
  const outside = (): Uint8Array => {
    const out = new Uint8Array(RAM_SIZE - WINDOW_SIZE);
    out.set(mem.u8.subarray(0, WINDOW_BASE));
    out.set(mem.u8.subarray(WINDOW_BASE + WINDOW_SIZE), WINDOW_BASE);
    return out;
  };
  return { mem, dma, dev, bar: dev.bar(0)!, lines, rises, events, peer, outside };
}

/** A test frame: broadcast from MAC, experimental ethertype, `len` bytes in all, payload bytes seeded. */
export function frame(len: number, seed = 0): Uint8Array {
  const f = new Uint8Array(len);
  f.fill(0xff, 0, 6);
  f.set([2, 0, 0, 0, 0, 1], 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 14; i < len; i++) f[i] = (i + seed * 31) & 0xff;
  return f;
}

/** The driver side of one device: ring bookkeeping in guest memory, BAR0 accesses, kicks by the rule. */
export class Driver {
  kicks = 0;
  /** Per queue: the next avail idx the driver publishes, the next descriptor it fills, the used idx it has consumed. */
  availIdx = [0, 0];
  nextDesc = [0, 0];
  lastUsed = [0, 0];
  size = [0, 0];
  eventIdx = false;

  constructor(readonly r: Rig) {}

  // BAR0
  read(off: number, size: AccessSize): number { return this.r.bar.read(off, size); }
  write(off: number, size: AccessSize, v: number): void { this.r.bar.write(off, size, v); }
  status(): number { return this.read(COMMON.DEVICE_STATUS, 1); }

  // memory at bus addresses
  w16(a: number, v: number): void { this.r.dma.write(a, new Uint8Array([v & 0xff, (v >>> 8) & 0xff])); }
  w32(a: number, v: number): void { this.r.dma.write(a, new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24])); }
  r16(a: number): number { const b = this.r.dma.read(a, 2)!; return b[0]! | (b[1]! << 8); }
  r32(a: number): number { const b = this.r.dma.read(a, 4)!; return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0; }

  /** ACKNOWLEDGE, DRIVER, features, FEATURES_OK; true if the device kept FEATURES_OK. */
  negotiate(features: readonly [number, number] = ALL_FEATURES): boolean {
    this.write(COMMON.DEVICE_STATUS, 1, STATUS.ACKNOWLEDGE);
    this.write(COMMON.DEVICE_STATUS, 1, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    for (const sel of [0, 1]) {
      this.write(COMMON.DRIVER_FEATURE_SELECT, 4, sel);
      this.write(COMMON.DRIVER_FEATURE, 4, features[sel]!);
    }
    this.write(COMMON.DEVICE_STATUS, 1, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    this.eventIdx = ((features[0] >>> FEATURE.RING_EVENT_IDX) & 1) === 1;
    return (this.status() & STATUS.FEATURES_OK) !== 0;
  }

  setupQueue(q: number, size: number, addrs = ringAddrs(q)): void {
    this.write(COMMON.QUEUE_SELECT, 2, q);
    this.write(COMMON.QUEUE_SIZE, 2, size);
    this.write(COMMON.QUEUE_DESC_LO, 4, addrs.desc);
    this.write(COMMON.QUEUE_DESC_HI, 4, 0);
    this.write(COMMON.QUEUE_DRIVER_LO, 4, addrs.avail);
    this.write(COMMON.QUEUE_DRIVER_HI, 4, 0);
    this.write(COMMON.QUEUE_DEVICE_LO, 4, addrs.used);
    this.write(COMMON.QUEUE_DEVICE_HI, 4, 0);
    this.write(COMMON.QUEUE_ENABLE, 2, 1);
    this.size[q] = size;
    this.availIdx[q] = this.nextDesc[q] = this.lastUsed[q] = 0;
  }

  driverOk(): void {
    this.write(COMMON.DEVICE_STATUS, 1, this.status() | STATUS.DRIVER_OK);
  }

  /** The whole bring-up: features, RX and TX queues of `size`, DRIVER_OK. */
  init(size = 8, features: readonly [number, number] = ALL_FEATURES): this {
    if (!this.negotiate(features)) throw new Error('FEATURES_OK refused');
    this.setupQueue(0, size);
    this.setupQueue(1, size);
    this.driverOk();
    return this;
  }

  /** Write descriptor `i` of queue q. */
  desc(q: number, i: number, addr: number, len: number, flags: number, next = 0): void {
    const a = ringAddrs(q).desc + 16 * i;
    this.w32(a, addr);
    this.w32(a + 4, 0);
    this.w32(a + 8, len);
    this.w16(a + 12, flags);
    this.w16(a + 14, next);
  }

  /** Put chain `head` in the available ring (not yet published). */
  offer(q: number, head: number): void {
    const { avail } = ringAddrs(q);
    this.w16(avail + 4 + 2 * (this.availIdx[q]! % this.size[q]!), head);
    this.availIdx[q] = (this.availIdx[q]! + 1) & 0xffff;
  }

  /** Publish the avail idx; kick if the device asked for it (event index rule, or no NO_NOTIFY). */
  publish(q: number, old: number): void {
    const { avail, used } = ringAddrs(q);
    this.w16(avail + 2, this.availIdx[q]!);
    const kick = this.eventIdx
      ? needEvent(this.r16(used + 4 + 8 * this.size[q]!), this.availIdx[q]!, old)
      : (this.r16(used) & 1) === 0;
    if (kick) {
      this.kicks++;
      this.write(REGION.NOTIFY + 4 * q, 2, q);
    }
  }

  /** Queue frames for transmission (header + frame in one buffer each, or split in two descriptors), then publish once. */
  send(frames: Uint8Array[], split = false): void {
    const q = 1;
    const old = this.availIdx[q]!;
    for (const f of frames) {
      const head = this.nextDesc[q]!;
      const slot = head;
      const buf = txBuf(slot);
      const bytes = new Uint8Array(12 + f.length);
      bytes.set(f, 12);
      this.r.dma.write(buf, bytes);
      if (split) {
        const second = (head + 1) % this.size[q]!;
        this.desc(q, head, buf, 12, 1, second);
        this.desc(q, second, buf + 12, f.length, 0);
        this.nextDesc[q] = (head + 2) % this.size[q]!;
      } else {
        this.desc(q, head, buf, bytes.length, 0);
        this.nextDesc[q] = (head + 1) % this.size[q]!;
      }
      this.offer(q, head);
    }
    this.publish(q, old);
  }

  /** Post `n` receive buffers of `len` bytes (one descriptor each). */
  post(n: number, len = 1526): void {
    const q = 0;
    const old = this.availIdx[q]!;
    for (let k = 0; k < n; k++) {
      const i = this.nextDesc[q]!;
      this.desc(q, i, rxBuf(i), len, 2);
      this.offer(q, i);
      this.nextDesc[q] = (i + 1) % this.size[q]!;
    }
    this.publish(q, old);
  }

  /** Used elements the driver has not consumed yet: {id, len}, and consume them. */
  reap(q: number): { id: number; len: number }[] {
    const { used } = ringAddrs(q);
    const idx = this.r16(used + 2);
    const out: { id: number; len: number }[] = [];
    while (this.lastUsed[q] !== idx) {
      const e = used + 4 + 8 * (this.lastUsed[q]! % this.size[q]!);
      out.push({ id: this.r32(e), len: this.r32(e + 4) });
      this.lastUsed[q] = (this.lastUsed[q]! + 1) & 0xffff;
    }
    return out;
  }

  /** used_event (the driver's: interrupt me once the used idx passes this). */
  setUsedEvent(q: number, v: number): void {
    this.w16(ringAddrs(q).avail + 4 + 2 * this.size[q]!, v);
  }

  setAvailFlags(q: number, flags: number): void {
    this.w16(ringAddrs(q).avail, flags);
  }

  /** The received frame in RX buffer `i` (after its 12-byte header), `len` = the used length. */
  received(i: number, len: number): { header: Uint8Array; frame: Uint8Array } {
    const bytes = this.r.dma.read(rxBuf(i), len)!;
    return { header: bytes.subarray(0, 12), frame: bytes.subarray(12) };
  }
}
