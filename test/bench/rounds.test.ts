// fastestOfRounds (bench/cell.ts): cells measured round after round, each
// cell's fastest measurement kept, every measurement reported in order.
import { describe, expect, it } from 'vitest';
import { fastestOfRounds } from '../../bench/cell.js';

describe('bench: measuring in rounds', () => {
  it('measures every cell once per round, interleaved, and keeps each cell\'s fastest', () => {
    // Times by call: round 1 a=5 b=7, round 2 a=3 b=9, round 3 a=4 b=2.
    const times = [5, 7, 3, 9, 4, 2];
    const calls: string[] = [];
    const seen: string[] = [];
    const best = fastestOfRounds(['a', 'b'], 3, (s) => {
      calls.push(s);
      return { cell: s, t: times[calls.length - 1]! };
    }, (m) => m.t, (s, m, r) => seen.push(`${s}${r}:${m.t}`));
    expect(calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(best).toEqual([{ cell: 'a', t: 3 }, { cell: 'b', t: 2 }]);
    expect(seen).toEqual(['a1:5', 'b1:7', 'a2:3', 'b2:9', 'a3:4', 'b3:2']);
  });

  it('one round measures each cell once', () => {
    let n = 0;
    expect(fastestOfRounds([1, 2, 3], 1, (s) => { n++; return s * 10; }, (m) => m)).toEqual([10, 20, 30]);
    expect(n).toBe(3);
  });
});
