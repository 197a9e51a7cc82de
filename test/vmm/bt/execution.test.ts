// How binary translation runs a guest: callouts on the virtual CPU, chaining,
// coherence with self-modifying code, precise faults, adaptive retranslation,
// a full cache, and instruction boundaries when a run stops mid-translation.

import { describe, expect, test } from 'vitest';
import { CR, disassembleWord } from '../../../src/isa/index.js';
import { retargetBranch } from '../../../src/vmm/bt/emit.js';
import { ins } from './helpers.js';
import { ADAPT_THRESHOLD } from '../../../src/vmm/modes/bt.js';
import type { BtMode } from '../../../src/vmm/modes/bt.js';
import { guestImage, imageOf, nonZero, runVm, runWithRewind, symbol } from '../helpers.js';

function btMode(vm: ReturnType<typeof runVm>['vm']): BtMode {
  return vm.monitor!.mode as BtMode;
}

describe('sensitive instructions act on the virtual CPU', () => {
  test.each(['rdflags', 'wrflags', 'rdtvec', 'rdptbr'])('popek/%s.s prints yes under bt, no under trap, via a callout', (insn) => {
    const image = guestImage(`popek/${insn}.s`);
    const bt = runVm(image, 'bt');
    expect(bt.out.console).toMatch(/: yes\n$/);
    expect(runVm(image, 'trap').out.console).toMatch(/: no\n$/);
    const c = bt.vm.monitor!.counters;
    expect(c[`emu${insn[0]!.toUpperCase()}${insn.slice(1)}`]).toBeGreaterThan(0);
    expect(c.calloutEmulate).toBeGreaterThan(0);
  });

  test('tinyos: trap breaks it, bt runs it exactly as natively', () => {
    const image = guestImage('tinyos/tinyos.s');
    const native = runVm(image, 'native', 100_000_000).out;
    const bt = runVm(image, 'bt', 100_000_000);
    const trap = runVm(image, 'trap', 100_000_000).out;
    expect(trap.console).toContain('panic');
    expect(trap.code).toBe(1);
    expect(bt.out).toEqual(native);
    const c = bt.vm.monitor!.counters;
    expect(c.emuWrflags).toBeGreaterThan(0);
    expect(c.injected).toBeGreaterThan(0); // timer interrupts reach the guest
    expect(c.chains).toBeGreaterThan(0);
    expect(c.tcHits).toBeGreaterThan(c.tcMisses); // a kernel reuses its translations
    expect(c.calloutIndirect).toBeGreaterThan(0); // returns go through the lookup
    expect(c.translations).toBe(c.tcMisses);
  });
});

describe('coherence', () => {
  test('smc.s: stores into translated code drop the stale units, the new code runs', () => {
    const { vm, out } = runVm(guestImage('smc.s'), 'bt');
    expect(out.console).toBe(runVm(guestImage('smc.s'), 'native').out.console);
    const c = vm.monitor!.counters;
    expect(c.codeWrites).toBeGreaterThanOrEqual(4);
    expect(c.unitsInvalidated).toBeGreaterThanOrEqual(4);
    expect(c.unchains).toBeGreaterThan(0); // the patched loop had been chained to itself
    // The loop's unit now holds the last immediate written (8).
    const patched = symbol(vm.image, 'patched');
    const unit = btMode(vm).cache.all().find((u) => u.unit.insns.some((i) => i.guestPc === patched))!;
    expect(unit.unit.insns.find((i) => i.guestPc === patched)!.text).toBe('addi a0, a0, 8');
  });

  test('a write to a code page outside every unit keeps the translations', () => {
    const image = imageOf(`
        .text
        .global _start
_start: li      s0, 3
loop:   la      t0, counter             ; data in the same page as the code
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        addi    s0, s0, -1
        bnez    s0, loop
        lw      a0, 0(t0)
        halt    a0
        .align 4
counter: .word 0
`);
    const bt = runVm(image, 'bt');
    expect(bt.out.code).toBe(3);
    const c = bt.vm.monitor!.counters;
    expect(c.codeWrites).toBeGreaterThan(0);
    // No unit was dropped for its code; the store itself, faulting on the protected page, went adaptive.
    expect(c.unitsInvalidated).toBe(c.adaptiveRetranslations);
  });
});

