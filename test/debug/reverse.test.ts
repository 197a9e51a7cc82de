import { describe, expect, test } from 'vitest';
import { CALLS, expectStepBackStep, fullState, lastLine, out, pc, run, session } from './helpers.js';

describe('back: reverse stepping restores the machine bit for bit', () => {
  test('step 1000 then back 1000 gives the initial state; stepping again repeats the run exactly', () => {
    const { before, after } = expectStepBackStep(session('guests/tinyos/tinyos.s'), 1000);
    expect(after.ram).not.toBe(before.ram);
  });

  test('deep into tinyos (paging, timer interrupts, context switches): back and forth at odd distances', () => {
    const s = session('guests/tinyos/tinyos.s');
    out(s, 'step 60000');
    const at60k = fullState(s.machine);
    out(s, 'step 7777');
    const at67k = fullState(s.machine);
    expect(at67k.state).not.toEqual(at60k.state);
    out(s, 'back 7777');
    expect(fullState(s.machine)).toEqual(at60k);
    // Forward again in a different chunking (one step, then the rest) with a watchpoint attached (the observer path).
    run(s, 'step', 'watch 0x10 r', 'step 7776', 'delete');
    expect(fullState(s.machine)).toEqual(at67k);
  });

  test('back one step over a memory write restores memory', () => {
    const s = session(CALLS);
    run(s, 'break loop+28', 'continue', 'continue'); // the `sw` of the second iteration (total = 0 + 1)
    expect(lastLine(out(s, 'where').split('\n')[0]!)).toMatch(/sw t1, 0\(t0\)$/);
    const before = fullState(s.machine);
    expect(out(s, 'print [total]')).toBe('0x00000000 (0)\n');
    out(s, 'step');
    expect(out(s, 'print [total]')).toBe('0x00000001 (1)\n');
    out(s, 'back');
    expect(out(s, 'print [total]')).toBe('0x00000000 (0)\n');
    expect(fullState(s.machine)).toEqual(before);
  });

  test('back over console output restores the device state; output is not shown twice', () => {
    const s = session('guests/hello.s');
    run(s, 'break _start+16'); // out t0, CONSOLE
    run(s, 'continue');
    const before = fullState(s.machine);
    expect(out(s, 'step')).toMatch(/^H\n0x00001014/);
    expect(s.machine.console!.text()).toBe('H');
    out(s, 'back');
    expect(s.machine.console!.text()).toBe('');
    expect(fullState(s.machine)).toEqual(before);
    // Executed again: the byte is produced again (device state) but not printed a second time.
    expect(out(s, 'step')).toMatch(/^0x00001014/);
    expect(s.machine.console!.text()).toBe('H');
    out(s, 'delete');
    expect(out(s, 'continue')).toMatch(/^ello from virtlab!\nthe guest halted with exit code 0/);
  });

  test('back over a TLB fill and the A bits it set in the page tables', () => {
    const s = session('guests/exceptions/pagefault.s');
    // The instruction after `mtcr status` turning paging on: the TLB is empty, the next fetch fills it.
    const mtcr = [...Array(64).keys()].map((i) => 0x1000 + 4 * i).find((a) => /mtcr status/.test(out(s, `disasm ${a} 1`)))!;
    run(s, `break ${mtcr + 4}`, 'continue');
    expect(s.machine.cpu.paging).toBe(true);
    expect(s.machine.tlb.entries()).toEqual([]);
    const before = fullState(s.machine);
    out(s, 'step');
    expect(s.machine.tlb.entries().length).toBe(1);
    expect(fullState(s.machine).ram).not.toBe(before.ram); // the walk set accessed bits
    out(s, 'back');
    expect(s.machine.tlb.entries()).toEqual([]);
    expect(fullState(s.machine)).toEqual(before);
  });

  test('back from a halt makes the machine runnable again', () => {
    const s = session(CALLS);
    expect(out(s, 'continue')).toMatch(/the guest halted with exit code 0/);
    expect(s.execute('step').ok).toBe(false);
    out(s, 'back');
    expect(s.machine.stopped).toBeUndefined();
    expect(lastLine(out(s, 'where').split('\n')[0]!)).toMatch(/halt zero$/);
    expect(out(s, 'step')).toMatch(/the guest halted with exit code 0/);
  });

  test('history exhausted: the budget of --history, and the start of the run', () => {
    const s = session(CALLS, { history: 10 });
    out(s, 'step 25');
    const at15 = (() => { const t = session(CALLS); out(t, 'step 15'); return fullState(t.machine); })();
    expect(out(s, 'back 12')).toMatch(/^history exhausted: went back 10 of 12 steps \(--history keeps 10 steps\)\n/);
    expect(s.machine.counters.steps).toBe(15);
    expect(fullState(s.machine)).toEqual(at15);
    expect(out(s, 'back')).toMatch(/^history exhausted: no earlier step recorded/);
    const t = session(CALLS);
    out(t, 'step 3');
    expect(out(t, 'back 5')).toMatch(/^history exhausted: went back 3 of 5 steps \(this is the start of the run\)/);
    expect(pc(t)).toBe(0x1000);
  });

  test('--history 0 turns reverse stepping off', () => {
    const s = session(CALLS, { history: 0 });
    out(s, 'step 3');
    expect(s.execute('back').output).toBe('error: reverse stepping is off (--history 0)\n');
  });

  test('a long run keeps only what the budget needs, and can still go back the whole budget', () => {
    const s = session('guests/tinyos/tinyos.s', { history: 5000 });
    out(s, 'step 70000');
    expect(s.history.available()).toBe(5000);
    // The journal has dropped old writes: far fewer entries held than were recorded.
    expect(s.history.journal.oldest).toBeGreaterThan(0);
    const target = (() => { const t = session('guests/tinyos/tinyos.s'); out(t, 'step 65000'); return fullState(t.machine); })();
    out(s, 'back 5000');
    expect(fullState(s.machine)).toEqual(target);
  });
});
