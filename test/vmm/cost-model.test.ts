// The cost model prices counts; it never produces them.

import { describe, expect, test } from 'vitest';
import { createCounters } from '../../src/machine/counters.js';
import { COST_PRESET_NAMES, COST_PRESETS, costPreset, createMonitorCounters, formatCostReport, priceCounters } from '../../src/vmm/index.js';
import { guestImage, runVm, trapFriendlyTinyos } from './helpers.js';

describe('presets', () => {
  test('p4-2006 and modern, every number with its source', () => {
    expect([...COST_PRESET_NAMES]).toEqual(['p4-2006', 'modern']);
    for (const p of Object.values(COST_PRESETS)) {
      for (const price of [p.instruction, p.exit, p.stateRead, p.stateWrite, p.delivery, p.portIo, p.exitHandling]) {
        expect(price.source.length).toBeGreaterThan(10);
        expect(Number.isInteger(price.cycles) && price.cycles > 0).toBe(true);
      }
    }
    expect(COST_PRESETS['p4-2006'].exit.cycles).toBe(2409);
    expect(COST_PRESETS['p4-2006'].stateRead.cycles).toBe(178);
    expect(COST_PRESETS['p4-2006'].stateWrite.cycles).toBe(171);
    expect(COST_PRESETS.modern.exit.cycles).toBe(542); // src/vmm/exit-latency.ts: the median from Haswell on
    expect(COST_PRESETS['p4-2006'].exit.source).toMatch(/Adams & Agesen.*ASPLOS 2006/);
    // The bare Pentium 4's prices, derived from the paper's own cells (docs/cost-model.md says how).
    expect(COST_PRESETS['p4-2006'].delivery.cycles).toBe(873);
    expect(COST_PRESETS['p4-2006'].portIo.cycles).toBe(3206);
    expect(COST_PRESETS['p4-2006'].exitHandling.cycles).toBe(6700);
    for (const k of ['delivery', 'portIo', 'exitHandling'] as const) expect(COST_PRESETS['p4-2006'][k].source).toMatch(/derived from Adams & Agesen/);
  });

  test('an unknown name is refused with the known ones', () => {
    expect(() => costPreset('p3')).toThrow("unknown cost model 'p3' (known: p4-2006, modern)");
  });
});

describe('pricing', () => {
  test('each kind is its count times its formula over the primitives', () => {
    const machine = { ...createCounters(), instructions: 1000, excPageFault: 2, excDivideByZero: 1, excSyscall: 3, interrupts: 4, ioReads: 2, ioWrites: 1, tlbWalks: 5, jumps: 6 };
    const monitor = {
      ...createMonitorCounters(), traps: 10, emulated: 7, reflected: 2, injected: 1, shadowFills: 3, tracedWrites: 1, shadowInvalidations: 4, shadowSwitches: 2,
      mmioEmulated: 5, framesCopied: 3, bytesCopied: 180,
    };
    const r = priceCounters({ machine, monitor }, 'p4-2006');
    const by = Object.fromEntries(r.rows.map((x) => [x.counter, x.cycles]));
    const d = 873, io = 3206;
    expect(by).toEqual({
      instructions: 1000,
      excPageFault: 2 * d,
      excDivideByZero: 1 * d,
      excSyscall: 3 * d,
      excBreakpoint: 0,
      excMisaligned: 0,
      interrupts: 4 * d,
      ioReads: 2 * io,
      ioWrites: 1 * io,
      tlbWalks: 5 * 2 * 10,
      jumps: 6 * 3.5,
      traps: 10 * 2409,
      emulated: 7 * (178 + 171),
      reflected: 2 * (178 + 4 * 171),
      injected: 1 * (178 + 4 * 171),
      shadowFills: 3 * (2 * 178 + 2 * 171),
      tracedWrites: 178,
      shadowInvalidations: 4 * 171,
      shadowSwitches: 2 * 171,
      mmioEmulated: 5 * 400,
      framesCopied: 3 * 300,
      bytesCopied: 180 * 0.5,
    });
    // The bare machine's work is the guest's; only the monitor's rows are overhead.
    const guest = 1000 + 10 * d + 3 * io + 100 + 21;
    expect(r.guestCycles).toBe(guest);
    expect(r.totalCycles).toBe(Object.values(by).reduce((a, b) => a + b, 0));
    expect(r.overheadCycles).toBe(r.totalCycles - guest);
  });

  test('natively the bare machine\'s deliveries, port accesses and walks are priced from its own counters', () => {
    const machine = { ...createCounters(), instructions: 16, excDivideByZero: 1, excUndefined: 7, excProtection: 5, ioReads: 1, tlbWalks: 1 };
    const r = priceCounters({ machine }, 'p4-2006');
    expect(r.rows.filter((x) => x.count !== 0).map((x) => [x.counter, x.count, x.each, x.formula])).toEqual([
      ['instructions', 16, 1, 'instruction'],
      ['excDivideByZero', 1, 873, 'delivery'],
      ['ioReads', 1, 3206, 'portIo'],
      ['tlbWalks', 1, 20, '2 walkEntry (the two-level tables)'],
    ]);
    // Undefined-instruction and protection traps are how the monitors are entered: priced by their rows, not here.
    expect(r.rows.map((x) => x.counter)).not.toContain('excUndefined');
    expect(r.rows.map((x) => x.counter)).not.toContain('excProtection');
    expect(r.overheadCycles).toBe(0);
    expect(r.totalCycles).toBe(16 + 873 + 3206 + 20);
    // The modern preset prices the same counters with its own numbers.
    const m = COST_PRESETS.modern;
    expect(priceCounters({ machine }, 'modern').totalCycles).toBe(16 + m.delivery.cycles + m.portIo.cycles + 2 * m.walkEntry.cycles);
  });

  test('native has no overhead; trap has, and costs less on a modern core', () => {
    const image = guestImage('exceptions/timer.s');
    const native = runVm(image, 'native').vm.stats();
    expect(native.monitor).toBeUndefined();
    expect(native.cost.overheadCycles).toBe(0);
    const m = native.machine;
    expect(m.interrupts).toBeGreaterThan(0);
    expect(native.cost.totalCycles).toBe(m.instructions + 873 * (m.interrupts + m.excSyscall + m.excPageFault + m.excDivideByZero + m.excBreakpoint + m.excMisaligned) + 3206 * (m.ioReads + m.ioWrites) + 20 * m.tlbWalks + 3.5 * m.jumps);
    const trap = runVm(image, 'trap').vm;
    const p4 = trap.stats('p4-2006').cost, modern = trap.stats('modern').cost;
    // The same instructions; the machine's own events may differ under the monitor (walks of its shadow tables).
    expect(p4.rows[0]).toMatchObject({ counter: 'instructions', cycles: native.cost.rows[0]!.cycles });
    expect(p4.overheadCycles).toBeGreaterThan(10 * p4.rows[0]!.cycles); // many times the instructions themselves
    expect(modern.overheadCycles).toBeLessThan(p4.overheadCycles / 4);
    const text = formatCostReport(p4);
    expect(text).toMatch(/^modelled cycles, cost model p4-2006: /);
    expect(text).toMatch(new RegExp(`traps to the monitor\\s+traps\\s+${trap.monitor!.counters.traps}\\s+2409\\s+${trap.monitor!.counters.traps * 2409}\\n`));
    expect(text).toMatch(/monitor overhead \d+ cycles \(\d+\.\d% of the total\)\n$/);
  });
});

