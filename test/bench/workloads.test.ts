// The benchmark compares a guest with "the same work in JavaScript": prove it is
// the same work, at small sizes, for every workload.
import { describe, expect, it } from 'vitest';
import { prepareGuest } from '../../bench/guest-runner.js';
import { WORKLOADS } from '../../bench/workloads.js';

describe('interp suite workloads', () => {
  for (const w of WORKLOADS) {
    it(`${w.name}: the guest halts with what the JavaScript version computes`, () => {
      for (const size of [1, 3, 10]) {
        const guest = prepareGuest(w, size);
        expect(guest.run() | 0).toBe(w.js(size) | 0);
        expect(guest.instructions()).toBeGreaterThan(size);
      }
    });
  }

  it('a rerun from reset retires exactly the same instructions (deterministic)', () => {
    const guest = prepareGuest(WORKLOADS[1]!, 2);
    guest.run();
    const first = guest.instructions();
    guest.run();
    expect(guest.instructions()).toBe(first);
  });
});
