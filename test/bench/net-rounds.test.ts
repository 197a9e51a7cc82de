// A net cell's host-time figures from its rounds (bench/net-rounds.ts): each
// round's fastest sample against the reference's of the same round, the
// rounds' median and spread; round trips pooled per round, the median of the
// rounds' p50 and p99. Samples are made up here: nothing is timed.
import { describe, expect, it } from 'vitest';
import type { NetSample } from '../../bench/net-cell.js';
import { fastestNs, latencyHost, streamHost } from '../../bench/net-rounds.js';

/** A sample: seconds per frame for 64 and 1500 B, CPU seconds per round trip, and the round trips' wall ns. */
const sample = (s64: number, s1500: number, tripCpu = 1e-5, tripsNs: number[] = []): NetSample => ({
  stream: [{ size: 64, cpu: s64, wall: s64 }, { size: 1500, cpu: s1500, wall: s1500 }],
  latency: { cpu: tripCpu, wall: tripCpu, tripsNs },
});

describe('net rounds: frames', () => {
  it('a round\'s figure is its fastest sample, in ns', () => {
    expect(fastestNs([sample(3e-6, 1), sample(2e-6, 1), sample(5e-6, 1)], (s) => s.stream[0]!.cpu)).toBeCloseTo(2000, 6);
    expect(fastestNs([], (s) => s.stream[0]!.cpu)).toBeNull();
  });

  it('the ratio is per round, against the reference\'s same round: a slow round of both cancels', () => {
    // Round 2 is twice as slow for both cells (a loaded host): its ratio is still ×2.
    const ref = [[sample(1e-6, 4e-6)], [sample(2e-6, 8e-6)], [sample(1e-6, 4e-6)]];
    const cell = [[sample(2e-6, 4e-6)], [sample(4e-6, 8e-6)], [sample(2.2e-6, 4e-6)]];
    const h = streamHost(cell, ref, 0, 1);
    expect(h.ratioToNative.hostRounds).toEqual([2, 2, 2.2]);
    expect(h.ratioToNative.host).toBe(2);
    expect(h.ratioToNative.hostSpread).toBe(0.05); // quartiles 2 and 2.1 over 2
    // The time per frame itself moves with the load: its spread says so.
    expect(h.host.rounds).toEqual([2000, 4000, 2200]);
    expect(h.host.nsPerFrame).toBe(2200);
    expect(h.host.spread).toBeCloseTo((3100 - 2100) / 2200, 3);
    expect(streamHost(cell, ref, 1, 1).ratioToNative.host).toBe(1);
  });

  it('the reference against itself: ×1 with no spread, its time per frame with one', () => {
    const ref = [[sample(1e-6, 4e-6)], [sample(1.1e-6, 4e-6)]];
    const h = streamHost(ref, null, 0, 1);
    expect(h.ratioToNative).toEqual({ host: 1, hostSpread: null, hostRounds: [1, 1] });
    expect(h.host.nsPerFrame).toBe(1050);
    expect(h.host.spread).not.toBeNull();
  });
});

describe('net rounds: round trips', () => {
  it('pools a round\'s samples; p50 and p99 are the medians of the rounds\'', () => {
    const trips = (base: number) => Array.from({ length: 100 }, (_, i) => (base + i) * 1000);
    // Three rounds of two samples, their round trips 1-100, 2-101, 3-102 µs, split across the samples.
    const rounds = [1, 2, 3].map((b) => [sample(1, 1, 2e-5, trips(b).slice(0, 50)), sample(1, 1, 1e-5 * b, trips(b).slice(50))]);
    const h = latencyHost(rounds);
    expect(h.tripsPerRound).toBe(100);
    expect(h.p50Us).toBe(51); // the rounds' p50: 50, 51, 52
    expect(h.p99Us).toBe(100); // 99, 100, 101
    expect(h.p50Spread).toBeCloseTo(1 / 51, 3);
    expect(h.cpuUs).toBe(20); // each round's fastest sample: 10, 20, 20
  });

  it('no round trips: nothing, not zero', () => {
    const h = latencyHost([[sample(1, 1, 0, [])]]);
    expect(h.p50Us).toBeNull();
    expect(h.p99Us).toBeNull();
    expect(h.cpuUs).toBeNull();
  });
});