describe('faults inside translated code reach the guest at the precise guest pc', () => {
  const source = `
        .text
        .global _start
_start: la      t0, handler
        mtcr    tvec, t0
        li      s0, 0
        addi    s0, s0, 1
        addi    s0, s0, 2
        li      t1, 0
div:    div     t2, s0, t1              ; the fourth instruction of its unit: divide by zero
        halt    zero
handler:
        mfcr    a0, epc
        mfcr    a1, cause
        halt    a1
`;
  test('divide by zero in the middle of a unit: EPC is the div, not a cache address', () => {
    const image = imageOf(source);
    const native = runVm(image, 'native');
    const bt = runVm(image, 'bt');
    expect(bt.out).toEqual(native.out);
    const regs = bt.vm.machine.cpu.regs;
    expect(regs[4]! >>> 0).toBe(symbol(image, 'div')); // a0 = EPC
    expect(bt.vm.monitor!.vcpu.epc >>> 0).toBe(symbol(image, 'div'));
    expect(bt.vm.monitor!.counters.reflectDivideByZero).toBe(1);
  });
});

describe('adaptive translation', () => {
  // A kernel that keeps rewriting one page-table entry with the same store instruction.
  const source = `
        .text
        .global _start
_start: call    rt_paging_on
        li      s0, 10
        li      s1, 0
        la      s2, paging_pt
        addi    s2, s2, 0x300 * 4         ; the entry of 0x300000
        li      t2, 0x00300000
loop:   andi    t3, s0, 1
        slli    t3, t3, 12
        li      t1, 0x00200003           ; frame 0x200000 or 0x201000, P | W
        or      t1, t1, t3
upd:    sw      t1, 0(s2)                ; the page-table update
        tlbi    t2
        lw      t3, 0(t2)                ; read through the new mapping
        add     s1, s1, t3
        addi    s0, s0, -1
        bnez    s0, loop
        halt    s1
        .include "paging.inc"
        .data
        .org 0x200000
        .word 5
        .org 0x201000
        .word 7
        .bss
        .align 4096
paging_dir: .space 4096
paging_pt:  .space 4096
`;
  test('a store that keeps faulting on a traced page table becomes a callout', () => {
    const image = imageOf(source);
    const native = runVm(image, 'native');
    expect(native.out.code).toBe(5 * 5 + 5 * 7);
    const bt = runVm(image, 'bt');
    expect(bt.out).toEqual(native.out);
    const c = bt.vm.monitor!.counters;
    expect(nonZero(c)).toMatchObject({ adaptiveRetranslations: 1, adaptiveAccesses: 10 - ADAPT_THRESHOLD, tracedWrites: 10 });
    // The store faulted ADAPT_THRESHOLD times, then ran as a callout.
    expect(c.emuSw).toBe(10);
    const upd = symbol(image, 'upd');
    const unit = btMode(bt.vm).cache.all().find((u) => u.pc === symbol(image, 'loop'))!;
    expect(unit.unit.insns.find((i) => i.guestPc === upd)!.treatment).toBe('emulate');
  });
});

describe('the translation cache', () => {
  test('a cache too small for the code is flushed and refilled; the guest does not notice', () => {
    // 1500 straight-line instructions, run three times, through a one-page (1023-word) cache.
    const body = Array.from({ length: 1500 }, (_, i) => `        addi    s0, s0, ${(i % 7) + 1}`).join('\n');
    const image = imageOf(`
        .text
        .global _start
_start: li      s1, 3
again:
${body}
        addi    s1, s1, -1
        bnez    s1, again
        halt    s0
`);
    const small = runVm(image, 'bt', 100_000_000, { tcSize: 4096 });
    expect(small.out).toEqual(runVm(image, 'native', 100_000_000).out);
    const c = small.vm.monitor!.counters;
    expect(c.tcFlushes).toBeGreaterThanOrEqual(3);
    expect(c.translations).toBeGreaterThan(3 * 1500 / 12);
  });

  test('the guest cannot see the cache: a load from its fetch-window address reads the guest\'s own memory', () => {
    const image = imageOf(`
        .text
        .global _start
_start: li      t0, 0xffc00000
        la      t1, handler
        mtcr    tvec, t1
        lw      a0, 0(t0)                ; nothing of the guest is there: the bus reads all ones
        halt    a0
handler: li     a0, 99
        halt    a0
`);
    const native = runVm(image, 'native');
    const bt = runVm(image, 'bt');
    expect(bt.out).toEqual(native.out);
    expect(bt.out.code).toBe(-1);
  });

  test('cached words match their units, except exits patched into chains', () => {
    const { vm } = runVm(guestImage('tinyos/tinyos.s'), 'bt', 100_000_000);
    const mode = btMode(vm);
    const { tcBase } = vm.layout!;
    let patched = 0;
    for (const cu of mode.cache.all()) {
      const sites = new Set(cu.outgoing.map(([s]) => s));
      cu.unit.words.forEach((w, i) => {
        const actual = vm.machine.mem.read32(tcBase + ((cu.addr - 0xffc00000) >>> 0) + 4 * i) >>> 0;
        if (sites.has(i)) patched++;
        else expect(actual).toBe(w >>> 0);
      });
    }
    expect(patched).toBeGreaterThan(0);
  });
});

