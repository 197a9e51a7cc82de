// The monitor's fast paths (tables instead of searches, cached decodes,
// generated counter increments) give what the plain definitions give. (hw's
// interrupt window, the other hot-path change: hw/exits.test.ts.)

import { describe, expect, test } from 'vitest';
import { decode, INSTRUCTIONS } from '../../src/isa/index.js';
import { counterBump, createCounters, EXC_COUNTER } from '../../src/machine/counters.js';
import { decodeCached } from '../../src/machine/decode-cache.js';
import { guestPcAtWord } from '../../src/vmm/bt/counts.js';
import { unitIndex } from '../../src/vmm/bt/unit-index.js';
import { bumpEmulationCounter, bumpExitCounter, createMonitorCounters, EMULATION_COUNTER, exitCounterName } from '../../src/vmm/counters.js';
import type { BtMode } from '../../src/vmm/modes/bt.js';
import { EXIT_REASONS } from '../../src/machine/vmx.js';
import { guestImage, runVm } from './helpers.js';

describe('lookup tables', () => {
  test('bt unit indexes agree with the searches they replace, for every unit tinyos needs', () => {
    const { vm } = runVm(guestImage('tinyos/tinyos.s'), 'bt', 100_000_000);
    const units = (vm.monitor!.mode as BtMode).cache.all();
    expect(units.length).toBeGreaterThan(10);
    for (const cu of units) {
      const ix = unitIndex(cu);
      const u = cu.unit;
      for (let w = 0; w < u.words.length; w++) expect(ix.insnAt[w]?.guestPc).toBe(guestPcAtWord(u, w));
      for (let pc = u.startPc; pc < u.endPc; pc += 4) {
        const insn = u.insns.find((i) => i.guestPc === pc && i.words.length > 0 && i.def !== undefined);
        expect(ix.resume[(pc - u.startPc) / 4]).toBe(insn ? insn.offset : -1);
      }
      for (const c of u.callouts) {
        expect(ix.owner[c.index]).toBe(u.insns.find((i) => i.callouts.includes(c.index)));
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
