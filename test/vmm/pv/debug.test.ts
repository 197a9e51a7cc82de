// The debugger under --mode pv: reverse stepping across hypercalls, upcalls
// and iret restores the machine, the monitor and the shared page bit for bit.

import { describe, expect, test } from 'vitest';
import { expectStepBackStep, out, session } from '../../debug/helpers.js';

describe('virtlab debug --mode pv', () => {
  test('back and forth across hypercalls and timer upcalls: the same states, the same run', () => {
    const s = session('guests/pv/ticks.s', { mode: 'pv' });
    out(s, 'step 40');
    expectStepBackStep(s, 60);
    expect(out(s, 'continue')).toMatch(/pv: three ticks, halting\n/);
  });
});
