// One split virtqueue as the device sees it (virtio 1.x §2.6): it pops the
// descriptor chains the driver made available and pushes used elements back,
// every access through the function's Dma. A malformed ring never throws: each
// operation returns a QueueError, which the device turns into DEVICE_NEEDS_RESET.
// The device keeps its own copies of the indexes it owns (last_avail_idx, the
// used idx) and never trusts the driver's beyond one read.

import type { Dma } from '../../machine/dma.js';
import { reachable, readInto } from '../dma-into.js';
import {
  AVAIL_ALIGN, AVAIL_F_NO_INTERRUPT, DESC_ALIGN, DESC_F_INDIRECT, DESC_F_NEXT, DESC_F_WRITE, DESC_SIZE,
  MAX_QUEUE_SIZE, USED_ALIGN, USED_F_NO_NOTIFY, USED_ELEM_SIZE, availRingBytes, descTableBytes, isPowerOfTwo, needEvent, usedRingBytes,
} from './layout.js';

export type QueueErrorKind =
  | 'size' // queue size not a power of two, or over the maximum
  | 'ring' // a ring (or part of one) misaligned or outside what DMA reaches
  | 'avail-idx' // the driver claims more available buffers than the queue holds
  | 'index' // a descriptor index (head or next) past the table
  | 'loop' // a chain longer than the queue size: it loops
  | 'flags' // INDIRECT (not negotiated)
  | 'direction' // a buffer the device must read marked WRITE, or one it must write not
  | 'dma' // a buffer that DMA cannot reach
  | 'length'; // a chain too short or too long for what it carries (the device decides)

/** Why a queue stopped: returned, never thrown. */
export class QueueError {
  constructor(readonly kind: QueueErrorKind, readonly message: string) {}
}

export interface QueueBuffer {
  addr: number;
  len: number;
}

/** A popped chain: its head (the id pushed back in the used ring) and its buffers in order. */
export interface Chain {
  head: number;
  buffers: QueueBuffer[];
  /** Sum of the buffers' lengths. */
  bytes: number;
}

/** Which way a queue's buffers go: TX buffers are read by the device, RX buffers written. */
export type Direction = 'device-reads' | 'device-writes';

export interface QueueState {
  size: number;
  desc: number;
  driver: number;
  device: number;
  ready: boolean;
  lastAvail: number;
  used: number;
  signalled: number;
}

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** The little-endian 32-bit word at `at` (unsigned). */
const le32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;


export class SplitQueue {
  /** Set by the driver through common config (queue_size, queue_desc, queue_driver, queue_device). */
  size = MAX_QUEUE_SIZE;
  desc = 0;
  driver = 0;
  device = 0;
  /** queue_enable: the driver has set the queue up and the device validated it. */
  ready = false;
  /** Next available-ring slot the device consumes (free-running). */
  private lastAvail = 0;
  /** The used idx the device has published (free-running). */
  private used = 0;
  /** The used idx at the last interrupt decision (the event index rule's `old`). */
  private signalled = 0;

  /** With VIRTIO_RING_F_EVENT_IDX negotiated: used_event / avail_event instead of the flags. */
  eventIdx = false;

  // What push and write16 hand to DMA and what read16 and walk read into, made once: a Dma copies what it
  // writes, and a new array per access was a good part of what a frame allocated (and so of the host's
  // garbage collections).
  private readonly elem = new Uint8Array(USED_ELEM_SIZE);
  private readonly elemView = new DataView(this.elem.buffer);
  private readonly half = new Uint8Array(2);
  private readonly readHalf = new Uint8Array(2);
  private readonly descBytes = new Uint8Array(DESC_SIZE);

  /**
   * `wantsKicks`: whether the device needs notifications for this queue. A
   * receive queue does not (buffers are taken when a frame arrives), so it asks
   * for none: NO_NOTIFY, or with EVENT_IDX an avail_event one behind what it has seen.
   */
  constructor(private readonly dma: Dma, readonly direction: Direction, readonly wantsKicks = true) {}

  reset(): void {
    this.size = MAX_QUEUE_SIZE;
    this.desc = this.driver = this.device = 0;
    this.ready = false;
    this.lastAvail = this.used = this.signalled = 0;
    this.eventIdx = false;
  }

