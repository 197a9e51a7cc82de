// The machine's speed reference (bench/machine-speed.ts): an absolute figure
// over the reference's time of the same round holds when the whole machine
// slows down, and moves when the figure alone does.
import { describe, expect, it } from 'vitest';
import { perReference, referenceSeconds, speedLegend } from '../../bench/machine-speed.js';

describe('bench: figures against the machine\'s speed reference', () => {
  it('a round\'s reference is its fastest sample', () => {
    expect(referenceSeconds([{ cpu: 0.0021, wall: 0.003 }, { cpu: 0.0012, wall: 0.002 }, { cpu: 0.0015, wall: 0.0015 }])).toBe(0.0012);
    expect(referenceSeconds([])).toBeNull();
  });

  it('rounds on a machine that slowed by 30% in two of five: the raw figure spreads, its ratio to the reference does not', () => {
    const slow = [1, 1.3, 1, 1.3, 1];
    const ns = slow.map((f) => 200 * f);
    const refs = slow.map((f) => 0.001 * f);
    const r = perReference(ns, refs);
    expect(r.perReference).toBeCloseTo(200, 6); // ns per reference ms
    expect(r.perReferenceSpread).toBe(0);
    expect(r.referenceMs).toBe(1);
  });

  it('keeps its digits for figures of any size (figure() rounds to 3 decimals)', () => {
    expect(perReference([0.000172, 0.000175], [0.0011, 0.0011]).perReference).toBeCloseTo(0.0001735 / 1.1, 9); // the median of the two
    expect(perReference([null, 3], [0.001, null]).perReference).toBeNull();
  });

  it('the legend says how fast the machine was while the table was measured', () => {
    expect(speedLegend([1.12, null, 1.3])).toMatch(/^machine speed: .* took 1\.120-1\.300 ms per run/);
    expect(speedLegend([null])).toBe('');
  });
});
