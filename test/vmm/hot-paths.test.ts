// The monitor's fast paths (tables instead of searches, cached decodes,
// generated counter increments) give what the plain definitions give, and hw
// takes no interrupt-window exit for an interrupt the guest acknowledged with
// its interrupts off.

import { describe, expect, test } from 'vitest';
import { decode, INSTRUCTIONS } from '../../src/isa/index.js';
import { counterBump, createCounters, EXC_COUNTER } from '../../src/machine/counters.js';
import { decodeCached } from '../../src/machine/decode-cache.js';
import { guestPcAtWord } from '../../src/vmm/bt/counts.js';
import { unitIndex } from '../../src/vmm/bt/unit-index.js';
import { bumpEmulationCounter, bumpExitCounter, createMonitorCounters, EMULATION_COUNTER, exitCounterName } from '../../src/vmm/counters.js';
import type { BtMode } from '../../src/vmm/modes/bt.js';
import { EXIT_REASONS } from '../../src/machine/vmx.js';
import { guestImage, imageOf, runVm } from './helpers.js';

describe('hw: the interrupt window', () => {
  test('tinyos acknowledges each tick with IE off: no window exit for it', () => {
    const image = guestImage('tinyos/tinyos.s');
    const native = runVm(image, 'native', 100_000_000);
    const { vm, out } = runVm(image, 'hw', 100_000_000);
    expect(out).toEqual(native.out);
    const c = vm.monitor!.counters;
    expect(c.injected).toBe(native.vm.machine.counters.interrupts);
    // Only where a tick is still pending when the guest sets IE (the boot's timer check), not once per tick.
    expect(c.injected).toBeGreaterThan(20);
    expect(c.exitInterruptWindow).toBeLessThan(c.injected / 5);
    // A window exit is a step the bare machine does not take; nothing else differs.
    expect(vm.machine.counters.steps).toBe(native.vm.machine.counters.steps + c.exitInterruptWindow);
  });

  test('an interrupt still pending when the guest sets IE is injected through the window', () => {
    const image = imageOf(`
        .text
        .global _start
_start: la      t0, handler
        mtcr    tvec, t0
        li      t0, 50
        out     t0, 0x20
        li      t1, 200
1:      addi    t1, t1, -1
        bnez    t1, 1b
        li      t0, 0x30
        out     t0, 0x30                 ; another exit while the tick is pending and IE is off
        sti
        li      s0, 1
        halt    s0
handler: li     t0, 1
        out     t0, 0x21
        li      t0, 0
        out     t0, 0x20
        halt    zero
`);
    const native = runVm(image, 'native');
    expect(native.out.code).toBe(0);
    const { vm, out } = runVm(image, 'hw');
    expect(out).toEqual(native.out);
    expect(vm.monitor!.counters.exitInterruptWindow).toBe(1);
  });
});

describe('lookup tables', () => {
  test('bt unit indexes agree with the searches they replace, for every unit tinyos needs', () => {
    const { vm } = runVm(guestImage('tinyos/tinyos.s'), 'bt', 100_000_000);
    const units = (vm.monitor!.mode as BtMode).cache.all();
    expect(units.length).toBeGreaterThan(10);
    for (const cu of units) {
      const ix = unitIndex(cu);
      const u = cu.unit;
      for (let w = 0; w < u.words.length; w++) expect(ix.pcAt[w] === -1 ? undefined : ix.pcAt[w]).toBe(guestPcAtWord(u, w));
      for (let pc = u.startPc; pc < u.endPc; pc += 4) {
        const insn = u.insns.find((i) => i.guestPc === pc && i.words.length > 0 && i.def !== undefined);
        expect(ix.resume[(pc - u.startPc) / 4]).toBe(insn ? insn.offset : -1);
      }
      for (const c of u.callouts) {
        expect(ix.owner[c.index]).toBe(u.insns.find((i) => i.callouts.includes(c.index)));
        if (c.kind === 'emulate') expect(ix.decoded[c.index]).toEqual(decode(c.word!));
      }
    }
  });

  test('decodeCached is decode, shared between equal words', () => {
    for (const def of INSTRUCTIONS) {
      const word = ((def.opcode << 24) | 0x12_3456) >>> 0;
      expect(decodeCached(word)).toEqual(decode(word));
      expect(decodeCached(word)).toBe(decodeCached(word));
    }
    expect(decodeCached(0xffff_ffff)).toBe(decode(0xffff_ffff));
  });

  test('generated counter increments touch exactly the named counter', () => {
    const m = createCounters();
    const bump = counterBump(EXC_COUNTER);
    EXC_COUNTER.forEach((name, i) => {
      bump(m as unknown as Record<string, number>, i);
      if (name) expect(m[name]).toBe(1);
    });
    expect(Object.values(m).reduce((a, b) => a + b, 0)).toBe(EXC_COUNTER.filter(Boolean).length);
    const c = createMonitorCounters();
    const keys = Object.keys(c);
    for (const def of INSTRUCTIONS) bumpEmulationCounter(c, def.opcode);
    const named = INSTRUCTIONS.filter((d) => EMULATION_COUNTER[d.opcode] !== undefined);
    expect(named.length).toBeGreaterThan(5);
    for (const def of named) expect(c[EMULATION_COUNTER[def.opcode]!]).toBe(1);
    expect(Object.keys(c)).toEqual(keys);
    expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(named.length);
    for (const r of EXIT_REASONS) bumpExitCounter(c, r);
    for (const r of EXIT_REASONS) expect(c[exitCounterName(r)]).toBe(1);
  });
});
