// The virtio PCI common configuration structure (virtio 1.x §4.1.4.3): feature
// negotiation, device status, and each queue's setup through queue_select. A
// field answers only accesses of its own width (the 64-bit addresses as two
// 32-bit halves); any other access reads 0 and writes nothing. Side effects the
// device owns (reset, a queue going live) are the host's.

import type { AccessSize } from '../../machine/device.js';
import type { SplitQueue } from '../virtio/virtqueue.js';
import { COMMON, FEATURE, MSIX_VECTORS, NO_VECTOR, OFFERED_FEATURES, QUEUE_COUNT, STATUS } from './registers.js';

export interface CommonConfigHost {
  readonly queues: readonly SplitQueue[];
  /** The driver wrote 0 to device_status. */
  resetDevice(): void;
  /** The driver wrote 1 to queue_enable of a queue not yet enabled. */
  enableQueue(q: number): void;
  /** FEATURES_OK was accepted with these features (words 0 and 1). */
  featuresAccepted(features: readonly [number, number]): void;
}

export interface CommonConfigState {
  deviceFeatureSelect: number;
  driverFeatureSelect: number;
  driverFeatures: [number, number];
  configVector: number;
  status: number;
  queueSelect: number;
  queueVectors: number[];
  /** Per queue, the upper words of desc, driver, device (must be 0 when the queue is enabled). */
  high: number[][];
}

/** Field widths by offset (the 64-bit address fields are listed by halves). */
const WIDTH = new Map<number, AccessSize>([
  [COMMON.DEVICE_FEATURE_SELECT, 4], [COMMON.DEVICE_FEATURE, 4], [COMMON.DRIVER_FEATURE_SELECT, 4], [COMMON.DRIVER_FEATURE, 4],
  [COMMON.CONFIG_MSIX_VECTOR, 2], [COMMON.NUM_QUEUES, 2], [COMMON.DEVICE_STATUS, 1], [COMMON.CONFIG_GENERATION, 1],
  [COMMON.QUEUE_SELECT, 2], [COMMON.QUEUE_SIZE, 2], [COMMON.QUEUE_MSIX_VECTOR, 2], [COMMON.QUEUE_ENABLE, 2],
  [COMMON.QUEUE_NOTIFY_OFF, 2], [COMMON.QUEUE_DESC_LO, 4], [COMMON.QUEUE_DESC_HI, 4], [COMMON.QUEUE_DRIVER_LO, 4],
  [COMMON.QUEUE_DRIVER_HI, 4], [COMMON.QUEUE_DEVICE_LO, 4], [COMMON.QUEUE_DEVICE_HI, 4],
]);

const validVector = (v: number): number => (v < MSIX_VECTORS ? v : NO_VECTOR);

export class CommonConfig {
  deviceFeatureSelect = 0;
  driverFeatureSelect = 0;
  driverFeatures: [number, number] = [0, 0];
  configVector = NO_VECTOR;
  status = 0;
  queueSelect = 0;
  queueVectors: number[] = new Array<number>(QUEUE_COUNT).fill(NO_VECTOR);
  high: number[][] = Array.from({ length: QUEUE_COUNT }, () => [0, 0, 0]);

  constructor(private readonly host: CommonConfigHost) {}

  reset(): void {
    this.restore(new CommonConfig(this.host).save());
  }

  /** The features the driver accepted (valid once FEATURES_OK is set). */
  has(feature: number): boolean {
    return ((this.driverFeatures[feature >>> 5]! >>> (feature & 31)) & 1) === 1;
  }

