import { describe, expect, test } from 'vitest';
import { fullState, lastLine, out, run, session } from './helpers.js';

describe('tinyos under the debugger', () => {
  test('break at schedule, continue several times, back, and the same stops come again', () => {
    const s = session('guests/tinyos/tinyos.s');
    expect(out(s, 'break schedule')).toMatch(/^breakpoint 1 at 0x[0-9a-f]{8} <schedule> guests\/tinyos\/tinyos\.s:\d+\n$/);
    const first = out(s, 'continue');
    expect(first).toMatch(/^tinyos: booting\n(.*\n)*tinyos: timer ok, starting processes\nstopped at breakpoint 1, hit 1 time\n0x[0-9a-f]{8} <schedule> /);
    const stops: { steps: number; state: ReturnType<typeof fullState> }[] = [];
    for (let i = 2; i <= 4; i++) {
      expect(out(s, 'continue')).toMatch(new RegExp(`stopped at breakpoint 1, hit ${i} times\\n0x[0-9a-f]{8} <schedule> `));
      expect(s.machine.cpu.cpl).toBe(0);
      stops.push({ steps: s.machine.counters.steps, state: fullState(s.machine) });
    }
    // Processes ran in between: their output arrived, in order, between the stops.
    expect(s.machine.console!.text()).toMatch(/A1: step 0\n/);

    // One step back: the call site of schedule (in the kernel's trap dispatch).
    expect(out(s, 'back')).toMatch(/^0x[0-9a-f]{8} <[a-z_]+\+\d+> guests\/tinyos\/tinyos\.s:\d+ {3}jal ra, schedule\n$/);
    expect(s.machine.counters.steps).toBe(stops[2]!.steps - 1);

    // Far back (across context switches), then forward again: the same stops, bit for bit, no output twice.
    const shown = s.machine.console!.text();
    out(s, `back ${s.machine.counters.steps - (stops[0]!.steps - 10)}`);
    expect(s.machine.counters.steps).toBe(stops[0]!.steps - 10);
    const again = out(s, 'continue');
    expect(again).toMatch(/^stopped at breakpoint 1, hit 5 times\n/);
    expect(fullState(s.machine)).toEqual(stops[0]!.state);
    run(s, 'continue', 'continue');
    expect(fullState(s.machine)).toEqual(stops[2]!.state);
    expect(s.machine.console!.text()).toBe(shown);
  });

  test('kernel and user symbols, rings and address spaces at the stops', () => {
    const s = session('guests/tinyos/tinyos.s');
    run(s, 'break worker', 'continue');
    expect(s.machine.cpu.cpl).toBe(3);
    expect(lastLine(out(s, 'where'))).toMatch(/^ {2}ring 3, interrupts on, paging on \(ptbr 0x[0-9a-f]{8}\), step \d+$/);
    const ptbr = s.machine.cpu.cr[2];
    // next over the getpid syscall: the kernel runs, then the same process continues after it.
    out(s, 'step');
    expect(out(s, 'where')).toMatch(/ {3}syscall\n/);
    expect(out(s, 'next')).toMatch(/^0x[0-9a-f]{8} <worker\+8> /);
    expect(s.machine.cpu.cr[2]).toBe(ptbr);
    expect(s.machine.cpu.regs[4]).toBe(1); // pid 1
  });
});
