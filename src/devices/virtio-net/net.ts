// The virtio-style NIC (docs/nics.md "The virtio-style NIC"): a PCI function
// whose BAR0 holds the virtio 1.x structures, with a receive queue (0) and a
// transmit queue (1) in guest memory. On a TX notification (doorbell write or
// notify(), which the pv net_notify hypercall calls) it sends every available
// TX chain to its peer; a frame handed to receive() goes into the next RX chain
// at once. Interrupts follow the driver's suppression (event index or flag).
// A malformed ring stops the device (DEVICE_NEEDS_RESET, a configuration
// interrupt) until the driver resets it; nothing is ever written outside the DMA window.

import type { AccessSize, BusDevice } from '../../machine/device.js';
import type { Dma } from '../../machine/dma.js';
import { describeFrame, frameError } from '../../net/frame.js';
import { observing } from '../../net/observe.js';
import { MAC_LENGTH, parseMac } from '../../net/mac.js';
import type { DropReason, FrameObserver, FrameReceiver, FrameSender } from '../../net/types.js';
import { ConfigSpace } from '../pci/config-space.js';
import type { PciFunction, PciFunctionContext, PciFunctionFactory } from '../pci/function.js';
import { Msix, type MsixState } from '../pci/msix.js';
import { CountingDma } from '../virtio/counting-dma.js';
import { QueueError, SplitQueue, type Chain, type QueueState } from '../virtio/virtqueue.js';
import { CommonConfig, type CommonConfigState } from './common-config.js';
import { createVirtioNetCounters, type VirtioNetCounters } from './counters.js';
import {
  BAR0_SIZE, CFG_TYPE, COMMON_LENGTH, DEVICE_CONFIG, DEVICE_LENGTH, FEATURE, ISR, ISR_LENGTH, MIN_RX_CHAIN, MSIX_VECTORS,
  NET_HDR_LENGTH, NET_S_LINK_UP, NO_VECTOR, NOTIFY_MULTIPLIER, QUEUE_COUNT, REGION, RX_QUEUE, STATUS, TX_QUEUE,
  VIRTIO_NET_CLASS, VIRTIO_NET_DEVICE_ID, VIRTIO_NET_REVISION, VIRTIO_SUBSYSTEM_ID, VIRTIO_SUBSYSTEM_VENDOR_ID, VIRTIO_VENDOR_ID,
} from './registers.js';

export interface VirtioNetOptions {
  /** Unique on a board (device state is saved under it); default 'virtio-net'. */
  name?: string;
  /** The MAC the device configuration reports ("02:00:00:00:00:01" or 6 bytes). */
  mac: string | Uint8Array;
  observer?: FrameObserver;
}

export interface VirtioNetState {
  msix: MsixState;
  common: CommonConfigState;
  queues: QueueState[];
  isr: number;
  levels: boolean[];
  counters: VirtioNetCounters;
  lastError: string | undefined;
}

/** The largest TX chain the device reads: the header and a tagged frame of 1518 bytes. */
const MAX_TX_CHAIN = NET_HDR_LENGTH + 1518;

export class VirtioNet implements PciFunction, FrameSender, FrameReceiver {
  readonly name: string;
  readonly config: ConfigSpace;
  readonly counters: VirtioNetCounters = createVirtioNetCounters();
  readonly mac: Uint8Array;
  observer: FrameObserver | undefined;
  /** Queue 0 receives (the device writes its buffers), queue 1 transmits. */
  readonly queues: readonly SplitQueue[];
  /** Why the device stopped, while DEVICE_NEEDS_RESET is set (for a debugger, a test, a report). */
  lastError: string | undefined;
  private readonly msix: Msix;
  private readonly common: CommonConfig;
  private readonly bar0: BusDevice;
  private isr = 0;
  /** The level each interrupt vector is driven at (vector 0 is INTx while MSI-X is off). */
  private levels: boolean[] = new Array<boolean>(MSIX_VECTORS).fill(false);
  private peer: FrameReceiver | undefined;

