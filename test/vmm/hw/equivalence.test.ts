// The unmodified guest under the VMX-like extension: every program in guests/
// gives byte-identical output and exit code natively and under hw, with EPT
// and without (shadow paging), with VPID and without, and with the virtual timer.

import { describe, expect, test } from 'vitest';
import { bareMetalGuests, guestImage, runVm } from '../helpers.js';

const INPUT = 'hello, hardware\n';
const CONFIGS = [
  { name: 'ept+vpid', hw: { ept: true, vpid: true } },
  { name: 'ept, no vpid', hw: { ept: true, vpid: false } },
  { name: 'no ept (shadow), vpid', hw: { ept: false, vpid: true } },
  { name: 'no ept, no vpid', hw: { ept: false, vpid: false } },
  { name: 'ept+vpid, virtual timer', hw: { ept: true, vpid: true, virtualTimer: true } },
] as const;

describe.each(CONFIGS)('native and hw ($name) give identical output and exit code', ({ hw }) => {
  test.each(bareMetalGuests())('%s', (name) => {
    const native = runVm(guestImage(name), 'native', 100_000_000, { console: { input: INPUT } });
    const v = runVm(guestImage(name), 'hw', 100_000_000, { console: { input: INPUT }, hw });
    expect(native.out.stop).toMatch(/^halted/);
    expect(v.out).toEqual(native.out);
    const c = v.vm.monitor!.counters;
    expect(c.vmExits).toBeGreaterThan(0);
    expect(c.vmEntries).toBe(c.vmExits + (v.vm.machine.stopped ? 0 : 1)); // the first entry had no exit before it
    expect(c.translations).toBe(0); // nothing is translated
    // The guest ran 1:1: every instruction it retired natively, it retired here (the monitor emulating the exits).
    expect(v.vm.machine.counters.instructions).toBe(native.vm.machine.counters.instructions);
  });
});