  /** Validate the layout the driver wrote and start the queue (queue_enable = 1). */
  enable(): QueueError | undefined {
    const s = this.size;
    if (!isPowerOfTwo(s) || s > MAX_QUEUE_SIZE) return new QueueError('size', `queue size ${s} is not a power of two up to ${MAX_QUEUE_SIZE}`);
    const parts: [string, number, number, number][] = [
      ['descriptor table', this.desc, descTableBytes(s), DESC_ALIGN],
      ['available ring', this.driver, availRingBytes(s), AVAIL_ALIGN],
      ['used ring', this.device, usedRingBytes(s), USED_ALIGN],
    ];
    for (const [what, addr, len, align] of parts) {
      if (addr % align !== 0) return new QueueError('ring', `${what} at ${hex(addr)} is not ${align}-aligned`);
      if (!reachable(this.dma, addr, len)) return new QueueError('ring', `${what} ${hex(addr)}+${hex(len)} is outside what DMA reaches`);
    }
    this.lastAvail = this.used = this.signalled = 0;
    const noNotify = !this.wantsKicks && !this.eventIdx ? USED_F_NO_NOTIFY : 0;
    if (!this.write16(this.device, noNotify) || !this.write16(this.device + 2, 0)) return this.ringGone('used ring');
    const err = this.publishAvailEvent(0);
    if (err) return err;
    this.ready = true;
    return undefined;
  }

  /** The next available chain, undefined when the driver has made none available, or the error that stops the queue. */
  pop(): Chain | undefined | QueueError {
    const availIdx = this.read16(this.driver + 2);
    if (availIdx === undefined) return this.ringGone('available ring');
    const waiting = (availIdx - this.lastAvail) & 0xffff;
    if (waiting > this.size) return new QueueError('avail-idx', `available idx ${availIdx} is ${waiting} ahead of the device's ${this.lastAvail}, past the queue size ${this.size}`);
    if (waiting === 0) return this.publishAvailEvent(availIdx);
    const head = this.read16(this.driver + 4 + 2 * (this.lastAvail % this.size));
    if (head === undefined) return this.ringGone('available ring');
    const chain = this.walk(head);
    if (chain instanceof QueueError) return chain;
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    const err = this.publishAvailEvent(availIdx);
    return err ?? chain;
  }

  /** Give back the chain pop() just returned, unused (a frame that does not fit it): the next pop() returns it again. */
  unpop(): void {
    this.lastAvail = (this.lastAvail - 1) & 0xffff;
  }

  /** Return chain `head` to the driver with `len` bytes written into it, and publish the used idx. */
  push(head: number, len: number): QueueError | undefined {
    const slot = this.device + 4 + USED_ELEM_SIZE * (this.used % this.size);
    const elem = this.elem;
    this.elemView.setUint32(0, head, true);
    this.elemView.setUint32(4, len >>> 0, true);
    if (!this.dma.write(slot, elem)) return this.ringGone('used ring');
    this.used = (this.used + 1) & 0xffff;
    return this.write16(this.device + 2, this.used) ? undefined : this.ringGone('used ring');
  }

  /**
   * Whether the used elements pushed since the last call deserve an interrupt:
   * the event index rule on used_event, or the driver's NO_INTERRUPT flag.
   * False when nothing was pushed.
   */
  shouldInterrupt(): boolean | QueueError {
    const old = this.signalled;
    const now = this.used;
    if (old === now) return false;
    this.signalled = now;
    if (this.eventIdx) {
      const usedEvent = this.read16(this.driver + 4 + 2 * this.size);
      return usedEvent === undefined ? this.ringGone('available ring') : needEvent(usedEvent, now, old);
    }
    const flags = this.read16(this.driver);
    return flags === undefined ? this.ringGone('available ring') : (flags & AVAIL_F_NO_INTERRUPT) === 0;
  }

  /** The bytes of a chain the device reads (TX), in order. */
  gather(chain: Chain): Uint8Array | QueueError {
    const out = new Uint8Array(chain.bytes);
    let at = 0;
    for (const b of chain.buffers) {
      const bytes = this.dma.read(b.addr, b.len);
      if (!bytes) return new QueueError('dma', `buffer ${hex(b.addr)}+${hex(b.len)} of chain ${chain.head} is outside what DMA reaches`);
      out.set(bytes, at);
      at += b.len;
    }
    return out;
  }

