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

  test('found by the fuzzer: a pv VM unmasks with a plain store, and a slice ends before its event_check', () => {
    // Alone, the pending tick waited for the guest's event_check; on the host the slice's end (a real
    // interrupt that alone never comes) delivered it early: one instruction more. Host seed 1206, case 114.
    const c = hostCase(403623299, { size: 60, minPeriod: 30 });
    expect(c.slice).toBe(161);
    expect(checkHostCase(c).divergences).toEqual([]);
  });

  test('a host case is drawn from its seed alone', () => {
    const a = hostCase(42), b = hostCase(42);
    expect(b).toEqual(a);
    expect(hostCase(43)).not.toEqual(a);
  });
});
