import { describe, expect, test } from 'vitest';
import type { MemAccess } from '../../src/machine/index.js';
import { WatchIndex, type Watchpoint } from '../../src/debug/breakpoints.js';
import { CALLS, fails, lastLine, out, pc, run, session } from './helpers.js';

// calls.s: _start at 0x1000, loop at 0x1004 (a0 = i on entry, 0..4), square at 0x105c, total at 0x2000.

describe('breakpoints', () => {
  test('by symbol: continue stops before the instruction, reports hits, and prints the location line', () => {
    const s = session(CALLS);
    expect(out(s, 'break square')).toBe('breakpoint 1 at 0x0000105c <square> test/debug/fixtures/calls.s:31\n');
    expect(out(s, 'continue')).toBe('stopped at breakpoint 1, hit 1 time\n0x0000105c <square> test/debug/fixtures/calls.s:31   mul a0, a0, a0\n');
    expect(out(s, 'continue')).toMatch(/^stopped at breakpoint 1, hit 2 times\n/);
    expect(s.machine.cpu.regs[4]).toBe(1); // second call: square(1)
  });

  test('by address and by FILE:LINE (a line without code moves to the next one)', () => {
    const s = session(CALLS);
    expect(out(s, 'break 0x1010')).toBe('breakpoint 1 at 0x00001010 <loop+12> test/debug/fixtures/calls.s:13\n');
    expect(out(s, 'break calls.s:30')).toBe('breakpoint 2 at 0x0000105c <square> test/debug/fixtures/calls.s:31 (line 30 has no code)\n');
    expect(out(s, 'break test/debug/fixtures/calls.s:37')).toMatch(/^breakpoint 3 at 0x00001068 <fact\+4> /);
    expect(out(s, 'continue')).toMatch(/^stopped at breakpoint 2, hit 1 time\n/);
    expect(out(s, 'continue')).toMatch(/^stopped at breakpoint 1, hit 1 time\n0x00001010 <loop\+12>/);
  });

  test('conditional: `break loop if a0 == 3` stops at the fourth iteration', () => {
    const s = session(CALLS);
    run(s, 'break loop if a0 == 3');
    expect(out(s, 'continue')).toBe('stopped at breakpoint 1 (a0 == 3), hit 1 time\n0x00001004 <loop> test/debug/fixtures/calls.s:11   addi sp, sp, -4\n');
    expect(s.machine.cpu.regs[4]).toBe(3);
    expect(out(s, 'print [total]')).toBe('0x00000005 (5)\n'); // 0 + 1 + 4
    expect(out(s, 'continue')).toMatch(/the guest halted with exit code 0/);
  });

  test('conditions over memory, symbols and && / ||; a false condition does not count as a hit', () => {
    const s = session(CALLS);
    run(s, 'break loop if [total] >= 14 && a0 != 0 || step < 0');
    out(s, 'continue');
    expect(s.machine.cpu.regs[4]).toBe(4);
    expect(out(s, 'info breakpoints')).toMatch(/\(hit 1 time\)/);
  });

  test('a condition that cannot be evaluated stops, with the reason, and fails the command (--strict counts it)', () => {
    const s = session(CALLS);
    run(s, 'break square if [0x7fffffc] == 0'); // beyond the 16 MiB of RAM
    const r = s.execute('continue');
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/^stopped at breakpoint 1 \(\[0x7fffffc\] == 0\), hit 1 time\nerror: cannot evaluate the condition of breakpoint 1 \(\[0x7fffffc\] == 0\): cannot read the word at 0x07fffffc: not mapped to RAM; stopped here\n0x0000105c <square>/);
    // The session goes on: the next command that works succeeds.
    expect(s.execute('regs').ok).toBe(true);
  });

  test('a watchpoint condition that cannot be evaluated stops and fails the command too', () => {
    const s = session(CALLS);
    run(s, 'watch total if 1/0');
    const r = s.execute('continue');
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/^stopped at watchpoint 1 \(write 0x[0-9a-f]{8} <total>\) by 0x[0-9a-f]{8} <\w+\+?\d*>: .*\nerror: cannot evaluate the condition of watchpoint 1 \(1\/0\): division by zero in expression; stopped here\n/);
  });

  test('a breakpoint at the pc does not stop the resume from it; step N stops at one on the way', () => {
    const s = session(CALLS);
    run(s, 'break square', 'continue');
    expect(out(s, 'step')).toMatch(/^0x00001060 <square\+4>/);
    run(s, 'back');
    expect(out(s, 'step 2')).toMatch(/^0x00001010 <loop\+12>/); // resumed from the breakpoint: not stopped by it
    const s2 = session(CALLS);
    run(s2, 'break square');
    expect(out(s2, 'step 100')).toMatch(/^stopped at breakpoint 1, hit 1 time\n0x0000105c/);
    expect(s2.machine.counters.steps).toBeLessThan(100);
  });

  test('delete, disable, enable and info breakpoints', () => {
    const s = session(CALLS);
    run(s, 'break square', 'break fact if a0 == 2', 'watch total rw');
    expect(out(s, 'info breakpoints')).toBe([
      'Num  Type        Enb  What',
      '1    breakpoint  y    0x0000105c <square> test/debug/fixtures/calls.s:31',
      '2    breakpoint  y    0x00001064 <fact> test/debug/fixtures/calls.s:36 if a0 == 2',
      '3    watchpoint  y    read/write 0x00002000 <total>',
      '',
    ].join('\n'));
    expect(out(s, 'disable 1 3')).toBe('disabled breakpoint 1, watchpoint 3\n');
    expect(out(s, 'continue')).toMatch(/^sum done\nstopped at breakpoint 2 \(a0 == 2\), hit 1 time\n/);
    expect(out(s, 'delete 2')).toBe('deleted breakpoint 2\n');
    expect(fails(s, 'delete 2')).toBe('error: delete: no breakpoint or watchpoint number 2\n');
    expect(out(s, 'enable')).toBe('enabled breakpoint 1, watchpoint 3\n');
    expect(out(s, 'info b')).toMatch(/^1 +breakpoint +y /m);
    expect(out(s, 'delete')).toBe('deleted all breakpoints and watchpoints (2)\n');
    expect(out(s, 'info breakpoints')).toBe('no breakpoints or watchpoints\n');
  });
});

