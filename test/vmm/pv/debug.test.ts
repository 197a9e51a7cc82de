// The debugger under --mode pv: reverse stepping across hypercalls, upcalls
// and iret restores the machine, the monitor and the shared page bit for bit.

import { describe, expect, test } from 'vitest';
import { fullState, out, session } from '../../debug/helpers.js';

describe('virtlab debug --mode pv', () => {
  test('back and forth across hypercalls and timer upcalls: the same states, the same run', () => {
    const s = session('guests/pv/ticks.s', { mode: 'pv' as 'trap' });
    out(s, 'step 40');
    const a = fullState(s.machine);
    out(s, 'step 60');
    const b = fullState(s.machine);
    expect(b.state).not.toEqual(a.state);
    out(s, 'back 60');
    expect(fullState(s.machine)).toEqual(a);
    out(s, 'step 60');
    expect(fullState(s.machine)).toEqual(b);
    expect(out(s, 'continue')).toMatch(/pv: three ticks, halting\n/);
  });
});