  constructor(private readonly ctx: PciFunctionContext, options: VirtioNetOptions) {
    this.name = options.name ?? 'virtio-net';
    this.mac = typeof options.mac === 'string' ? parseMac(options.mac) : Uint8Array.from(options.mac);
    if (this.mac.length !== MAC_LENGTH) throw new RangeError(`${this.name}: a MAC has ${MAC_LENGTH} bytes, not ${this.mac.length}`);
    this.observer = options.observer;
    const dma: Dma = new CountingDma(ctx.dma, (n) => { this.counters.dmaBytes += n; });
    this.queues = [new SplitQueue(dma, 'device-writes', false), new SplitQueue(dma, 'device-reads', true)];
    this.common = new CommonConfig({
      queues: this.queues,
      resetDevice: () => this.resetDevice(),
      enableQueue: (q) => this.enableQueue(q),
      featuresAccepted: () => { for (const q of this.queues) q.eventIdx = this.common.has(FEATURE.RING_EVENT_IDX); },
    });
    this.config = new ConfigSpace({
      vendorId: VIRTIO_VENDOR_ID, deviceId: VIRTIO_NET_DEVICE_ID, classCode: VIRTIO_NET_CLASS, revision: VIRTIO_NET_REVISION,
      subsystemVendorId: VIRTIO_SUBSYSTEM_VENDOR_ID, subsystemId: VIRTIO_SUBSYSTEM_ID, bars: [BAR0_SIZE],
    });
    addVirtioCapability(this.config, CFG_TYPE.COMMON, REGION.COMMON, COMMON_LENGTH);
    addVirtioCapability(this.config, CFG_TYPE.NOTIFY, REGION.NOTIFY, QUEUE_COUNT * NOTIFY_MULTIPLIER, NOTIFY_MULTIPLIER);
    addVirtioCapability(this.config, CFG_TYPE.ISR, REGION.ISR, ISR_LENGTH);
    addVirtioCapability(this.config, CFG_TYPE.DEVICE, REGION.DEVICE, DEVICE_LENGTH);
    this.msix = new Msix(this.config, { vectors: MSIX_VECTORS, bar: 0, tableOffset: REGION.MSIX_TABLE, pbaOffset: REGION.MSIX_PBA }, ctx);
    this.bar0 = { read: (o, s) => this.readBar(o, s), write: (o, s, v) => this.writeBar(o, s, v) };
  }

  bar(n: number): BusDevice | undefined {
    return n === 0 ? this.bar0 : undefined;
  }

  connect(peer: FrameReceiver): void {
    this.peer = peer;
  }

  /** device_status as the driver reads it. */
  get status(): number {
    return this.common.status;
  }

  /** Stopped on a device error until the driver resets the device. */
  get stopped(): boolean {
    return (this.common.status & STATUS.DEVICE_NEEDS_RESET) !== 0;
  }

  /** A notification (kick) for `queue`: the doorbell's and the pv hypercall's. False: no such queue. */
  notify(queue: number): boolean {
    if (!Number.isInteger(queue) || queue < 0 || queue >= QUEUE_COUNT) return false;
    this.counters.notifications++;
    if (queue === TX_QUEUE && this.live(this.queues[TX_QUEUE]!)) this.transmit();
    return true; // RX kicks need nothing: buffers are taken when frames arrive
  }

  /** A frame from the peer: into the next receive chain, or counted as dropped. */
  receive(frame: Uint8Array): void {
    const rx = this.queues[RX_QUEUE]!;
    if (this.stopped) return this.drop(frame, 'device-error');
    if (!this.live(rx)) return this.drop(frame, 'disabled');
    const bad = frameError(frame);
    if (bad) return this.drop(frame, bad);
    const chain = rx.pop();
    if (chain === undefined) return this.drop(frame, 'no-buffer');
    if (chain instanceof QueueError) return this.failAndDrop(chain, frame);
    if (chain.bytes < MIN_RX_CHAIN) {
      return this.failAndDrop(new QueueError('length', `receive chain ${chain.head} holds ${chain.bytes} bytes, under the ${MIN_RX_CHAIN} a header and a frame need`), frame);
    }
    if (chain.bytes < NET_HDR_LENGTH + frame.length) { // a tagged 1518-byte frame in a 1526-byte chain
      rx.unpop();
      return this.drop(frame, 'too-long');
    }
    const bytes = new Uint8Array(NET_HDR_LENGTH + frame.length);
    bytes[10] = 1; // num_buffers; no offloads: every other header field 0
    bytes.set(frame, NET_HDR_LENGTH);
    const err = rx.scatter(chain, bytes) ?? rx.push(chain.head, bytes.length);
    if (err) return this.failAndDrop(err, frame);
    this.counters.rxFrames++;
    this.counters.rxBytes += frame.length;
    this.observe('rx', frame);
    this.afterPush(RX_QUEUE);
  }

