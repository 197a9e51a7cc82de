// Interrupts: the timer at exact instruction counts, level-triggered lines,
// priority, EPC = next instruction, wfi moving the clock, deadlock detection.

import { describe, expect, test } from 'vitest';
import { CAUSE, STATUS } from '../../src/isa/index.js';
import { boot, crs, HALTING_HANDLER, li, setTvec, type Row } from './helpers.js';

const PERIOD = { offset: 0x20, base: 'zero' };
const ACK = { offset: 0x21, base: 'zero' };
const CLOCK = { offset: 0x22, base: 'zero' };

describe('timer interrupts', () => {
  test('the first tick comes N retired instructions after the out that set the period, counting the out', () => {
    const { m, eng, labels } = boot([
      ...setTvec(), // retired #1, #2
      ['sti'], // #3
      ['addi', 't0', 'zero', 10], // #4
      ['out', 't0', PERIOD], // #5: clock at the out is 4, deadline 14
      'loop:',
      ['addi', 's0', 's0', 1],
      'next:',
      ['jal', 'zero', '@loop'],
      'handler:',
      ['in', 'a0', CLOCK],
      ['halt', 'zero'],
    ]);
    expect(eng.run(1000).stop.kind).toBe('halted');
    // #6..#14 are addi, jal, addi, jal, addi, jal, addi, jal, addi: five addis, then the jal is interrupted.
    expect(m.cpu.regs[12]).toBe(5);
    expect(crs(m)).toMatchObject({ cause: (CAUSE.INTERRUPT | 0) >>> 0, epc: labels.get('next') });
    expect(m.cpu.regs[4]).toBe(14);
    expect(m.counters.interrupts).toBe(1);
    expect(m.counters.steps).toBe(14 + 1 + 2);
  });

  test('periodic: ticks every N retired instructions, handler time included', () => {
    const { m, eng } = boot([
      ...setTvec(),
      ...li('s1', 0x8000), // where the handler logs the clock
      ['sti'],
      ['addi', 't0', 'zero', 10],
      ['out', 't0', PERIOD], // #7, clock 6 at the out: ticks at 16, 26, 36
      'loop:',
      ['jal', 'zero', '@loop'],
      'handler:',
      ['in', 'a0', CLOCK],
      ['sw', 'a0', { offset: 0, base: 's1' }],
      ['addi', 's1', 's1', 4],
      ['out', 'zero', ACK],
      ['addi', 's0', 's0', 1],
      ['addi', 't1', 'zero', 3],
      ['beq', 's0', 't1', '@done'],
      ['rett'],
      'done:',
      ['halt', 'zero'],
    ]);
    expect(eng.run(1000).stop.kind).toBe('halted');
    expect([m.mem.read32(0x8000), m.mem.read32(0x8004), m.mem.read32(0x8008)]).toEqual([16, 26, 36]);
  });

  test('level-triggered: without an ack the line is still pending after rett', () => {
    const { m, eng } = boot([
      ...setTvec(),
      ['addi', 't0', 'zero', 5],
      ['out', 't0', PERIOD],
      ['sti'],
      'loop:',
      ['jal', 'zero', '@loop'],
      'handler:',
      ['addi', 's0', 's0', 1],
      ['addi', 't1', 'zero', 3],
      ['beq', 's0', 't1', '@done'],
      ['rett'], // no ack: taken again at once
      'done:',
      ['in', 'a0', ACK], // 1: still raised
      ['halt', 'zero'],
    ]);
    eng.run(1000);
    expect(m.counters.interrupts).toBe(3);
    expect(m.cpu.regs[4]).toBe(1);
  });

  test('writing period 0 disables the timer', () => {
    const { m, eng } = boot([['addi', 't0', 'zero', 3], ['out', 't0', PERIOD], ['out', 'zero', PERIOD], ['sti'], ...Array<Row>(20).fill(['addi', 's0', 's0', 1]), ['halt', 'zero']]);
    expect(eng.run(1000).stop.kind).toBe('halted');
    expect(m.counters.interrupts).toBe(0);
    expect(m.irqPending).toBe(0);
  });
});

