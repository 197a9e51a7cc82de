// Settling before timing: measure until the fastest figure stops improving
// (by more than 2% for 3 calls, at least 4 calls), at most `max`, within a CPU budget.

import { describe, expect, it } from 'vitest';
import { settleOn } from '../../bench/timing.js';

const figures = (xs: number[]) => {
  let i = 0;
  return () => xs[Math.min(i++, xs.length - 1)]!;
};

describe('settleOn', () => {
  it('stops once the fastest figure has not improved by 2% for 3 calls', () => {
    // Falls to 5, then 4.95 (1%: not an improvement that counts), 6, 7: settled after the 7th call.
    expect(settleOn(figures([20, 10, 8, 5, 4.95, 6, 7, 1, 1]), 60)).toEqual({ runs: 7, best: 4.95 });
  });

  it('makes at least 4 calls, at most max', () => {
    expect(settleOn(figures([1]), 60).runs).toBe(4);
    const falling = (() => { let x = 1000; return () => (x *= 0.9); })();
    expect(settleOn(falling, 10).runs).toBe(10);
  });

  it('stops when its CPU budget is spent', () => {
    // 5 ms of CPU time a call (CPU, not wall: a loaded machine must not change the count).
    const busy = () => { const c = process.cpuUsage(); while (process.cpuUsage(c).user + process.cpuUsage(c).system < 5000); };
    const falling = (() => { let x = 1000; return () => { busy(); return (x *= 0.9); }; })();
    const r = settleOn(falling, 1000, 0.02);
    expect(r.runs).toBeGreaterThanOrEqual(1);
    expect(r.runs).toBeLessThanOrEqual(5); // 0.02 s of budget, 5 ms a call: it stops after the call that spends it
  });
});
