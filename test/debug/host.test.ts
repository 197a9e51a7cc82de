// The debugger on a host (virtlab debug HOST.json): one run loop scheduling
// every VM as `virtlab host` does, views and points of the selected VM, stops
// that select the VM that stopped, reverse stepping of the whole host.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { Host } from '../../src/host/index.js';
import type { DebugSession } from '../../src/debug/index.js';
import { oneErrorLine, runCli } from '../cli/run.js';
import { CALLS, fails, fullState, hostSession, lastLine, out, ROOT, run, session } from './helpers.js';

const THREE = 'guests/hosts/three-modes.json';
const TINYOS = 'guests/tinyos/tinyos.s';
/** Two VMs running the same image in the same mode: the same guest addresses in both. */
const TWINS = [`a=${TINYOS}:hw`, `b=${TINYOS}:hw`];

const dir = mkdtempSync(join(tmpdir(), 'virtlab-debug-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each VM's row of `vm`: [selected mark, name, mode, state, instructions, pc...]. */
function vmRows(s: DebugSession): Map<string, { selected: boolean; state: string; instructions: number }> {
  const rows = out(s, 'vm').trimEnd().split('\n').slice(1);
  return new Map(rows.map((r) => {
    const m = /^([* ]) {2}(\S+)\s+\S+\s+(.+?)\s+(\d+)\s+0x/.exec(r)!;
    return [m[2]!, { selected: m[1] === '*', state: m[3]!, instructions: Number(m[4]) }];
  }));
}

/** The whole host: the machine's state (the host's, every VM's saved vCPU, monitor, clock, console, with it) and RAM. */
function hostState(s: DebugSession) {
  return { ...fullState(s.machine), consoles: s.host!.vms.map((vm) => vm.consoleText()) };
}

describe('virtlab debug on a host', () => {
  test('a breakpoint stops the VM that hit it and selects it; vm lists which VM runs now', () => {
    const s = hostSession(THREE);
    expect(s.banner(THREE)).toMatch(/^virtlab debug: host guests\/hosts\/three-modes\.json, 3 VMs: bt \(bt\), pv \(pv\), hw \(hw\); history 1000000 steps; .*\n\[bt\] 0x00001000 <_start> /);
    run(s, 'vm hw');
    expect(out(s, 'break schedule')).toBe('breakpoint 1 at 0x000017dc <schedule> guests/tinyos/tinyos.s:617\n');
    run(s, 'vm pv'); // the selection when it stops does not matter
    const stop = out(s, 'continue');
    expect(stop).toContain('stopped at breakpoint 1, hit 1 time\n[hw] 0x000017dc <schedule> guests/tinyos/tinyos.s:617   addi sp, sp, -4\n');
    // Each VM's console lines as virtlab host prints them.
    expect(stop).toMatch(/^bt \| tinyos: booting\npv \| tinyos: booting\nhw \| tinyos: booting\n/);
    const rows = vmRows(s);
    expect(rows.get('hw')).toMatchObject({ selected: true, state: 'runs now' });
    expect(rows.get('bt')).toMatchObject({ selected: false, state: 'runnable' });
    expect(out(s, 'info breakpoints')).toBe('Num  Type        Enb  VM  What\n1    breakpoint  y    hw  0x000017dc <schedule> guests/tinyos/tinyos.s:617  (hit 1 time)\n');
    expect(out(s, 'where')).toMatch(/\n {2}VM hw runs now \(this one\)\n$/);
    expect(out(s, 'print pc == schedule')).toBe('0x00000001 (1)\n');
  });

  test('a breakpoint in one VM does not stop another VM running the same image at the same address', () => {
    // a runs first and reaches schedule first: a breakpoint of a's stops earlier than the same one of b's.
    const stepsAt = (vm: string) => {
      const s = hostSession(undefined, { specs: TWINS, slice: 500 });
      run(s, `vm ${vm}`, 'break schedule');
      expect(lastLine(out(s, 'continue'))).toBe(`[${vm}] 0x000017dc <schedule> guests/tinyos/tinyos.s:617   addi sp, sp, -4`);
      return { s, step: Number(/step (\d+)/.exec(out(s, 'where'))![1]) };
    };
    const a = stepsAt('a');
    const b = stepsAt('b');
    expect(b.step).toBeGreaterThan(a.step);
    // Every further stop of b's breakpoint is b's, though a keeps calling schedule in between.
    for (let i = 0; i < 4; i++) expect(lastLine(out(b.s, 'continue'))).toMatch(/^\[b\] 0x000017dc <schedule>/);
    expect(out(b.s, 'info breakpoints')).toContain('(hit 5 times)');
  });

  test('step counts the selected VM\'s instructions while the others run in between', () => {
    const s = hostSession(undefined, { specs: TWINS, slice: 50 });
    run(s, 'vm b');
    // b has not run yet: a's first slice runs before b's first instruction.
    expect(out(s, 'step')).toBe('[b] 0x00001004 <_start+4> guests/tinyos/tinyos.s:100   ori sp, sp, 0x7280\n');
    let rows = vmRows(s);
    expect(rows.get('a')!.instructions).toBe(50);
    expect(rows.get('b')).toMatchObject({ selected: true, state: 'runs now', instructions: 1 });
    out(s, 'step 120');
    rows = vmRows(s);
    expect(rows.get('b')!.instructions).toBe(121); // no interrupt yet: a step is an instruction
    expect(rows.get('a')!.instructions).toBeGreaterThan(50);
    expect(rows.get('b')!.state).toBe('runs now');
    // next over a call in b, while a runs its slices.
    run(s, 'break build_kernel_space', 'continue');
    expect(lastLine(out(s, 'finish'))).toMatch(/^\[b\] 0x[0-9a-f]{8} <_start\+\d+> /);
  });

  test('back: the whole host returns bit for bit, and stepping again repeats the run', () => {
    const s = hostSession(THREE, { slice: 997 });
    run(s, 'vm pv', 'break schedule');
    const at = lastLine(out(s, 'continue'));
    expect(at).toMatch(/^\[pv\] 0x[0-9a-f]{8} <schedule> /);
    run(s, 'delete');
    const before = hostState(s);
    const stepped = out(s, 'step 2500');
    const after = hostState(s);
    expect(after.state).not.toEqual(before.state);
    expect(out(s, 'back 2500')).toBe(`${at}\n`);
    expect(hostState(s)).toEqual(before);
    expect(out(s, 'step 2500')).toBe(stepped.replace(/^[a-z]{2} \| .*\n/gm, '')); // console lines are not shown twice
    expect(hostState(s)).toEqual(after);
  });

  test('under bt a step is one guest instruction of the VM, and back undoes it bit for bit', () => {
    const s = hostSession(THREE, { slice: 300 });
    run(s, 'vm bt', 'break schedule', 'continue', 'delete');
    expect(lastLine(out(s, 'where'))).toBe('  VM bt runs now (this one)');
    const before = hostState(s);
    expect(out(s, 'step')).toMatch(/^\[bt\] 0x000017e0 <schedule\+4> /);
    const after = hostState(s);
    out(s, 'step 700'); // across slices of the others
    out(s, 'back 701');
    expect(hostState(s)).toEqual(before);
    out(s, 'step');
    expect(hostState(s)).toEqual(after);
  });

  test('a host with network cards: back takes the switch and the NICs back too', () => {
    const s = hostSession('guests/hosts/pingpong.json');
    run(s, 'vm pv-pong', 'step 20000');
    const before = hostState(s);
    out(s, 'step 3000');
    const after = hostState(s);
    expect(after.state).not.toEqual(before.state);
    out(s, 'back 3000');
    expect(hostState(s)).toEqual(before);
    out(s, 'step 3000');
    expect(hostState(s)).toEqual(after);
  });

  test('back counts the selected VM\'s instructions and says when history runs out', () => {
    const s = hostSession(undefined, { specs: TWINS, slice: 50 });
    run(s, 'vm b', 'step 3');
    expect(out(s, 'back 2')).toBe('[b] 0x00001004 <_start+4> guests/tinyos/tinyos.s:100   ori sp, sp, 0x7280\n');
    expect(out(s, 'back 5')).toBe('history exhausted: went back 1 of 5 steps (this is the start of the run)\n[b] 0x00001000 <_start> guests/tinyos/tinyos.s:100   lui sp, 0x0\n');
    const off = hostSession(THREE, { history: 0 });
    expect(fails(off, 'back')).toBe('error: reverse stepping is off (--history 0)\n');
  });

  test('the same commands give the same output; continuing to the end leaves every VM as virtlab host does', () => {
    const script = ['vm hw', 'break schedule', 'vm bt', 'watch 0x00800000', 'continue', 'continue', 'step 40', 'vm pv', 'next', 'back 7', 'delete'];
    const transcript = () => {
      const s = hostSession(THREE);
      const text = script.map((c) => out(s, c)).join('');
      let rest = '';
      for (let i = 0; i < 10 && !rest.includes('every VM has stopped'); i++) rest += out(s, 'continue');
      return { s, text, rest };
    };
    const one = transcript();
    const two = transcript();
    expect(two.text).toBe(one.text);
    expect(two.rest).toBe(one.rest);
    expect(one.rest).toMatch(/^VM bt halted with exit code 0$/m);
    // The same host run without a debugger: each VM's console, stop and counters.
    const h = one.s.host!;
    const plain = new Host({ vms: h.vms.map((vm) => ({ name: vm.name, image: vm.image, mode: vm.mode })), slice: h.slice });
    expect(plain.run(100_000_000).end).toBe('stopped');
    const summary = (host: Host) => host.vms.map((vm) => ({ console: vm.consoleText(), stop: vm.stop, counters: { ...vm.counters }, host: { ...vm.host } }));
    expect(summary(h)).toEqual(summary(plain));
    // Every VM stopped: a command that runs says so and the session goes on.
    expect(fails(one.s, 'step')).toBe("error: every VM has stopped; 'back' steps backwards, 'restart' starts over\n");
    expect(lastLine(out(one.s, 'back'))).toMatch(/^\[(bt|pv|hw)\] 0x/);
  });

  test('short slices: every stop and step leaves the VM that stopped running; the host still runs as virtlab host', () => {
    const specs = [`a=${TINYOS}:bt`, `b=${TINYOS}:trap`, `c=${TINYOS}:hw`];
    const s = hostSession(undefined, { specs, slice: 7 });
    run(s, 'vm b', 'break puts');
    for (let i = 0; i < 3; i++) {
      expect(lastLine(out(s, 'continue'))).toMatch(/^\[b\] 0x[0-9a-f]{8} <puts> /);
      expect(vmRows(s).get('b')).toMatchObject({ selected: true, state: 'runs now' });
      const before = vmRows(s).get('b')!.instructions;
      out(s, 'step 5');
      const rows = vmRows(s);
      expect(rows.get('b')).toMatchObject({ selected: true, state: 'runs now' });
      expect(rows.get('b')!.instructions - before).toBeGreaterThan(0);
      expect(rows.get('b')!.instructions - before).toBeLessThanOrEqual(5);
    }
    run(s, 'delete');
    let rest = '';
    for (let i = 0; i < 10 && !rest.includes('every VM has stopped'); i++) rest += out(s, 'continue');
    const h = s.host!;
    const plain = new Host({ vms: h.vms.map((vm) => ({ name: vm.name, image: vm.image, mode: vm.mode })), slice: 7 });
    plain.run(100_000_000);
    const summary = (host: Host) => host.vms.map((vm) => ({ console: vm.consoleText(), stop: vm.stop, counters: { ...vm.counters }, host: { ...vm.host } }));
    expect(summary(h)).toEqual(summary(plain));
  });

  test('the views of a VM that is not running show its saved vCPU and leave the host as it was', () => {
    const s = hostSession(THREE);
    run(s, 'vm hw', 'break schedule', 'continue');
    const hwRegs = out(s, 'regs');
    const before = hostState(s);
    for (const vm of ['bt', 'pv']) {
      run(s, `vm ${vm}`);
      expect(out(s, 'regs')).toMatch(/\npc {8}0x[0-9a-f]{8} <\w+(\+\d+)?> {3}ring \d \(guest's virtual CPU\)\n/);
      expect(out(s, 'where real')).toMatch(/\n {2}VM hw runs now\n$/);
      run(s, 'x/4x sp', 'disasm', 'print [sp]', 'info registers', 'vm');
    }
    expect(hostState(s)).toEqual(before);
    run(s, 'vm hw');
    expect(out(s, 'regs')).toBe(hwRegs);
    // Points set now belong to pv: the list names each one's VM.
    run(s, 'vm pv', 'watch 0x00800000');
    expect(out(s, 'info breakpoints')).toMatch(/^1 {4}breakpoint {2}y {4}hw {2}0x000017dc <schedule> .*\n2 {4}watchpoint {2}y {4}pv {2}write 0x00800000\n$/m);
    expect(lastLine(out(s, 'continue'))).toMatch(/^\[(hw|pv)\] /);
  });

  test('restart starts every VM over: the same stops as a fresh session, breakpoints kept', () => {
    const s = hostSession(THREE, { slice: 2000 });
    run(s, 'vm pv', 'break puts if [a1] != 0', 'vm hw', 'watch 0x00800000');
    const first = [out(s, 'continue'), out(s, 'continue'), out(s, 'continue')];
    const state = hostState(s);
    expect(first.join('')).toMatch(/stopped at breakpoint 1 \(\[a1\] != 0\), hit 1 time\n\[pv\] 0x[0-9a-f]{8} <puts> /);
    expect(first.join('')).toMatch(/stopped at watchpoint 2 \(write 0x00800000\) by 0x[0-9a-f]{8} <worker\+\d+>: 0x00000000 -> 0x00001111\n\[hw\] /);
    expect(out(s, 'restart')).toBe('restarted\n[hw] 0x00001000 <_start> guests/tinyos/tinyos.s:100   lui sp, 0x0\n');
    const again = [out(s, 'continue'), out(s, 'continue'), out(s, 'continue')];
    expect(again.map((t) => t.replace(/hit \d+ times?/g, ''))).toEqual(first.map((t) => t.replace(/hit \d+ times?/g, '')));
    expect(hostState(s)).toEqual(state);
  });

  test('bad input: one-line errors, and the session stays usable', () => {
    const s = hostSession(THREE);
    expect(fails(s, 'vm nope')).toBe("error: vm: no VM named 'nope'; the VMs are bt, pv, hw\n");
    expect(fails(s, 'vm a b')).toBe('error: usage: vm [NAME]\n');
    expect(out(s, 'vm hw')).toMatch(/^\[hw\] 0x00001000 <_start> .*\n {2}not running now \(between slices\); it resumes here when it gets the CPU\n$/);
    expect(fails(session(CALLS), 'vm')).toMatch(/^error: vm: this session debugs one program; /);
    // A VM that halted: the run stops to say so; stepping it is refused, the others go on.
    const h = hostSession(undefined, { specs: ['h=guests/hello.s:trap', `t=${TINYOS}:hw`] });
    const end = out(h, 'continue');
    expect(end).toMatch(/^h \| Hello from virtlab!\nVM h halted with exit code 0\n/);
    expect(vmRows(h).get('h')!.state).toBe('halted (exit code 0)');
    expect(fails(h, 'step')).toBe("error: VM h has halted (exit code 0); 'vm NAME' selects another, 'back' steps backwards, 'restart' starts over\n");
    run(h, 'vm t');
    expect(out(h, 'step')).toMatch(/^\[t\] 0x/);
  });
});

describe('virtlab debug HOST.json', () => {
  function script(name: string, ...lines: string[]): string {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  }

  test('a configuration file: the banner names the VMs, the transcript shows which VM stopped', async () => {
    const r = await runCli(['debug', THREE, '--script', script('three.vl', 'vm hw', 'break schedule', 'continue', 'vm', 'vm bt', 'quit')], ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^virtlab debug: host guests\/hosts\/three-modes\.json, 3 VMs: bt \(bt\), pv \(pv\), hw \(hw\); history 1000000 steps; 'help' lists the commands\n\[bt\] 0x00001000 <_start> guests\/tinyos\/tinyos\.s:100 {3}lui sp, 0x0\n/);
    expect(r.stdout).toContain('(vl) vm hw\n[hw] 0x00001000 <_start>');
    expect(r.stdout).toContain('stopped at breakpoint 1, hit 1 time\n[hw] 0x000017dc <schedule> guests/tinyos/tinyos.s:617   addi sp, sp, -4\n(vl) vm\n');
    expect(r.stdout).toMatch(/^\*  hw  hw    runs now  +72590  0x000017dc <schedule>$/m);
    expect(r.stdout).toMatch(/\(vl\) vm bt\n\[bt\] 0x[0-9a-f]{8} <\w+(\+\d+)?> /);
  });

  test('--vm NAME=FILE:MODE gives the VMs without a file; --slice sets the slice', async () => {
    const r = await runCli(['debug', '--vm', 'h=guests/hello.s:trap', '--vm', `t=${TINYOS}:hw`, '--slice', '100', '--script', script('vm.vl', 'vm', 'continue')], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^virtlab debug: host of --vm h=guests\/hello\.s:trap --vm t=guests\/tinyos\/tinyos\.s:hw, 2 VMs: h \(trap\), t \(hw\);/);
    expect(r.stdout).toMatch(/^h \| Hello from virtlab!\nVM h halted with exit code 0\n/m);
  });

  test('bad invocations are one-line errors', async () => {
    const lone = await runCli(['debug', THREE, '--mode', 'trap', '--script', script('x.vl', 'quit')], ROOT);
    expect(lone.code).toBe(2);
    expect(oneErrorLine(lone)).toBe("virtlab: --mode applies to a lone program; a host's VMs take their modes, memory, input and network cards from its configuration (docs/host.md)");
    expect(oneErrorLine(await runCli(['debug', THREE, '--nic', 'virtio'], ROOT))).toMatch(/^virtlab: --nic applies to a lone program; /);
    expect(oneErrorLine(await runCli(['debug', 'guests/hello.s', '--slice', '10'], ROOT))).toBe('virtlab: --slice applies to a host: give a .json configuration or --vm NAME=FILE:MODE');
    expect(oneErrorLine(await runCli(['debug', 'guests/hello.s', '--vm', 'a=guests/hello.s:trap'], ROOT))).toMatch(/^virtlab: give a program or the VMs of a host with --vm, not both/);
    expect(oneErrorLine(await runCli(['debug', '--script', 'x'], ROOT))).toBe('virtlab: no program: give a program to debug, or a host (a .json configuration or --vm NAME=FILE:MODE)');
    expect(oneErrorLine(await runCli(['debug', '--vm', 'a=guests/hello.s:native'], ROOT))).toMatch(/^virtlab: --vm 'a=guests\/hello\.s:native': mode: /);
  });
});

describe('docs/debugger.md, On a host', () => {
  test('every debugger line of the host transcript is what the session prints', () => {
    const doc = readFileSync(new URL('../../docs/debugger.md', import.meta.url), 'utf8');
    const block = /```\n\$ virtlab debug guests\/hosts\/three-modes\.json\n([\s\S]*?)```/.exec(doc)![1]!;
    const steps: { command: string; lines: string[] }[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('(vl) ')) steps.push({ command: line.slice(5), lines: [] });
      else if (steps.length > 0 && /^(\[|breakpoint|watchpoint|stopped|\*|Num|\d+ {4}| {2}not running)/.test(line)) steps[steps.length - 1]!.lines.push(line);
    }
    expect(steps.length).toBeGreaterThan(6);
    const s = hostSession(THREE);
    for (const { command, lines } of steps) {
      const printed = s.execute(command).output.split('\n');
      for (const line of lines) expect(printed, `after '${command}'`).toContain(line);
    }
  });
});
