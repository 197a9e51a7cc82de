// The debugger under --mode bt: the guest kernel runs from the translation
// cache, but every view shows the guest (its pc, its code), a step is one
// guest instruction, breakpoints are on guest addresses (of code translated
// or not yet), and reverse stepping returns to identical states.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DebugSession } from '../../src/debug/index.js';
import type { ModeName } from '../../src/vmm/index.js';
import { runCli } from '../cli/run.js';
import { fullState, lastLine, out, ROOT, run, session as debugSession } from './helpers.js';

const TC_BASE = 0xffc00000;

/** A session as `virtlab debug --mode MODE` builds it (bt unless named). */
function session(file: string, mode: ModeName = 'bt', history = 1_000_000): DebugSession {
  return debugSession(file, { mode, history });
}

/** The whole machine state, counters included (window fetches are no TLB lookups however runs are sliced). */
function state(s: DebugSession): ReturnType<typeof fullState> {
  return fullState(s.machine);
}

/** The guest pc the location line names. */
const where = (text: string): number => Number.parseInt(/^(0x[0-9a-f]{8})/.exec(lastLine(text))![1]!, 16);
const realPc = (s: DebugSession) => s.machine.cpu.pc >>> 0;

describe('debug --mode bt', () => {
  test('the session starts at the guest entry; regs and where show the guest pc and the translation it runs', () => {
    const s = session('guests/hello.s');
    expect(s.banner('hello.s')).toMatch(/^0x00001000 <_start> guests\/hello\.s:9 {3}lui a0, 0x0$/m);
    expect(realPc(s)).toBeGreaterThanOrEqual(TC_BASE);
    const regs = out(s, 'regs');
    expect(regs).toMatch(/^pc +0x00001000 <_start> +ring 0 \(guest's virtual CPU\)$/m);
    // The real CPU (in the translation cache, at ring 1) only on request.
    expect(regs).not.toMatch(/0xffc[0-9a-f]{5}|ring 1/);
    expect(out(s, 'regs real')).toMatch(/^pc +0xffc[0-9a-f]{5} +ring 1 \(the real CPU, under the monitor\)$/m);
    expect(out(s, 'where')).toMatch(/\n {2}ring 0, interrupts off, paging off, step 0\n$/);
    const real = out(s, 'where real');
    expect(real).toMatch(/^ {2}real: pc 0xffc[0-9a-f]{5}, ring 1, interrupts on, paging on \(ptbr 0x[0-9a-f]{8}\)$/m);
    expect(real).toMatch(/^ {2}translated: tc 0xffc[0-9a-f]{5}, word 0 of the unit for 0x00001000 <_start>: the guest instruction, copied$/m);
    expect(s.evaluate('pc')).toBe(0x1000);
    expect(out(s, 'print pc == _start')).toMatch(/\(1\)/);
    expect(out(s, 'disasm')).toMatch(/^=> {2}0x00001000 <_start> guests\/hello\.s:9 {3}lui a0, 0x0$/m);
  });

  test('step is one guest instruction: the pcs are those of the native run', () => {
    const native = session('guests/hello.s', 'native');
    const bt = session('guests/hello.s');
    const pcs = (s: DebugSession, n: number) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) {
        const pc = where(out(s, 'step'));
        // A step the monitor spent on a shadow fault leaves the guest where it was (as under trap).
        if (seen[seen.length - 1] !== pc) seen.push(pc);
      }
      return seen;
    };
    const b = pcs(bt, 60);
    expect(b.length).toBeGreaterThan(50);
    expect(b).toEqual(pcs(native, b.length));
    // A conditional branch is two real steps (local branch, exit), a step of the debugger one.
    expect(bt.machine.counters.steps).toBeGreaterThan(60);
  });

  test('a step that a callout handled says what the monitor did; an exit that is not yet chained too', () => {
    const s = session('guests/hello.s');
    run(s, 'break _start+16', 'continue');
    expect(out(s, 'step')).toMatch(/^monitor: emulated out$/m);
    run(s, 'delete', 'restart');
    run(s, 'break _start+12', 'continue'); // beqz: its exit is taken through the monitor the first time
    const text = out(s, 'step');
    expect(text).toMatch(/^monitor: left the unit \(not-taken exit to 0x00001010 <_start\+16>\), translated 3 instructions at 0x00001010 <_start\+16>, chained the exit to 0x00001010 <_start\+16>$/m);
    expect(where(text)).toBe(0x1010);
  });

  test('breakpoints on guest addresses stop translated code, also in code translated only later', () => {
    const s = session('guests/hello.s');
    expect(out(s, 'break _start+16')).toMatch(/^breakpoint 1 at 0x00001010/);
    let text = out(s, 'continue');
    expect(text).toMatch(/^stopped at breakpoint 1, hit 1 time$/m);
    expect(where(text)).toBe(0x1010);
    expect(realPc(s)).toBeGreaterThanOrEqual(TC_BASE);
    text = out(s, 'continue');
    expect(text).toMatch(/^stopped at breakpoint 1, hit 2 times$/m);
    expect(s.evaluate('t0')).toBe('e'.charCodeAt(0));
    // Conditions see the guest's registers.
    run(s, 'delete', 'break _start+16 if a0 == message + 6');
    expect(out(s, 'continue')).toMatch(/stopped at breakpoint 2 \(a0 == message \+ 6\), hit 1 time/);
    expect(s.evaluate('a0')).toBe(s.evaluate('message') + 6);

    // tinyos's scheduler runs long after boot: no translation of it exists when the breakpoint is set.
    const t = session('guests/tinyos/tinyos.s');
    run(t, 'break schedule');
    text = out(t, 'continue');
    expect(text).toMatch(/^stopped at breakpoint 1, hit 1 time$/m);
    expect(lastLine(text)).toMatch(/^0x[0-9a-f]{8} <schedule> guests\/tinyos\/tinyos\.s:\d+ {3}addi sp, sp, -4$/);
    expect(t.evaluate('pc')).toBe(t.evaluate('schedule'));
  });

  test('next steps over a call and finish runs to the return, as natively', () => {
    const results = (mode: ModeName) => {
      const s = session('guests/tinyos/tinyos.s', mode);
      return [
        lastLine(run(s, 'break _start+28', 'continue')[1]!),
        out(s, 'next'),
        lastLine(run(s, 'break puts', 'continue')[1]!),
        out(s, 'finish'),
        out(s, 'next'),
      ];
    };
    const bt = results('bt');
    expect(bt[0]).toMatch(/<_start\+28> .* {3}jal ra, puts$/);
    expect(bt[1]).toMatch(/^tinyos: booting\n0x00001020 <_start\+32> /);
    expect(bt[3]).toMatch(/^returned; a0 = /m);
    expect(bt).toEqual(results('native'));
  });

  test('a watchpoint on kernel data names the guest instruction that wrote it', () => {
    const text = (mode: ModeName) => {
      const s = session('guests/tinyos/tinyos.s', mode);
      run(s, 'watch ticks');
      return out(s, 'continue');
    };
    const bt = text('bt');
    expect(bt).toMatch(/^stopped at watchpoint 1 \(write 0x[0-9a-f]{8} <ticks>\) by 0x[0-9a-f]{8} <interrupt\+\d+>: 0x00000000 -> 0x00000001$/m);
    expect(bt.split('\n').filter((l) => !/^[A-Z]\d:|^tinyos/.test(l))).toEqual(text('native').split('\n').filter((l) => !/^[A-Z]\d:|^tinyos/.test(l)));
  });

  test('step N then back N returns to the identical machine and monitor state, and forward again to the same', () => {
    const s = session('guests/tinyos/tinyos.s');
    run(s, 'break schedule', 'continue', 'delete'); // into the scheduler: processes, paging, interrupts on
    const before = state(s);
    const pc0 = s.pc();
    const text = out(s, 'step 400');
    const after = state(s);
    expect(after.state).not.toEqual(before.state);
    expect(where(out(s, 'back 400'))).toBe(pc0);
    expect(state(s)).toEqual(before);
    expect(lastLine(out(s, 'step 400'))).toBe(lastLine(text));
    expect(state(s)).toEqual(after);
  });

  test('back goes back guest instructions: back 1 undoes step 1, never stopping between the words of a translation', () => {
    const s = session('guests/hello.s');
    const trail: [number, number][] = [];
    for (let i = 0; i < 25; i++) {
      trail.push([s.pc(), s.machine.counters.steps]);
      run(s, 'step');
    }
    for (let i = trail.length - 1; i >= 0; i--) {
      run(s, 'back');
      expect([s.pc(), s.machine.counters.steps]).toEqual(trail[i]);
      expect(s.bt!.view.atBoundary()).toBe(true);
    }
    expect(out(s, 'back')).toMatch(/^history exhausted: no earlier step recorded \(this is the start of the run\)$/m);
    // Back over a halt makes the guest runnable again; it halts the same way.
    const halted = out(s, 'continue');
    expect(halted).toMatch(/the guest halted with exit code 0 at 0x0000101c <_start\+28>/);
    const end = state(s);
    run(s, 'back 3');
    expect(s.machine.stopped).toBeUndefined();
    expect(out(s, 'continue')).toBe(`${lastLine(halted)}\n`); // the output was shown already
    expect(state(s)).toEqual(end);
  });

  test('a short history: back says how far it went in guest steps', () => {
    const s = session('guests/hello.s', 'bt', 10);
    run(s, 'step 20');
    const text = out(s, 'back 20');
    expect(text).toMatch(/^history exhausted: went back (\d+) of 20 steps \(--history keeps 10 steps\)$/m);
    const went = Number(/went back (\d+)/.exec(text)![1]);
    expect(went).toBeGreaterThan(0);
    expect(went).toBeLessThan(10); // guest steps: fewer than the 10 real steps kept
  });

  test('virtlab debug --mode bt: the transcript of a script is the native one, plus what the monitor did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-debug-bt-'));
    try {
      const path = join(dir, 'hello.vl');
      writeFileSync(path, ['break _start+16', 'continue', 'step', 'where', 'where real', 'back', 'next', 'quit'].join('\n') + '\n');
      const [native, bt] = await Promise.all(['native', 'bt'].map((mode) => runCli(['debug', 'guests/hello.s', '--script', path, '--mode', mode], ROOT)));
      expect([bt!.code, bt!.stderr]).toEqual([0, '']);
      const lines = bt!.stdout.split('\n');
      // `where` shows the guest's view, as natively (the step count is in real steps); `where real` the real
      // CPU and where it is in the cache; the monitor's work is noted after steps.
      const guestView = (l: string) => l.replace(/^( {2}ring 0, interrupts off, paging off, step )\d+$/, '$1N');
      const expected = native!.stdout.split('\n').filter((l) => !/^ {2}real: /.test(l)).map(guestView);
      const got = lines.filter((l) => !/^ {2}(translated: tc 0xffc[0-9a-f]{5}, |real: pc 0xffc[0-9a-f]{5}, ring 1, )/.test(l) && l !== 'monitor: emulated out')
        .map(guestView);
      expect(got).toEqual(expected);
      expect(lines.filter((l) => l === 'monitor: emulated out')).toHaveLength(2); // step and next over `out`
      expect(lines.some((l) => /^ {2}translated: tc 0xffc[0-9a-f]{5}, word \d+ of the unit for 0x0000101[04] <_start\+(16|20)>: /.test(l))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
