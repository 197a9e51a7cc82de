// Each privileged instruction, executed by a guest kernel at virtual ring 0,
// traps to the monitor and is emulated against the virtual CPU or the virtual
// devices, with the result the bare machine gives.

import { describe, expect, test } from 'vitest';
import { CR, STATUS } from '../../src/isa/index.js';
import { MONITOR_TVEC } from '../../src/vmm/index.js';
import { bothAgree, kernel, peekWords, runVm, symbol } from './helpers.js';

describe('control registers', () => {
  const image = kernel(`la      s0, results
        li      t0, 0x11110000
        mtcr    scratch, t0
        mfcr    t1, scratch
        sw      t1, 0(s0)
        li      t0, 0x2220
        mtcr    tvec, t0
        mfcr    t1, tvec
        sw      t1, 4(s0)
        li      t0, 0x3330
        mtcr    faultaddr, t0
        mfcr    t1, faultaddr
        sw      t1, 8(s0)
        li      t0, 0x44
        mtcr    cause, t0
        mfcr    t1, cause
        sw      t1, 12(s0)
        li      t0, 0x5550
        mtcr    epc, t0
        mfcr    t1, epc
        sw      t1, 16(s0)
        li      t0, 0x6000
        mtcr    ptbr, t0
        mfcr    t1, ptbr
        sw      t1, 20(s0)
        mfcr    t1, status
        sw      t1, 24(s0)
        li      t0, 0xab3b              ; user flags 0xab, PIE, PPL 3, and CPL 3 (read-only: ignored)
        mtcr    status, t0
        mfcr    t1, status
        sw      t1, 28(s0)
        halt    zero
        .data
results: .space 32
`);

  test('mtcr then mfcr of every control register reads back what the hardware keeps', () => {
    const { native, trap, c } = bothAgree(image);
    const results = symbol(image, 'results');
    const expected = [0x11110000, 0x2220, 0x3330, 0x44, 0x5550, 0x6000, 0, 0xab38];
    expect(peekWords(native.vm, results, 8)).toEqual(expected);
    expect(peekWords(trap.vm, results, 8)).toEqual(expected);
    expect(c.emuMtcr).toBe(7);
    expect(c.emuMfcr).toBe(8);
    const mon = trap.vm.monitor!;
    expect(mon.vcpu.save()).toEqual({
      ring: 0, ie: false, ppl: 3, pie: true, pg: false,
      tvec: 0x2220, ptbr: 0x6000, faultaddr: 0x3330, cause: 0x44, epc: 0x5550, scratch: 0x11110000,
    });
    // The real control registers stayed the monitor's; only the user flags are shared.
    const cr = trap.vm.machine.cpu.cr;
    expect(cr[CR.tvec]).toBe(MONITOR_TVEC);
    expect(cr[CR.ptbr]).toBe(mon.shadow.root);
    expect(cr[CR.status]! & ~STATUS.PPL_MASK & ~STATUS.PIE).toBe(0xab00 | STATUS.PG | STATUS.IE | 1);
  });
});

describe('rett, syscall and the virtual ring', () => {
  test('rett drops to ring 3 with interrupts from PIE; a syscall comes back to virtual ring 0', () => {
    const image = kernel(`la      t0, handler
        mtcr    tvec, t0
        la      t0, user
        mtcr    epc, t0
        li      t0, 0x38                ; PPL 3, PIE 1
        mtcr    status, t0
        rett
user:   rdflags s1                      ; the real STATUS: ring 3 either way
        syscall
        halt    zero                    ; not reached: ring 3
handler:
        la      s0, results
        mfcr    t0, status
        sw      t0, 0(s0)
        mfcr    t0, epc
        sw      t0, 4(s0)
        mfcr    t0, cause
        sw      t0, 8(s0)
        andi    t0, s1, 7
        sw      t0, 12(s0)
        halt    zero
        .data
results: .space 16
`);
    const { native, trap, c } = bothAgree(image);
    const results = symbol(image, 'results');
    const expected = [0x38, symbol(image, 'user') + 8, 7, 3 | STATUS.IE];
    expect(peekWords(native.vm, results, 4)).toEqual(expected);
    expect(peekWords(trap.vm, results, 4)).toEqual(expected);
    expect(c.emuRett).toBe(1);
    expect(c.reflectSyscall).toBe(1);
    expect(trap.vm.monitor!.vcpu.ring).toBe(0);
    expect(trap.vm.machine.cpu.cpl).toBe(1); // virtual ring 0 runs at real ring 1
  });

  test('a privileged instruction at virtual ring 3 is the guest\'s protection fault, not an emulation', () => {
    const { native, c } = bothAgree(kernel(`la      t0, handler
        mtcr    tvec, t0
        la      t0, user
        mtcr    epc, t0
        li      t0, 0x18
        mtcr    status, t0
        rett
user:   sti
        halt    zero
handler:
        mfcr    a0, cause
        halt    a0
`));
    expect(native.out.code).toBe(2);
    expect(c.emuSti).toBe(0);
    expect(c.reflectProtection).toBe(1);
  });
});

