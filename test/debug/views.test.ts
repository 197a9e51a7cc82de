import { describe, expect, test } from 'vitest';
import { fails, fullState, out, run, session } from './helpers.js';

describe('regs, mem, disasm, where: formats', () => {
  test('regs: 16 registers with ABI names, pc with symbol, ring, control registers decoded', () => {
    const s = session('guests/hello.s');
    run(s, 'step 2');
    expect(out(s, 'regs')).toBe([
      'r0  zero 0x00000000   r1  ra   0x00000000   r2  sp   0x01000000   r3  fp   0x00000000',
      'r4  a0   0x00002000   r5  a1   0x00000000   r6  a2   0x00000000   r7  a3   0x00000000',
      'r8  t0   0x00000000   r9  t1   0x00000000   r10 t2   0x00000000   r11 t3   0x00000000',
      'r12 s0   0x00000000   r13 s1   0x00000000   r14 s2   0x00000000   r15 at   0x00000000',
      'pc        0x00001008 <_start+8>   ring 0',
      'status    0x00000000  (ring 0 PPL 0)',
      'tvec      0x00000000   ptbr      0x00000000',
      'cause     0x00000000  (none)',
      'epc       0x00000000   faultaddr 0x00000000   scratch   0x00000000',
      '',
    ].join('\n'));
    expect(out(s, 'info registers')).toBe(out(s, 'regs'));
  });

  test('regs in a running tinyos process: ring 3, paging, the trap registers', () => {
    const s = session('guests/tinyos/tinyos.s');
    run(s, 'break worker', 'continue');
    const text = out(s, 'regs');
    expect(text).toMatch(/^pc        0x[0-9a-f]{8} <worker>   ring 3$/m);
    expect(text).toMatch(/^status    0x0000007f  \(ring 3 IE PG PPL 3 PIE\)$/m);
    expect(text).toMatch(/^cause     0x[0-9a-f]{8}  \((system call|interrupt line 0)\)$/m);
  });

  test('mem: hex and ASCII, 16 bytes a row; -p physical; ?? where nothing is mapped', () => {
    const s = session('guests/hello.s');
    expect(out(s, 'mem message 24')).toBe(
      '0x00002000:  48 65 6c 6c 6f 20 66 72  6f 6d 20 76 69 72 74 6c  |Hello from virtl|\n'
      + '0x00002010:  61 62 21 0a 00 00 00 00                           |ab!.....|\n');
    expect(out(s, 'mem -p 0x2000 5')).toBe('0x00002000:  48 65 6c 6c 6f                                    |Hello|\n');
    expect(out(s, 'x (message + 6) 4')).toBe('0x00002006:  66 72 6f 6d                                       |from|\n');
    // The last bytes of RAM, then beyond it (device space is never read).
    expect(out(s, 'mem 0xfffffc 8')).toBe('0x00fffffc:  00 00 00 00 ?? ?? ?? ??                           |....    |\n');
    expect(out(s, 'mem 0xf0000000 4')).toBe('0xf0000000:  ?? ?? ?? ??                                       |    |\n');
  });

  test('mem with paging on goes through the page tables: a hole reads as ??', () => {
    const s = session('guests/exceptions/pagefault.s');
    run(s, 'break stage1', 'continue'); // after the first fault: paging on, 0x300000 not present
    expect(out(s, 'mem 0x2ffff8 16')).toBe('0x002ffff8:  00 00 00 00 00 00 00 00  ?? ?? ?? ?? ?? ?? ?? ??  |........        |\n');
    expect(fails(s, 'print [0x300000]')).toBe('error: cannot read the word at 0x00300000: not mapped to RAM\n');
  });

  test('a cached TLB entry wins over the page tables, as for the CPU (a stale mapping shows what the CPU would fetch)', () => {
    const s = session('guests/exceptions/pagefault.s');
    run(s, 'break stage1', 'continue');
    const m = s.machine;
    const page = m.cpu.pc >>> 12;
    expect(m.tlb.lookup(page)).toBeGreaterThanOrEqual(0); // the code page was just fetched through the TLB
    const before = out(s, 'disasm pc 1');
    // Unmap the page in the tables behind the TLB's back (the guest would need tlbi to notice).
    const pteAddr = (m.cpu.cr[2]! & ~0xfff) >>> 0;
    const pt = (m.mem.read32(pteAddr) & ~0xfff) >>> 0;
    m.mem.u8.fill(0, pt + page * 4, pt + page * 4 + 4);
    expect(m.translateDebug(m.cpu.pc)).toBeUndefined();
    expect(out(s, 'disasm pc 1')).toBe(before);
    m.tlb.flush();
    expect(out(s, 'disasm pc 1')).toMatch(/<not mapped>\n$/);
  });

  test('looking has no side effects: no TLB fill, no A/D bits, no counters', () => {
    const s = session('guests/exceptions/pagefault.s');
    run(s, 'break stage1', 'continue');
    s.machine.tlb.flush();
    const before = fullState(s.machine);
    run(s, 'mem 0x1000 256', 'mem 0x301000 16', 'disasm 0x2000 16', 'where', 'regs', 'print [0x301000] + [stage1]', 'info breakpoints');
    expect(fullState(s.machine)).toEqual(before);
    expect(s.machine.tlb.entries()).toEqual([]);
  });

  test('disasm: location lines, => at the pc, * at breakpoints, branch targets by symbol', () => {
    const s = session('test/debug/fixtures/calls.s');
    run(s, 'step 3', 'break square');
    expect(out(s, 'disasm')).toBe([
      '=>  0x0000100c <loop+8> test/debug/fixtures/calls.s:12   jal ra, square',
      '    0x00001010 <loop+12> test/debug/fixtures/calls.s:13   lui t0, 0x0',
      '    0x00001014 <loop+16> test/debug/fixtures/calls.s:13   ori t0, t0, 0x2000',
      '    0x00001018 <loop+20> test/debug/fixtures/calls.s:14   lw t1, 0(t0)',
      '    0x0000101c <loop+24> test/debug/fixtures/calls.s:15   add t1, t1, a0',
      '    0x00001020 <loop+28> test/debug/fixtures/calls.s:16   sw t1, 0(t0)',
      '    0x00001024 <loop+32> test/debug/fixtures/calls.s:17   lw a0, 0(sp)',
      '    0x00001028 <loop+36> test/debug/fixtures/calls.s:17   addi sp, sp, 4',
      '',
    ].join('\n'));
    expect(out(s, 'disasm square 2')).toBe([
      '  * 0x0000105c <square> test/debug/fixtures/calls.s:31   mul a0, a0, a0',
      '    0x00001060 <square+4> test/debug/fixtures/calls.s:32   jalr zero, ra, 0',
      '',
    ].join('\n'));
    expect(out(s, 'disasm calls.s:37 1')).toMatch(/^ {4}0x00001068 <fact\+4> .*blt a0, t0, 0x[0-9a-f]+\n$/);
  });

  test('where: location, the source line, ring, paging and step count', () => {
    const s = session('guests/hello.s');
    run(s, 'step 2');
    expect(out(s, 'where')).toBe([
      '0x00001008 <_start+8> guests/hello.s:10   lbu t0, 0(a0)',
      '  10 | 1:      lbu     t0, 0(a0)               ; next byte of the string',
      '  ring 0, interrupts off, paging off, step 2',
      '',
    ].join('\n'));
    const t = session('guests/tinyos/tinyos.s');
    run(t, 'break schedule', 'continue');
    expect(out(t, 'where')).toMatch(/^0x[0-9a-f]{8} <schedule> guests\/tinyos\/tinyos\.s:\d+ {3}addi sp, sp, -4\n {2}\d+ \| {9}push {4}ra\n {2}ring 0, interrupts off, paging on \(ptbr 0x[0-9a-f]{8}\), step \d+\n$/);
  });

  test('print: hex and signed decimal; expressions over registers, symbols, memory', () => {
    const s = session('guests/hello.s');
    run(s, 'step 2');
    expect(out(s, 'print a0')).toBe('0x00002000 (8192)\n');
    expect(out(s, 'p message + 4 == r4 + 4')).toBe('0x00000001 (1)\n');
    expect(out(s, 'print [message] & 0xff')).toBe('0x00000048 (72)\n');
    expect(out(s, "print 'H' == ([message] & 0xff)")).toBe('0x00000001 (1)\n');
    expect(out(s, 'print -1')).toBe('0xffffffff (-1)\n');
    expect(out(s, 'print pc - _start')).toBe('0x00000008 (8)\n');
    expect(out(s, 'print step * 10 + ring')).toBe('0x00000014 (20)\n');
  });
});