  /** Write `bytes` across a chain the device writes (RX), buffer after buffer; the chain must hold them. */
  scatter(chain: Chain, bytes: Uint8Array): QueueError | undefined {
    if (bytes.length > chain.bytes) return new QueueError('length', `chain ${chain.head} holds ${chain.bytes} bytes, ${bytes.length} needed`);
    let at = 0;
    for (const b of chain.buffers) {
      if (at === bytes.length) break;
      const part = bytes.subarray(at, at + Math.min(b.len, bytes.length - at));
      if (!this.dma.write(b.addr, part)) return new QueueError('dma', `buffer ${hex(b.addr)}+${hex(b.len)} of chain ${chain.head} is outside what DMA reaches`);
      at += part.length;
    }
    return undefined;
  }

  save(): QueueState {
    return {
      size: this.size, desc: this.desc, driver: this.driver, device: this.device, ready: this.ready,
      lastAvail: this.lastAvail, used: this.used, signalled: this.signalled,
    };
  }

  /** Restore a saved queue; eventIdx comes from the device's negotiated features. */
  restore(s: QueueState): void {
    this.size = s.size;
    this.desc = s.desc;
    this.driver = s.driver;
    this.device = s.device;
    this.ready = s.ready;
    this.lastAvail = s.lastAvail;
    this.used = s.used;
    this.signalled = s.signalled;
  }

  /** Follow NEXT from `head`; at most `size` descriptors, or the chain loops. */
  private walk(head: number): Chain | QueueError {
    const buffers: QueueBuffer[] = [];
    let bytes = 0;
    let i = head;
    for (;;) {
      if (i >= this.size) return new QueueError('index', `descriptor index ${i} is past the table of ${this.size}`);
      if (buffers.length === this.size) return new QueueError('loop', `the chain from descriptor ${head} is longer than the queue size ${this.size}: it loops`);
      const d = this.descBytes;
      if (!readInto(this.dma, this.desc + DESC_SIZE * i, d)) return this.ringGone('descriptor table');
      const addr = le32(d, 0);
      const addrHigh = le32(d, 4);
      const len = le32(d, 8);
      const flags = d[12]! | (d[13]! << 8);
      if (flags & DESC_F_INDIRECT) return new QueueError('flags', `descriptor ${i} is INDIRECT, which was not negotiated`);
      const writes = (flags & DESC_F_WRITE) !== 0;
      if (writes !== (this.direction === 'device-writes')) {
        return new QueueError('direction', `descriptor ${i} is ${writes ? '' : 'not '}marked WRITE on a queue the device ${this.direction === 'device-writes' ? 'writes' : 'reads'}`);
      }
      if (addrHigh !== 0 || !reachable(this.dma, addr, len)) {
        return new QueueError('dma', `descriptor ${i}'s buffer ${addrHigh ? hex(addrHigh) + '_' : ''}${hex(addr)}+${hex(len)} is outside what DMA reaches`);
      }
      buffers.push({ addr, len });
      bytes += len;
      if (!(flags & DESC_F_NEXT)) return { head, buffers, bytes };
      i = d[14]! | (d[15]! << 8);
    }
  }

  /** With EVENT_IDX: ask to be kicked only once the driver moves past what the device has seen. */
  private publishAvailEvent(availIdx: number): QueueError | undefined {
    if (!this.eventIdx) return undefined;
    const event = this.wantsKicks ? availIdx : availIdx - 1;
    return this.write16(this.device + 4 + USED_ELEM_SIZE * this.size, event) ? undefined : this.ringGone('used ring');
  }

  private ringGone(what: string): QueueError {
    return new QueueError('ring', `the ${what} is no longer reachable by DMA (bus mastering off?)`);
  }

  private read16(addr: number): number | undefined {
    const b = this.readHalf;
    return readInto(this.dma, addr, b) ? b[0]! | (b[1]! << 8) : undefined;
  }

  private write16(addr: number, value: number): boolean {
    const b = this.half;
    b[0] = value & 0xff;
    b[1] = (value >>> 8) & 0xff;
    return this.dma.write(addr, b);
  }
}