describe('halt, cli, sti', () => {
  test('halt stops with the register\'s value', () => {
    const { native, trap, c } = bothAgree(kernel(`li      a0, -42
        halt    a0
`));
    expect(native.out.code).toBe(-42);
    expect(c.emuHalt).toBe(1);
    expect(trap.vm.machine.counters.instructions).toBe(native.vm.machine.counters.instructions);
  });

  test('cli and sti change the virtual IE; the real IE stays on', () => {
    const image = kernel(`la      s0, results
        sti
        mfcr    t0, status
        sw      t0, 0(s0)
        rdflags t0
        sw      t0, 4(s0)
        cli
        mfcr    t0, status
        sw      t0, 8(s0)
        rdflags t0
        sw      t0, 12(s0)
        halt    zero
        .data
results: .space 16
`);
    const { native, trap, c } = bothAgree(image);
    const results = symbol(image, 'results');
    expect(peekWords(native.vm, results, 4)).toEqual([STATUS.IE, STATUS.IE, 0, 0]);
    // mfcr is emulated (virtual IE); rdflags is not (real STATUS: ring 1, IE on, paging on).
    const real = STATUS.PG | STATUS.IE | 1;
    expect(peekWords(trap.vm, results, 4)).toEqual([STATUS.IE, real, 0, real]);
    expect(c.emuCli).toBe(1);
    expect(c.emuSti).toBe(1);
  });
});

describe('in, out and wfi against the virtual devices', () => {
  test('console input and status, timer clock: the values of the bare machine', () => {
    const image = kernel(`la      s0, results
        in      t0, 0x11(zero)          ; console status: input waiting
        sw      t0, 0(s0)
        in      t0, 0x10(zero)
        sw      t0, 4(s0)
        li      t1, 0x10
        in      t0, 0(t1)               ; the port as base + offset
        sw      t0, 8(s0)
        in      t0, 0x10(zero)          ; no more input
        sw      t0, 12(s0)
        in      t0, 0x11(zero)
        sw      t0, 16(s0)
        in      t0, 0x22(zero)          ; timer clock: instructions retired before this one
        sw      t0, 20(s0)
        in      t0, 0x99(zero)          ; nothing there
        sw      t0, 24(s0)
        out     t0, 0x99(zero)
        li      t0, 0x21
        out     t0, 0x10(zero)          ; '!'
        halt    zero
        .data
results: .space 28
`);
    const { native, trap, c } = bothAgree(image, 1000, { console: { input: 'hi' } });
    const results = symbol(image, 'results');
    const words = peekWords(native.vm, results, 7);
    expect(words).toEqual([1, 0x68, 0x69, 0xffffffff, 0, 13, 0xffffffff]);
    expect(peekWords(trap.vm, results, 7)).toEqual(words);
    expect(trap.out.console).toBe('!');
    expect(c.emuIn).toBe(7);
    expect(c.emuOut).toBe(2);
  });

  test('wfi idles to the next virtual tick, which is taken after the wfi', () => {
    const image = kernel(`la      t0, handler
        mtcr    tvec, t0
        li      t0, 100
        out     t0, 0x20(zero)          ; a tick every 100 instructions
        sti
        wfi
after:  halt    zero
handler:
        la      s0, results
        mfcr    t0, epc
        sw      t0, 0(s0)
        in      t0, 0x22(zero)
        sw      t0, 4(s0)
        in      t0, 0x21(zero)          ; the line is up until acknowledged
        sw      t0, 8(s0)
        out     t0, 0x21(zero)
        in      t0, 0x21(zero)
        sw      t0, 12(s0)
        out     zero, 0x20(zero)
        rett
        .data
results: .space 16
`);
    const { native, trap, c } = bothAgree(image);
    const results = symbol(image, 'results');
    const words = peekWords(native.vm, results, 4);
    expect(words[0]).toBe(symbol(image, 'after'));
    expect(words.slice(2)).toEqual([1, 0]);
    expect(peekWords(trap.vm, results, 4)).toEqual(words);
    expect(trap.vm.machine.counters.idle).toBe(native.vm.machine.counters.idle);
    expect(native.vm.machine.counters.idle).toBeGreaterThan(90);
    expect(c.emuWfi).toBe(1);
    expect(c.injected).toBe(1);
  });

  test('wfi with interrupts off returns at the tick without taking it; with no tick it is a deadlock', () => {
    const { native, trap, c } = bothAgree(kernel(`li      t0, 50
        out     t0, 0x20(zero)
        wfi
        in      a0, 0x21(zero)          ; 1: the tick is pending
        out     zero, 0x20(zero)
        out     a0, 0x21(zero)
        wfi                             ; nothing will ever come
        halt    a0
`));
    expect(native.out.stop).toMatch(/^deadlock: wfi with no interrupt source at pc 0x/);
    expect(c.emuWfi).toBe(2);
    expect(trap.vm.machine.cpu.regs[4]).toBe(1);
  });
});

describe('tlbi and tlbia', () => {
  test('are emulated (their effect on the shadow: shadow.test.ts)', () => {
    const { c } = bothAgree(kernel(`li      t0, 0x1000
        tlbi    t0
        tlbia
        halt    zero
`));
    expect(c.emuTlbi).toBe(1);
    expect(c.emuTlbia).toBe(1);
  });
});

describe('undefined instructions', () => {
  test('hcall stays an undefined instruction for the guest in trap mode', () => {
    const { native, c } = bothAgree(kernel(`la      t0, handler
        mtcr    tvec, t0
here:   hcall   3
        halt    zero
handler:
        mfcr    a0, cause
        mfcr    a1, epc
        la      t0, here
        bne     a1, t0, 1f
        halt    a0
1:      li      a0, 99
        halt    a0
`));
    expect(native.out.code).toBe(1);
    expect(c.reflectUndefined).toBe(1);
  });

  test('a trap with no guest vector stops the machine as natively', () => {
    const { native } = bothAgree(kernel(`li      t0, 0
        div     t0, t0, t0
`));
    expect(native.out.stop).toMatch(/^unhandled trap: divide by zero/);
    expect(runVm(kernel('brk\n'), 'trap').out.stop).toMatch(/^unhandled trap: breakpoint/);
  });
});