describe('interrupt delivery', () => {
  test('the lowest pending line is taken first; nothing is taken while IE is clear', () => {
    const { m, eng } = boot([...setTvec(), ['addi', 's0', 'zero', 1], ['sti'], 'after:', ['halt', 'zero'], ...HALTING_HANDLER]);
    m.setIrq(5, true);
    m.setIrq(3, true);
    expect(eng.run(100).stop).toMatchObject({ kind: 'halted', code: 0x7e });
    expect(crs(m).cause >>> 0).toBe((CAUSE.INTERRUPT | 3) >>> 0);
    expect(m.cpu.regs[12]).toBe(1); // the addi ran with IE clear
  });
  test('sti takes a pending interrupt right after it: EPC = the next instruction', () => {
    const { m, eng, labels } = boot([...setTvec(), ['sti'], 'after:', ['addi', 's0', 'zero', 1], ['halt', 'zero'], ...HALTING_HANDLER]);
    m.setIrq(2, true);
    eng.run(100);
    expect(crs(m).epc).toBe(labels.get('after'));
    expect(m.cpu.regs[12]).toBe(0);
    expect(crs(m).status & STATUS.PIE).toBe(STATUS.PIE);
  });
  test('an interrupt with TVEC = 0 stops the machine', () => {
    const { eng, m } = boot([['sti'], ['halt', 'zero']]);
    m.setIrq(0, true);
    const r = eng.run(100);
    expect(r.stop).toMatchObject({ kind: 'trap', cause: CAUSE.INTERRUPT >>> 0, pc: 0x1004 });
    expect(r.stop.kind === 'trap' && r.stop.message).toContain('interrupt line 0');
  });
  test('an interrupt is one step and not an instruction', () => {
    const { m, eng } = boot([...setTvec(), ['sti'], ...HALTING_HANDLER]);
    m.setIrq(1, true);
    const r = eng.run(100);
    expect(r.steps).toBe(6);
    expect(m.counters).toMatchObject({ steps: 6, instructions: 5, interrupts: 1 });
  });
});

describe('wfi', () => {
  test('jumps the clock to the next timer deadline; the interrupt returns to the instruction after wfi', () => {
    const { m, eng, labels } = boot([
      ...setTvec(),
      ['addi', 't0', 'zero', 1000],
      ['out', 't0', PERIOD], // #4, clock 3: deadline 1003
      ['sti'],
      ['wfi'], // retires as #6, then idles to 1003
      'after:',
      ['halt', 'zero'],
      'handler:',
      ['in', 'a0', CLOCK],
      ['halt', 'zero'],
    ]);
    expect(eng.run(100).stop.kind).toBe('halted');
    expect(m.cpu.regs[4]).toBe(1003);
    expect(crs(m).epc).toBe(labels.get('after'));
    expect(m.counters.idle).toBe(1003 - 6);
    expect(m.counters.instructions).toBe(8); // 6, then in and halt of the handler
  });
  test('with IE clear, wfi returns once the line is pending without taking it', () => {
    const { m, eng } = boot([['addi', 't0', 'zero', 50], ['out', 't0', PERIOD], ['wfi'], ['in', 'a0', ACK], ['in', 'a1', CLOCK], ['halt', 'zero']]);
    expect(eng.run(100).stop.kind).toBe('halted');
    expect(m.cpu.regs[4]).toBe(1);
    expect(m.cpu.regs[5]).toBe(52); // deadline 51, plus the `in` before
    expect(m.counters.interrupts).toBe(0);
  });
  test('does not wait when a line is already pending', () => {
    const { m, eng } = boot([['wfi'], ['halt', 'zero']]);
    m.setIrq(4, true);
    expect(eng.run(100).stop.kind).toBe('halted');
    expect(m.counters.idle).toBe(0);
  });
  test('with no interrupt source the machine stops: deadlock', () => {
    const { eng } = boot([['addi', 's0', 'zero', 1], ['wfi'], ['halt', 'zero']]);
    const r = eng.run(100);
    expect(r.stop).toEqual({ kind: 'deadlock', pc: 0x1004, message: 'deadlock: wfi with no interrupt source at pc 0x00001004' });
  });
});
