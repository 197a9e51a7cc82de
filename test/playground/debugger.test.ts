// The playground's debugger requests drive the real debugger (src/debug):
// a breakpoint from the editor's gutter (file and line), step, back, next,
// watchpoints, on a lone VM under bt and on a host.

import { describe, expect, test } from 'vitest';
import { lone, newSession } from './helpers.js';

const TINYOS = 'guests/tinyos/tinyos.s';
/** `schedule:`'s first instruction (push ra). */
const SCHEDULE_LINE = 617;

describe('a gutter breakpoint, step and back on tinyos under bt (interp)', () => {
  test('stops at the line, steps forward, and back restores the registers bit for bit', async () => {
    const s = newSession();
    const load = await s.ok({ type: 'load', config: lone(TINYOS, { mode: 'bt' }, { engine: 'interp' }) });
    expect(load.debuggable).toBe(true);
    const lineAddr = load.vms[0].lines.find((l: { file: string; line: number }) => l.file === TINYOS && l.line === SCHEDULE_LINE).address;
    const schedule = load.vms[0].symbols.find((x: { name: string }) => x.name === 'schedule').value;
    expect(lineAddr).toBe(schedule);

    const bp = await s.ok({ type: 'break', at: { kind: 'line', file: TINYOS, line: SCHEDULE_LINE } });
    expect(bp.number).toBe(1);
    expect(bp.text).toContain('<schedule>');
    // Files are named as the page and the CLI name them, not by the worker's absolute catalog paths.
    expect(bp.text).toContain(`${TINYOS}:${SCHEDULE_LINE}`);
    expect(bp.text).not.toContain(`/${TINYOS}`);
    const run = await s.ok({ type: 'run' });
    expect(run.stopped).toBe('paused');
    expect(run.output).toContain('stopped at breakpoint 1');
    expect(run.output).toContain(`${TINYOS}:${SCHEDULE_LINE}`);
    expect(run.output).not.toContain(`/${TINYOS}`);
    expect(run.vms[0].pc).toBe(schedule);

    const at = (await s.ok({ type: 'snapshot' })).state;
    const stepped = await s.ok({ type: 'step', count: 3 });
    expect(stepped.stopped).toBe('paused');
    const after = (await s.ok({ type: 'snapshot' })).state;
    expect(after.pc).not.toBe(at.pc);
    expect(after.regs).not.toEqual(at.regs); // push ra and s0 moved sp

    await s.ok({ type: 'back', count: 3 });
    const back = (await s.ok({ type: 'snapshot' })).state;
    expect(back.pc).toBe(at.pc);
    expect(back.regs).toEqual(at.regs);
    expect(back.cr).toEqual(at.cr);
    expect(back.counters).toEqual(at.counters);
    expect(back.console).toBe(at.console);

    // With the breakpoint deleted, the run goes on to tinyos's halt.
    await s.ok({ type: 'clear' });
    const cont = await s.ok({ type: 'run' });
    expect(cont.stopped).toBe('ended');
    expect(cont.vms[0].haltCode).toBe(0);
  });

  test('a watchpoint on a process\'s private page stops the run at the store', async () => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone(TINYOS, { mode: 'native' }, { engine: 'interp' }) });
    const wp = await s.ok({ type: 'watch', address: 0x00800000, access: 'w' });
    expect(wp.text).toMatch(/^watchpoint \d+ \(write\) on 0x00800000/);
    const run = await s.ok({ type: 'run' });
    expect(run.stopped).toBe('paused');
    expect(run.output).toMatch(/stopped at watchpoint \d+ \(write 0x00800000\)/);
  });

  test('a debugger command line (print, x) answers as virtlab debug does', async () => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone('guests/hello.s', {}, { engine: 'interp' }) });
    const r = await s.ok({ type: 'command', line: 'x/s message' });
    expect(r.failed).toBe(false);
    expect(r.output).toBe('0x00002000 <message>:  "Hello from virtlab!\\n"\n');
    const bad = await s.ok({ type: 'command', line: 'prnt 1' });
    expect(bad.failed).toBe(true);
    expect(bad.output).toMatch(/^error: unknown command 'prnt' \(did you mean print\?\)/);
  });
});

describe('next and finish (interp)', () => {
  test('next runs a call to its return; finish runs the function to its return', async () => {
    const s = newSession();
    const load = await s.ok({ type: 'load', config: lone(TINYOS, { mode: 'hw' }, { engine: 'interp' }) });
    const CALL_LINE = 407; // call console_write, in the write system call
    const addr = load.vms[0].lines.find((l: { file: string; line: number }) => l.file === TINYOS && l.line === CALL_LINE).address;
    await s.ok({ type: 'break', at: { kind: 'line', file: TINYOS, line: CALL_LINE } });
    expect((await s.ok({ type: 'run' })).vms[0].pc).toBe(addr);
    const before = (await s.ok({ type: 'snapshot' })).state.console;
    const next = await s.ok({ type: 'next' });
    expect(next.vms[0].pc).toBe(addr + 4); // the instruction after the call
    expect((await s.ok({ type: 'snapshot' })).state.console.length).toBeGreaterThan(before.length); // the call wrote a line

    await s.ok({ type: 'clear', points: [1] });
    await s.ok({ type: 'break', at: { kind: 'expr', text: 'console_write' } });
    const inside = await s.ok({ type: 'run' });
    expect(inside.output).toContain('<console_write>');
    const fin = await s.ok({ type: 'finish' });
    expect(fin.output).toMatch(/^returned; a0 = 0x[0-9a-f]{8}/m);
    expect(fin.vms[0].pc).toBe(addr + 4);
  });
});

describe('on a host (interp)', () => {
  test('a breakpoint belongs to the VM it is set in; the stop selects that VM', async () => {
    const s = newSession();
    const vms = (['bt', 'hw'] as const).map((mode) => ({ name: mode, program: { kind: 'catalog', path: TINYOS }, mode }));
    await s.ok({ type: 'load', config: { engine: 'interp', costModel: 'p4-2006', vms } });
    await s.ok({ type: 'break', vm: 'hw', at: { kind: 'expr', text: 'schedule' } });
    const run = await s.ok({ type: 'run' });
    expect(run.stopped).toBe('paused');
    expect(run.selected).toBe('hw');
    const hw = (await s.ok({ type: 'snapshot' })).state;
    expect(hw.name).toBe('hw');
    expect(hw.pc).toBe(run.vms.find((v: { name: string }) => v.name === 'hw').pc);
    // The other VM's view is its saved vCPU: a different place in the same kernel.
    const bt = (await s.ok({ type: 'snapshot', vm: 'bt' })).state;
    expect(bt.name).toBe('bt');
    expect(bt.console.startsWith('tinyos: booting\n')).toBe(true);
    const before = run.vms.find((v: { name: string }) => v.name === 'hw').instructions;
    const step = await s.ok({ type: 'step' });
    const stepped = (await s.ok({ type: 'snapshot' })).state;
    expect(stepped.name).toBe('hw');
    expect(stepped.pc).toBe(hw.pc + 4);
    // The running VM's count includes its slice so far (a host sums a slice's counters at its end).
    expect(step.vms.find((v: { name: string }) => v.name === 'hw').instructions).toBe(before + 1);
  });
});