describe('pricing binary translation', () => {
  test('callouts are priced as calls into the monitor, not as traps; translation and lookups have rows of their own', () => {
    const bt = runVm(guestImage('tinyos/tinyos.s'), 'bt', 100_000_000).vm;
    const c = bt.monitor!.counters, m = bt.machine.counters;
    const r = bt.stats('p4-2006').cost;
    const by = Object.fromEntries(r.rows.map((x) => [x.kind, x]));
    const callout = COST_PRESETS['p4-2006'].callout.cycles;
    // Callouts are not traps to the monitor: only the machine counts the hcall's undefined-instruction trap.
    expect(c.traps).toBe(m.trapsIntercepted - c.callouts);
    expect(c.trapUndefined).toBe(m.excUndefined - c.callouts);
    expect(by['traps to the monitor']).toMatchObject({ counter: 'traps', count: c.traps, each: 2409 });
    expect(by['emulate callouts']).toMatchObject({ counter: 'calloutEmulate', count: c.calloutEmulate, each: callout });
    expect(by['exit callouts']).toMatchObject({ counter: 'calloutExit', count: c.calloutExit, each: callout });
    expect(by['fault callouts']).toMatchObject({ counter: 'calloutFault', count: c.calloutFault, each: callout });
    expect(by['indirect lookups']).toMatchObject({ counter: 'calloutIndirect', count: c.calloutIndirect, each: 40 });
    expect(by['instructions translated']).toMatchObject({ count: c.translatedInsns, each: 200 });
    expect(c.callouts).toBe(c.calloutEmulate + c.calloutExit + c.calloutFault + c.calloutIndirect);
    expect(c.callouts).toBeGreaterThan(10 * c.traps); // most of bt's monitor entries are callouts
    // tinyos's kernel reaches the monitor for its privileged instructions only through callouts.
    expect(c.calloutEmulate).toBeGreaterThan(1000);
    expect(c.emulated).toBe(0);
    // Translating the kernel costs far less than trapping on it (the variant of tinyos that runs under trap).
    const trap = runVm(trapFriendlyTinyos(), 'trap', 100_000_000).vm.stats('p4-2006').cost;
    expect(r.overheadCycles).toBeLessThan(trap.overheadCycles);
    // No bt rows outside bt.
    expect(trap.rows.map((x) => x.counter)).not.toContain('calloutEmulate');
  });
});

describe('pricing hardware assist', () => {
  test('exits, VMCS accesses and EPT entries are priced; first-generation hardware costs more than translation', () => {
    const image = guestImage('tinyos/tinyos.s');
    const hw = runVm(image, 'hw', 100_000_000).vm;
    const c = hw.monitor!.counters;
    const r = hw.stats('p4-2006').cost;
    const by = Object.fromEntries(r.rows.map((x) => [x.kind, x]));
    expect(by['VM exits']).toMatchObject({ count: c.vmExits, each: 2409 + 6700, formula: 'exit + exitHandling' });
    expect(by['VMCS reads']).toMatchObject({ count: c.vmreads, each: 178 });
    expect(by['VMCS writes']).toMatchObject({ count: c.vmwrites, each: 171 });
    expect(by['EPT entries read']).toMatchObject({ count: c.eptEntryReads, each: COST_PRESETS['p4-2006'].walkEntry.cycles });
    expect(by['instructions emulated']).toBeUndefined(); // their state accesses are the VMCS reads and writes
    const noEpt = runVm(image, 'hw', 100_000_000, { hw: { ept: false } }).vm.stats('p4-2006').cost;
    const bt = runVm(image, 'bt', 100_000_000).vm.stats('p4-2006').cost;
    expect(bt.overheadCycles).toBeLessThan(r.overheadCycles);
    expect(r.overheadCycles).toBeLessThan(noEpt.overheadCycles);
    expect(hw.stats('modern').cost.overheadCycles).toBeLessThan(r.overheadCycles / 3);
  });
});
