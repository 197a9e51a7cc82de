// Rings full of random bytes: whatever the driver leaves in memory, the
// device never throws, never writes outside its DMA window, and either works
// or stops with DEVICE_NEEDS_RESET and a counted error (seeded, so repeatable).

import { describe, expect, test } from 'vitest';
import { STATUS } from '../../../src/devices/virtio-net/registers.js';
import { Driver, frame, rig, ringAddrs } from './driver.js';

/** xorshift32: a small deterministic generator. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

describe('virtio-net with random rings', () => {
  test('300 seeds: no exception, nothing outside the window written, stopped iff an error was counted', () => {
    let stopped = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const next = rng(seed);
      const r = rig();
      const outside = r.outside();
      const d = new Driver(r).init(8);
      // Scribble over part of both queues' rings (descriptors, indexes, entries, events).
      for (const q of [0, 1]) {
        const a = ringAddrs(q);
        for (let i = 0; i < 24; i++) {
          const region = next() % 3;
          const base = region === 0 ? a.desc : region === 1 ? a.avail : a.used;
          const span = region === 0 ? 128 : region === 1 ? 22 : 70;
          d.w16(base + 2 * (next() % (span / 2)), next() & 0xffff);
        }
      }
      expect(() => {
        for (let k = 0; k < 4; k++) {
          r.dev.notify(next() % 2);
          r.dev.receive(frame(14 + (next() % 1500), k));
        }
      }).not.toThrow();
      expect(Buffer.compare(r.outside(), outside)).toBe(0);
      const needsReset = (d.status() & STATUS.DEVICE_NEEDS_RESET) !== 0;
      expect(r.dev.counters.deviceErrors).toBe(needsReset ? 1 : 0);
      if (needsReset) stopped++;
    }
    expect(stopped).toBeGreaterThan(100); // random rings are mostly malformed: the check above was exercised
  });
});
