// Random programs on a host: each VM must end exactly as the same program
// ends alone in its mode (console, stop, exit code, timer ticks, instructions),
// whatever the slice length, weights and engine drawn. `npm run fuzz -- --kind
// host` runs as many cases as asked (docs/fuzzing.md).

import { describe, expect, test } from 'vitest';
import { checkHostCase, hostCase } from '../../src/fuzz/host-check.js';
import { suiteSeeds } from './helpers.js';

describe('random programs on a host: every VM as alone', () => {
  test('12 hosts of 2 to 5 random programs, in modes their profiles allow', () => {
    let interleaved = 0;
    for (const seed of suiteSeeds(12, 500)) {
      const c = hostCase(seed, { size: 40 });
      const r = checkHostCase(c);
      expect(r.divergences, `host case seed ${seed}`).toEqual([]);
      if (r.worldSwitches > c.vms.length) interleaved++;
    }
    // The comparison means something only if the hosts really switched between their VMs mid-run.
    expect(interleaved).toBeGreaterThan(6);
  });

  test('a host case is drawn from its seed alone', () => {
    const a = hostCase(42), b = hostCase(42);
    expect(b).toEqual(a);
    expect(hostCase(43)).not.toEqual(a);
  });
});