describe('watchpoints', () => {
  test('w (the default): stops after the store, with old -> new value and the storing instruction', () => {
    const s = session(CALLS);
    expect(out(s, 'watch total')).toBe('watchpoint 1 (write) on 0x00002000 <total>\n');
    run(s, 'continue'); // i = 0: total 0 -> 0
    expect(out(s, 'continue')).toBe(
      'stopped at watchpoint 1 (write 0x00002000 <total>) by 0x00001020 <loop+28>: 0x00000000 -> 0x00000001\n'
      + '0x00001024 <loop+32> test/debug/fixtures/calls.s:17   lw a0, 0(sp)\n');
    expect(out(s, 'continue')).toMatch(/: 0x00000001 -> 0x00000005\n/);
  });

  test('r: stops after the load, showing the value read', () => {
    const s = session(CALLS);
    run(s, 'watch total r');
    expect(out(s, 'continue')).toBe(
      'stopped at watchpoint 1 (read 0x00002000 <total>) by 0x00001018 <loop+20>: value 0x00000000\n'
      + '0x0000101c <loop+24> test/debug/fixtures/calls.s:15   add t1, t1, a0\n');
    expect(out(s, 'continue')).toMatch(/^stopped at watchpoint 1 \(read 0x00002000 <total>\) by 0x00001018 <loop\+20>: value 0x00000000\n/);
    expect(out(s, 'continue')).toMatch(/: value 0x00000001\n/);
  });

  test('rw: both the load and the store of each iteration', () => {
    const s = session(CALLS);
    run(s, 'watch total rw');
    const kinds = [1, 2, 3, 4].map(() => /watchpoint 1 \((read|write) /.exec(out(s, 'continue'))![1]);
    expect(kinds).toEqual(['read', 'write', 'read', 'write']);
  });

  test('a byte store into the watched word, a watch on a non-aligned address, and a condition', () => {
    const s = session('guests/tinyos/tinyos.s');
    // print_hex stores bytes into hexbuf; watch the word holding hexbuf+9 via an unaligned address.
    run(s, 'watch hexbuf+9 w if ring == 0');
    const text = out(s, 'continue');
    expect(text).toMatch(/stopped at watchpoint 1 \(write 0x[0-9a-f]{8} <hexbuf\+\d>\) by 0x[0-9a-f]{8} <print_hex\+\d+>: 0x[0-9a-f]{8} -> 0x[0-9a-f]{8}\n/);
  });

  test('virtual watchpoints match the address in every address space; -p watches one physical word', () => {
    const virt = session('guests/tinyos/tinyos.s');
    run(virt, 'watch 0x00800000'); // USER_DATA: each process's private page, at the same virtual address
    const first = out(virt, 'continue');
    expect(first).toMatch(/^stopped at watchpoint 1 \(write 0x00800000\) by 0x[0-9a-f]{8} <worker\+\d+>: 0x00000000 -> 0x00001111\n/m);
    const ptbr1 = virt.machine.cpu.cr[2];
    expect(out(virt, 'continue')).toMatch(/: 0x00000000 -> 0x00002222\n/); // pid 2, another address space
    expect(virt.machine.cpu.cr[2]).not.toBe(ptbr1);

    const phys = session('guests/tinyos/tinyos.s');
    run(phys, 'break worker', 'continue', 'delete');
    const pa = phys.machine.translateDebug(0x00800000)!.paddr;
    expect(out(phys, `watch -p ${pa}`)).toBe(`watchpoint 2 (write) on physical 0x${pa.toString(16).padStart(8, '0')}\n`);
    expect(out(phys, 'continue')).toMatch(/^stopped at watchpoint 2 \(write physical 0x[0-9a-f]{8}\) by 0x[0-9a-f]{8} <worker\+\d+>: 0x00000000 -> 0x00001111\n/);
    expect(out(phys, 'continue')).not.toMatch(/watchpoint/); // pid 2 writes its own frame
  });

  test('bad watch arguments', () => {
    const s = session(CALLS);
    expect(fails(s, 'watch total x')).toBe("error: watch: access must be r, w or rw, got 'x'\n");
    expect(fails(s, 'watch')).toBe('error: usage: watch [-p] ADDR|SYMBOL [r|w|rw] [if EXPR]\n');
    expect(fails(s, 'watch totl')).toBe("error: unknown name 'totl' in 'totl' (did you mean total?)\n");
  });
});

describe('watchpoints by the word (WatchIndex)', () => {
  const write = (vaddr: number, paddr: number, size: 1 | 2 | 4): MemAccess => ({ kind: 'write', vaddr, paddr, size, value: 0 });
  const wp = (id: number, addr: number, physical: boolean): Watchpoint => ({ kind: 'watchpoint', id, addr, access: 'w', physical, enabled: true, hits: 0 });

  test('an access finds the watchpoints on its word, virtual by vaddr and physical by paddr, and no others', () => {
    const points = [wp(1, 0x2000, false), wp(2, 0x2004, false), wp(3, 0x9000, true), wp(4, 0x2000, false), wp(5, 0x2000, true)];
    const index = new WatchIndex(points);
    expect(index.size).toBe(5);
    expect(index.candidates(write(0x2002, 0x9002, 2)).map((w) => w.id)).toEqual([1, 4, 3]);
    expect(index.candidates(write(0x2004, 0x2000, 4)).map((w) => w.id)).toEqual([2, 5]);
    expect(index.candidates(write(0x3000, 0x3000, 4))).toEqual([]);
    // An access spanning two words (the index does not assume alignment) finds both.
    expect(index.candidates(write(0x2003, 0x5003, 2)).map((w) => w.id)).toEqual([1, 4, 2]);
  });

  test('with many watchpoints the one on the word written stops, and the rest stay quiet', () => {
    const s = session(CALLS);
    const total = Number(out(s, 'print total').slice(0, 10));
    for (let i = 0; i < 300; i++) run(s, `watch ${0x100000 + 4 * i}`);
    run(s, `watch ${total}`);
    expect(out(s, 'continue')).toMatch(/^stopped at watchpoint 301 \(write 0x[0-9a-f]{8} <total>\)/);
  });
});

describe('step, next and finish', () => {
  test('step N counts instructions; step reports a trap it took', () => {
    const s = session(CALLS);
    expect(out(s, 'step 3')).toBe('0x0000100c <loop+8> test/debug/fixtures/calls.s:12   jal ra, square\n');
    expect(s.machine.counters.steps).toBe(3);
    const t = session('guests/exceptions/syscall.s');
    const lines: string[] = [];
    for (let i = 0; i < 40 && !lines.some((l) => l.startsWith('trap taken')); i++) lines.push(...out(t, 'step').split('\n'));
    expect(lines.find((l) => l.startsWith('trap taken'))).toMatch(/^trap taken: system call \(cause 0x00000007\), epc 0x[0-9a-f]{8}/);
  });

  test('next over a leaf call stops after it with its result; elsewhere it is a step', () => {
    const s = session(CALLS);
    run(s, 'break loop if a0 == 3', 'continue', 'step 2');
    expect(out(s, 'where')).toMatch(/jal ra, square/);
    expect(out(s, 'next')).toBe('0x00001010 <loop+12> test/debug/fixtures/calls.s:13   lui t0, 0x0\n');
    expect(s.machine.cpu.regs[4]).toBe(9);
    expect(out(s, 'next')).toBe('0x00001014 <loop+16> test/debug/fixtures/calls.s:13   ori t0, t0, 0x2000\n');
  });

  test('next over a recursive call returns to the same frame, not the first return to that address', () => {
    const s = session(CALLS);
    run(s, 'break fact if a0 == 4', 'continue', 'delete');
    while (!/jal ra, fact/.test(out(s, 'where'))) out(s, 'step');
    const sp = s.machine.cpu.regs[2]! >>> 0;
    expect(out(s, 'next')).toMatch(/^0x[0-9a-f]{8} <after_inner>/);
    expect(s.machine.cpu.regs[4]).toBe(6); // fact(3)
    expect(s.machine.cpu.regs[2]! >>> 0).toBe(sp);
  });

  test('next respects a breakpoint inside the call', () => {
    const s = session(CALLS);
    run(s, 'step 3', 'break square');
    expect(out(s, 'next')).toMatch(/^stopped at breakpoint 1, hit 1 time\n0x0000105c <square>/);
  });

  test('finish returns from the current function, frame by frame through a recursion', () => {
    const s = session(CALLS);
    run(s, 'break fact if a0 == 2', 'continue', 'delete');
    expect(out(s, 'finish')).toBe('returned; a0 = 0x00000002 (2)\n0x00001084 <after_inner> test/debug/fixtures/calls.s:43   lw t0, 0(sp)\n');
    expect(out(s, 'finish')).toMatch(/^returned; a0 = 0x00000006 \(6\)\n0x00001084 <after_inner>/);
    expect(out(s, 'finish')).toMatch(/^returned; a0 = 0x00000018 \(24\)\n/);
    expect(out(s, 'finish')).toMatch(/^returned; a0 = 0x00000078 \(120\)\n0x0000104c <loop\+72>/);
  });

  test('finish from a leaf called in a loop, and finish stopped by a breakpoint', () => {
    const s = session(CALLS);
    run(s, 'break square', 'continue');
    expect(out(s, 'finish')).toMatch(/^returned; a0 = 0x00000000 \(0\)\n0x00001010 <loop\+12>/);
    run(s, 'break fact');
    run(s, 'delete 1');
    run(s, 'step');
    expect(pc(s)).toBe(0x1014);
    // From the top level nothing returns: it runs into the breakpoint instead.
    expect(out(s, 'finish')).toMatch(/^sum done\nstopped at breakpoint 2, hit 1 time\n/);
  });

  test('finish in a tinyos trap handler: an interrupt in the middle counts as a call, rett as its return', () => {
    const s = session('guests/tinyos/tinyos.s');
    // puts runs during boot with interrupts on (the timer check): finish must not stop at the handler's rett.
    run(s, 'break trap_entry', 'continue');
    expect(s.machine.cpu.cr[5]! >>> 0).toBeGreaterThan(0); // epc: where the interrupt came in
    const epc = s.machine.cpu.cr[5]! >>> 0;
    run(s, 'delete');
    expect(out(s, 'finish')).toMatch(/^returned; /);
    expect(pc(s)).toBe(epc); // rett went back to the interrupted instruction
  });

  test('finish at ring 0 sees through interrupt handlers that call and rett in the middle', () => {
    const s = session('test/debug/fixtures/irq.s');
    run(s, 'break slow', 'continue', 'delete', 'step');
    expect(out(s, 'finish')).toBe('returned; a0 = 0x00000007 (7)\n0x0000101c <back_in_start> test/debug/fixtures/irq.s:17   lui t0, 0x0\n');
    expect(s.evaluate('[ticks]')).toBeGreaterThan(3); // several handlers ran (and returned) during slow
  });

  test('step into an interrupt says so and lands on the vector', () => {
    const s = session('test/debug/fixtures/irq.s');
    let text = '';
    for (let i = 0; i < 100 && !text.includes('interrupt'); i++) text = out(s, 'step');
    expect(text).toMatch(/^interrupt line 0 taken, epc 0x[0-9a-f]{8} <slow\+\d+>\n0x[0-9a-f]{8} <handler> /);
  });

  test('the step budget of one command', () => {
    const s = session(CALLS, { maxSteps: 50 });
    expect(out(s, 'continue')).toMatch(/^stopped after 50 steps: the step budget of one command \(--max-steps\); 'continue' goes on\n0x/);
    expect(s.machine.counters.steps).toBe(50);
    expect(lastLine(out(s, 'continue'))).toMatch(/^0x/);
    expect(s.machine.counters.steps).toBe(100);
  });
});