  read(offset: number, size: AccessSize): number {
    if (WIDTH.get(offset) !== size) return 0;
    const q = this.queueSelect < QUEUE_COUNT ? this.queueSelect : -1;
    const queue = q >= 0 ? this.host.queues[q]! : undefined;
    switch (offset) {
      case COMMON.DEVICE_FEATURE_SELECT: return this.deviceFeatureSelect;
      case COMMON.DEVICE_FEATURE: return OFFERED_FEATURES[this.deviceFeatureSelect] ?? 0;
      case COMMON.DRIVER_FEATURE_SELECT: return this.driverFeatureSelect;
      case COMMON.DRIVER_FEATURE: return this.driverFeatures[this.driverFeatureSelect] ?? 0;
      case COMMON.CONFIG_MSIX_VECTOR: return this.configVector;
      case COMMON.NUM_QUEUES: return QUEUE_COUNT;
      case COMMON.DEVICE_STATUS: return this.status;
      case COMMON.CONFIG_GENERATION: return 0;
      case COMMON.QUEUE_SELECT: return this.queueSelect;
    }
    if (!queue) return 0; // a queue that does not exist: size 0, all else 0
    switch (offset) {
      case COMMON.QUEUE_SIZE: return queue.size;
      case COMMON.QUEUE_MSIX_VECTOR: return this.queueVectors[q]!;
      case COMMON.QUEUE_ENABLE: return queue.ready ? 1 : 0;
      case COMMON.QUEUE_NOTIFY_OFF: return q;
      case COMMON.QUEUE_DESC_LO: return queue.desc;
      case COMMON.QUEUE_DRIVER_LO: return queue.driver;
      case COMMON.QUEUE_DEVICE_LO: return queue.device;
      case COMMON.QUEUE_DESC_HI: return this.high[q]![0]!;
      case COMMON.QUEUE_DRIVER_HI: return this.high[q]![1]!;
      case COMMON.QUEUE_DEVICE_HI: return this.high[q]![2]!;
      default: return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (WIDTH.get(offset) !== size) return;
    const v = size === 4 ? value >>> 0 : value & ((1 << (8 * size)) - 1);
    switch (offset) {
      case COMMON.DEVICE_FEATURE_SELECT: this.deviceFeatureSelect = v; return;
      case COMMON.DRIVER_FEATURE_SELECT: this.driverFeatureSelect = v; return;
      case COMMON.DRIVER_FEATURE:
        // Features are fixed once FEATURES_OK is set (§3.1.1).
        if (this.driverFeatureSelect < 2 && !(this.status & STATUS.FEATURES_OK)) this.driverFeatures[this.driverFeatureSelect] = v;
        return;
      case COMMON.CONFIG_MSIX_VECTOR: this.configVector = validVector(v); return;
      case COMMON.DEVICE_STATUS: this.writeStatus(v); return;
      case COMMON.QUEUE_SELECT: this.queueSelect = v; return;
    }
    const q = this.queueSelect;
    const queue = this.host.queues[q];
    if (!queue) return;
    if (offset === COMMON.QUEUE_MSIX_VECTOR) { this.queueVectors[q] = validVector(v); return; }
    if (offset === COMMON.QUEUE_ENABLE) {
      if (v === 1 && !queue.ready) this.host.enableQueue(q);
      return;
    }
    if (queue.ready) return; // a live queue's layout is fixed until reset
    switch (offset) {
      case COMMON.QUEUE_SIZE: queue.size = v; return;
      case COMMON.QUEUE_DESC_LO: queue.desc = v; return;
      case COMMON.QUEUE_DRIVER_LO: queue.driver = v; return;
      case COMMON.QUEUE_DEVICE_LO: queue.device = v; return;
      case COMMON.QUEUE_DESC_HI: this.high[q]![0] = v; return;
      case COMMON.QUEUE_DRIVER_HI: this.high[q]![1] = v; return;
      case COMMON.QUEUE_DEVICE_HI: this.high[q]![2] = v; return;
    }
  }

  save(): CommonConfigState {
    return {
      deviceFeatureSelect: this.deviceFeatureSelect, driverFeatureSelect: this.driverFeatureSelect,
      driverFeatures: [...this.driverFeatures], configVector: this.configVector, status: this.status,
      queueSelect: this.queueSelect, queueVectors: [...this.queueVectors], high: this.high.map((h) => [...h]),
    };
  }

  restore(s: CommonConfigState): void {
    this.deviceFeatureSelect = s.deviceFeatureSelect;
    this.driverFeatureSelect = s.driverFeatureSelect;
    this.driverFeatures = [s.driverFeatures[0], s.driverFeatures[1]];
    this.configVector = s.configVector;
    this.status = s.status;
    this.queueSelect = s.queueSelect;
    this.queueVectors = [...s.queueVectors];
    this.high = s.high.map((h) => [...h]);
  }

  /**
   * 0 resets the device. Otherwise bits are only added (the driver may not
   * clear one, §2.1.2); DEVICE_NEEDS_RESET is the device's alone; FEATURES_OK
   * sticks only if the driver accepted nothing the device did not offer, and VERSION_1.
   */
  private writeStatus(v: number): void {
    if (v === 0) { this.host.resetDevice(); return; }
    let next = this.status | (v & ~STATUS.DEVICE_NEEDS_RESET);
    if ((next & STATUS.FEATURES_OK) && !(this.status & STATUS.FEATURES_OK)) {
      const [lo, hi] = this.driverFeatures;
      const unknown = (lo & ~OFFERED_FEATURES[0]) | (hi & ~OFFERED_FEATURES[1]);
      if (unknown !== 0 || !this.has(FEATURE.VERSION_1)) next &= ~STATUS.FEATURES_OK;
      else this.host.featuresAccepted(this.driverFeatures);
    }
    this.status = next;
  }
}
