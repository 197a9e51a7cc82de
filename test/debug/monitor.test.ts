// The debugger under --mode trap: the guest's view (its virtual CPU, its own
// page tables), stop reasons that tell what the guest saw from what the
// monitor did, and reverse stepping that restores the monitor's state too.

import { describe, expect, test } from 'vitest';
import { expectStepBackStep, fullState, out, run, session } from './helpers.js';

describe('debug --mode trap', () => {
  test("regs shows the guest's virtual ring 0; regs real the real ring 1", () => {
    const s = session('guests/hello.s', { mode: 'trap' });
    run(s, 'step 3');
    const regs = out(s, 'regs');
    expect(s.machine.cpu.cpl).toBe(1);
    expect(regs).toMatch(/^pc .* ring 0 \(guest's virtual CPU\)$/m);
    expect(regs).toMatch(/^status +0x00000000 +\(ring 0 PPL 0\)$/m);
    expect(regs).not.toMatch(/ring 1/);
    const real = out(s, 'regs real');
    expect(real).toMatch(/^pc .* ring 1 \(the real CPU, under the monitor\)$/m);
    expect(real).toMatch(/^status +0x[0-9a-f]{8} +\(ring 1 IE PG PPL 0\)$/m);
  });

  test('expressions see the guest\'s virtual CPU too: ring and control registers', () => {
    const s = session('guests/popek/rdtvec.s', { mode: 'trap' });
    run(s, 'step 8'); // past la s0, handler; mtcr tvec, s0 (emulated; the first steps also take shadow faults)
    expect(s.machine.cpu.cpl).toBe(1);
    expect(out(s, 'print ring')).toMatch(/\b0\b/);
    expect(s.evaluate('ring')).toBe(0);
    expect(s.evaluate('tvec')).toBe(s.evaluate('handler'));
    expect(s.evaluate('tvec')).not.toBe(s.machine.cpu.cr[1]! >>> 0); // the real TVEC is the monitor's
  });

  test('an emulated out is reported as the monitor\'s work, not as a trap the guest took', () => {
    const s = session('guests/hello.s', { mode: 'trap' });
    run(s, 'break _start+16', 'continue');
    const text = out(s, 'step');
    expect(text).toMatch(/^monitor: emulated out$/m);
    expect(text).not.toMatch(/trap taken/);
  });

  test('where and disasm read code through the guest\'s tables before the shadow has it', () => {
    const s = session('guests/hello.s', { mode: 'trap' });
    // Nothing of the guest is in the shadow before the first step; the guest's own (identity) view is used.
    expect(out(s, 'where')).toMatch(/lui a0, 0x0/);
    expect(out(s, 'disasm _start+16 1')).toMatch(/out t0, 0x10\(zero\)/);
    expect(out(s, 'mem message 5')).toMatch(/\|Hello\|/);
  });

  test('step 500 then back 500 restores the machine and the monitor exactly', () => {
    expectStepBackStep(session('guests/tinyos/tinyos.s', { mode: 'trap' }), 500);
  });

  test('restart under the monitor reloads the guest the monitor way, and it runs to the end again', () => {
    const s = session('guests/hello.s', { mode: 'trap' });
    run(s, 'step 50', 'restart');
    expect(s.machine.cpu.pc >>> 0).toBe(0x1000);
    expect(s.monitor!.vcpu.ring).toBe(0);
    expect(fullState(s.machine)).toEqual(fullState(session('guests/hello.s', { mode: 'trap' }).machine));
    expect(out(s, 'continue')).toMatch(/Hello from virtlab!\nthe guest halted with exit code 0/);
  });
});