  /** Power-on state: device reset, MSI-X table masked (counters kept; the bus resets the configuration space). */
  reset(): void {
    this.resetDevice();
    this.msix.reset();
  }

  /** The device's own state (the bus saves the configuration space bytes). */
  save(): VirtioNetState {
    return {
      msix: this.msix.save(), common: this.common.save(),
      queues: this.queues.map((q) => q.save()), isr: this.isr, levels: [...this.levels],
      counters: { ...this.counters }, lastError: this.lastError,
    };
  }

  restore(state: unknown): void {
    const s = state as VirtioNetState;
    this.msix.restore(s.msix);
    this.common.restore(s.common);
    const eventIdx = (s.common.status & STATUS.FEATURES_OK) !== 0 && this.common.has(FEATURE.RING_EVENT_IDX);
    this.queues.forEach((q, i) => { q.restore(s.queues[i]!); q.eventIdx = eventIdx; });
    this.isr = s.isr;
    this.levels = [...s.levels];
    Object.assign(this.counters, s.counters);
    this.lastError = s.lastError;
  }

  // --- queues -------------------------------------------------------------------

  private live(q: SplitQueue): boolean {
    return (this.common.status & STATUS.DRIVER_OK) !== 0 && !this.stopped && q.ready;
  }

  /** Send every available TX chain (at most a queue's worth: the driver cannot add more meanwhile). */
  private transmit(): void {
    const tx = this.queues[TX_QUEUE]!;
    let pushed = 0;
    for (let n = 0; n < tx.size; n++) {
      const chain = tx.pop();
      if (chain === undefined) break;
      if (chain instanceof QueueError) return this.fail(chain);
      const frame = this.txFrame(tx, chain);
      if (frame instanceof QueueError) return this.fail(frame);
      const err = tx.push(chain.head, 0);
      if (err) return this.fail(err);
      pushed++;
      this.counters.txFrames++;
      this.counters.txBytes += frame.length;
      this.observe('tx', frame);
      this.peer?.receive(frame);
      if (this.stopped) return; // the peer's delivery cannot reach back here today; stay safe if it ever does
    }
    if (pushed > 0) this.afterPush(TX_QUEUE);
  }

  /** The frame in a TX chain: after the header, at most 1514 bytes (1518 tagged). */
  private txFrame(tx: SplitQueue, chain: Chain): Uint8Array | QueueError {
    if (chain.bytes < NET_HDR_LENGTH) return new QueueError('length', `transmit chain ${chain.head} holds ${chain.bytes} bytes, under the ${NET_HDR_LENGTH}-byte header`);
    if (chain.bytes > MAX_TX_CHAIN) return new QueueError('length', `transmit chain ${chain.head} carries a ${chain.bytes - NET_HDR_LENGTH}-byte frame, over 1514 (1518 tagged)`);
    const bytes = tx.gather(chain);
    if (bytes instanceof QueueError) return bytes;
    const frame = bytes.subarray(NET_HDR_LENGTH);
    if (frameError(frame) === 'too-long') return new QueueError('length', `transmit chain ${chain.head} carries a ${frame.length}-byte untagged frame, over 1514`);
    return frame;
  }

  private afterPush(q: number): void {
    const want = this.queues[q]!.shouldInterrupt();
    if (want instanceof QueueError) return this.fail(want);
    if (want) this.interrupt(ISR.QUEUE, this.common.queueVectors[q]!);
    else this.counters.suppressedInterrupts++;
  }

  private enableQueue(q: number): void {
    const queue = this.queues[q]!;
    if (this.common.high[q]!.some((w) => w !== 0)) {
      return this.fail(new QueueError('ring', `queue ${q}'s rings are above 4 GiB (an upper address word is not 0)`));
    }
    const err = queue.enable();
    if (err) this.fail(err);
  }

  // --- status, errors, interrupts ---------------------------------------------