describe('chaining', () => {
  test('a chained loop branches straight to its own translation: no more real instructions than natively', () => {
    const image = guestImage('workloads/alu.s');
    const native = runVm(image, 'native', 100_000_000).vm.machine.counters.instructions;
    const bt = runVm(image, 'bt', 100_000_000).vm;
    const extra = bt.machine.counters.instructions - native;
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThan(100); // the million loop iterations add nothing; only the first passes do
    expect(bt.monitor!.counters.calloutExit).toBeLessThan(20);
  });

  test('retargetBranch keeps the condition and registers, and refuses what the branch cannot reach', () => {
    const word = ins('bne', [4, 5, 8]);
    expect(disassembleWord(retargetBranch(word, -64)!, 0x1000)).toBe('bne a0, a1, 0xfc0');
    expect(retargetBranch(word, 0x20000)).toBeUndefined();
    expect(retargetBranch(ins('addi', [4, 4, 1]), 8)).toBeUndefined();
  });
});

describe('instruction boundaries', () => {
  // Return addresses above 64 KiB need two words (lui, ori): a run can stop between them.
  const source = `
        .text
        .org 0x12340
        .global _start
_start: la      t0, handler
        mtcr    tvec, t0
        li      t0, 23
        out     t0, 0x20                 ; a tick every 23 instructions
        sti
        li      s0, 200
        li      s1, 0
loop:   call    f
        addi    s0, s0, -1
        bnez    s0, loop
        mov     a0, s1
        halt    a0
f:      addi    s1, s1, 1
        ret
handler:                                 ; the interrupted context must be a whole guest instruction
        mfcr    t1, epc
        la      t2, _start
        bltu    t1, t2, bad
        li      t0, 1
        out     t0, 0x21
        rett
bad:    li      a0, 255
        halt    a0
`;
  test('stepping one real instruction at a time lands between the words of a call; the guest never sees it', () => {
    const image = imageOf(source);
    const native = runVm(image, 'native', 1_000_000).out;
    expect(native.code).toBe(200);
    const { vm } = runVm(image, 'bt', 0);
    let steps = 0;
    while (!vm.machine.stopped && steps++ < 1_000_000) vm.step();
    expect(vm.consoleText()).toBe(native.console);
    expect(vm.machine.stopped).toMatchObject({ kind: 'halted', code: 200 });
    expect(vm.monitor!.counters.injected).toBeGreaterThan(10);
    expect(vm.machine.cpu.cr[CR.status]! & 3).toBe(1); // halted in translated code, at real ring 1
  });

  test('the same guest run in one go: identical result', () => {
    const image = imageOf(source);
    expect(runVm(image, 'bt', 1_000_000).out).toEqual(runVm(image, 'native', 1_000_000).out);
  });
});

describe('snapshots', () => {
  test('restoring a bt machine mid-run and running on gives the same result as never stopping', () => {
    const image = guestImage('tinyos/tinyos.s');
    const straight = runVm(image, 'bt', 100_000_000);
    const vm = runWithRewind(runVm(image, 'bt', 0).vm, 30_000, 40_000);
    expect(vm.consoleText()).toBe(straight.vm.consoleText());
    expect(vm.machine.stopped).toEqual(straight.vm.machine.stopped);
  });
});