  private resetDevice(): void {
    this.common.reset();
    for (const q of this.queues) q.reset();
    this.isr = 0;
    this.lastError = undefined;
    this.lower();
  }

  private fail(err: QueueError): void {
    if (this.stopped) return;
    this.common.status |= STATUS.DEVICE_NEEDS_RESET;
    this.counters.deviceErrors++;
    this.lastError = `${err.kind}: ${err.message}`;
    this.interrupt(ISR.CONFIG, this.common.configVector);
  }

  private failAndDrop(err: QueueError, frame: Uint8Array): void {
    this.fail(err);
    this.drop(frame, 'device-error');
  }

  private drop(frame: Uint8Array, reason: DropReason): void {
    this.counters.rxDropped++;
    this.observe('drop', frame, reason);
  }

  private observe(kind: 'tx' | 'rx' | 'drop', frame: Uint8Array, reason?: DropReason): void {
    if (!observing(this.observer)) return;
    this.observer({ kind, where: this.name, ...describeFrame(frame), ...(reason ? { reason } : {}) });
  }

  /**
   * Set ISR bits and drive the vector: INTx (vector 0) while MSI-X is off, else
   * the queue's or configuration's vector (none: NO_VECTOR). virtlab's lines are
   * levels, so the vector stays raised until the driver reads the ISR.
   */
  private interrupt(bits: number, vector: number): void {
    this.isr |= bits;
    const v = this.msix.enabled ? vector : 0;
    if (v === NO_VECTOR || v >= MSIX_VECTORS || this.levels[v]) return;
    this.counters.interruptsRaised++;
    this.levels[v] = true;
    this.msix.raise(v, true);
  }

  private lower(): void {
    this.levels.forEach((up, v) => { if (up) { this.levels[v] = false; this.msix.raise(v, false); } });
  }

  // --- BAR0 ---------------------------------------------------------------------

  private readBar(offset: number, size: AccessSize): number {
    this.counters.regReads++;
    if (offset < COMMON_LENGTH) return this.common.read(offset, size);
    if (offset === REGION.ISR) { // read to clear, and the lines go down
      const isr = this.isr;
      this.isr = 0;
      this.lower();
      return isr;
    }
    if (offset >= REGION.DEVICE && offset + size <= REGION.DEVICE + DEVICE_LENGTH) return this.deviceConfig(offset - REGION.DEVICE, size);
    if (this.msix.covers(offset)) return this.msix.read(offset, size);
    return 0;
  }

  private writeBar(offset: number, size: AccessSize, value: number): void {
    this.counters.regWrites++;
    if (offset < COMMON_LENGTH) return this.common.write(offset, size, value);
    const doorbell = offset - REGION.NOTIFY;
    if (doorbell >= 0 && doorbell < QUEUE_COUNT * NOTIFY_MULTIPLIER) {
      if (doorbell % NOTIFY_MULTIPLIER === 0) this.notify(doorbell / NOTIFY_MULTIPLIER);
      return;
    }
    if (this.msix.covers(offset)) this.msix.write(offset, size, value);
  }

  /** mac (6 bytes) then status (2: link up), little-endian, any aligned access width. */
  private deviceConfig(offset: number, size: AccessSize): number {
    const bytes = new Uint8Array(DEVICE_LENGTH);
    bytes.set(this.mac, DEVICE_CONFIG.MAC);
    bytes[DEVICE_CONFIG.STATUS] = NET_S_LINK_UP;
    if (offset % size !== 0) return 0;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | bytes[offset + i]!;
    return v >>> 0;
  }
}

/** virtio_pci_cap (§4.1.4): cfg_type, bar, id, 2 padding bytes, offset, length, and for notify the multiplier. */
function addVirtioCapability(config: ConfigSpace, cfgType: number, offset: number, length: number, multiplier?: number): number {
  const body = [cfgType, 0, 0, 0, 0, ...le32(offset), ...le32(length), ...(multiplier === undefined ? [] : le32(multiplier))];
  return config.addVendorCapability(body);
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Builds a virtio-net function on the context its PCI bus gives it. */
export function virtioNetFactory(options: VirtioNetOptions): PciFunctionFactory {
  return (ctx) => new VirtioNet(ctx, options);
}
