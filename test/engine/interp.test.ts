// The engine interface as the CLI, trace, debugger and monitors use it:
// step/run/budget, breakpoints, observer records, the trap hook, stop requests;
// and the generated interpreter's agreement with the ISA's decode().

import { describe, expect, test } from 'vitest';
import { CAUSE, CR, EXC, INSTRUCTIONS, OPCODES, STATUS, decode, lookupMnemonic, encode } from '../../src/isa/index.js';
import { generateSliceSource, undefinedCondition, VARIANT } from '../../src/engine/interp/index.js';
import type { StepRecord, TrapHook } from '../../src/machine/index.js';
import { boot, enterRing, HALTING_HANDLER, li, setTvec } from '../machine/helpers.js';

describe('step and run', () => {
  test('step executes exactly one instruction', () => {
    const { m, eng } = boot([['addi', 'a0', 'zero', 1], ['addi', 'a0', 'a0', 1], ['halt', 'a0']]);
    expect(eng.step()).toEqual({ stop: { kind: 'budget' }, steps: 1 });
    expect(m.cpu.regs[4]).toBe(1);
    expect(m.cpu.pc).toBe(0x1004);
    eng.step();
    expect(eng.step()).toEqual({ stop: { kind: 'halted', code: 2, pc: 0x1008 }, steps: 1 });
    expect(eng.step()).toEqual({ stop: { kind: 'halted', code: 2, pc: 0x1008 }, steps: 0 });
  });
  test('step takes a pending interrupt as one step, without executing an instruction', () => {
    const { m, eng, labels } = boot([...setTvec(), ['sti'], ['addi', 'a0', 'zero', 1], ...HALTING_HANDLER]);
    eng.run(3);
    m.setIrq(0, true);
    expect(eng.step().steps).toBe(1);
    expect(m.cpu.pc).toBe(labels.get('handler'));
    expect(m.cpu.regs[4]).toBe(0);
  });
  test('run stops after exactly `budget` steps', () => {
    const { m, eng } = boot(['loop:', ['addi', 'a0', 'a0', 1], ['jal', 'zero', '@loop']]);
    expect(eng.run(1001)).toEqual({ stop: { kind: 'budget' }, steps: 1001 });
    expect(m.cpu.regs[4]).toBe(501);
    expect(m.counters.instructions).toBe(1001);
  });
});

describe('breakpoints', () => {
  test('run stops before the instruction at a breakpoint, and continues from it', () => {
    const { m, eng, labels } = boot([['addi', 's0', 'zero', 3], 'loop:', ['addi', 'a0', 'a0', 1], 'bp:', ['addi', 's0', 's0', -1], ['bne', 's0', 'zero', '@loop'], ['halt', 'a0']]);
    const bp = labels.get('bp')!;
    m.breakpoints.add(bp);
    expect(eng.run(100)).toEqual({ stop: { kind: 'breakpoint', pc: bp }, steps: 2 });
    expect(m.cpu.pc).toBe(bp);
    expect(m.cpu.regs[12]).toBe(3); // not executed yet
    expect(eng.run(100)).toEqual({ stop: { kind: 'breakpoint', pc: bp }, steps: 3 });
    expect(eng.run(100).stop).toEqual({ kind: 'breakpoint', pc: bp });
    expect(eng.run(100).stop).toEqual({ kind: 'halted', code: 3, pc: labels.get('bp')! + 8 });
  });
  test('a breakpoint on a handler is hit even when run() starts by taking the interrupt', () => {
    const { m, eng, labels } = boot([...setTvec(), ['sti'], ['addi', 'a0', 'zero', 1], ...HALTING_HANDLER]);
    eng.run(3);
    m.setIrq(0, true);
    m.breakpoints.add(labels.get('handler')!);
    expect(eng.run(100)).toEqual({ stop: { kind: 'breakpoint', pc: labels.get('handler') }, steps: 1 });
  });
  test('breakpoints also stop an observed run', () => {
    const { m, eng, labels } = boot([['addi', 'a0', 'zero', 1], 'bp:', ['halt', 'a0']]);
    const seen: number[] = [];
    m.observer = (r) => seen.push(r.pc);
    m.breakpoints.add(labels.get('bp')!);
    expect(eng.run(100).stop.kind).toBe('breakpoint');
    expect(seen).toEqual([0x1000]);
  });
});

describe('observer records', () => {
  test('registers, memory accesses and events of each step', () => {
    const { m, eng } = boot([
      ...li('a0', 0x2000), // steps 1-2
      ['addi', 'a1', 'zero', -2], // 3
      ['sw', 'a1', { offset: 4, base: 'a0' }], // 4
      ['lbu', 's0', { offset: 5, base: 'a0' }], // 5
      ['out', 's0', { offset: 0x10, base: 'zero' }], // 6
      ['addi', 'zero', 'zero', 1], // 7: writes r0, no register record
      ['div', 's1', 's0', 'zero'], // 8: fault, TVEC = 0
    ]);
    const recs: StepRecord[] = [];
    m.observer = (r) => recs.push(r);
    const r = eng.run(100);
    expect(r.stop.kind).toBe('trap');
    expect(recs.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(recs[2]).toEqual({ step: 3, pc: 0x1008, ring: 0, word: encode(lookupMnemonic('addi')!, [5, 0, -2]), retired: true, regs: [{ reg: 5, value: -2 }], mem: [], events: [] });
    expect(recs[3]!.mem).toEqual([{ kind: 'write', vaddr: 0x2004, paddr: 0x2004, size: 4, value: 0xfffffffe }]);
    expect(recs[4]!.mem).toEqual([{ kind: 'read', vaddr: 0x2005, paddr: 0x2005, size: 1, value: 0xff }]);
    expect(recs[4]!.regs).toEqual([{ reg: 12, value: 0xff }]);
    expect(recs[5]!.events).toEqual([{ kind: 'io', dir: 'out', port: 0x10, value: 0xff, device: 'console' }]);
    expect(recs[6]!.regs).toEqual([]);
    expect(recs[7]).toMatchObject({ retired: false, regs: [], events: [{ kind: 'exception', cause: EXC.DIVIDE_BY_ZERO, pc: 0x101c, epc: 0x101c, delivered: 'unhandled' }] });
  });
  test('TLB flushes, control-register writes and interrupts appear as events', () => {
    const { m, eng } = boot([
      ...setTvec(),
      ...li('a0', 0x80000), ['mtcr', 'ptbr', 'a0'],
      ['sti'],
      ['addi', 'a1', 'zero', 1],
      'handler:', ['halt', 'zero'],
    ]);
    m.mem.write32(0x80000, 0); // empty directory: nothing mapped (paging stays off anyway)
    const recs: StepRecord[] = [];
    m.observer = (r) => recs.push(r);
    eng.run(6); // up to and including sti
    const events = recs.flatMap((r) => r.events.map((e) => e.kind));
    expect(events).toEqual(['cr', 'tlb-flush', 'cr', 'cr']);
    m.setIrq(2, true);
    eng.run(1);
    expect(recs.at(-1)).toMatchObject({ word: undefined, retired: false, events: [{ kind: 'interrupt', line: 2, cause: (CAUSE.INTERRUPT | 2) >>> 0, delivered: 'vector' }] });
  });
  test('a page walk and a page fault are recorded', () => {
    const { m, eng } = boot([...li('a0', 0x80000), ['mtcr', 'ptbr', 'a0'], ...li('a0', STATUS.PG), ['mtcr', 'status', 'a0']]);
    m.mem.write32(0x80000, 0x81000 | 7);
    m.mem.write32(0x81004, 0x1000 | 7); // only the code page
    const recs: StepRecord[] = [];
    m.observer = (r) => recs.push(r);
    eng.run(10);
    const walks = recs.flatMap((r) => r.events).filter((e) => e.kind === 'walk');
    expect(walks[0]).toEqual({ kind: 'walk', vaddr: 0x1018, access: 'fetch', pde: 0x81007, pte: 0x1007, paddr: 0x1018 });
  });
  test('the plain loop carries no observer, journal or breakpoint code', () => {
    const plain = generateSliceSource(0);
    expect(plain).not.toMatch(/\bO\.|\bJ\.|BP\.has/);
    const all = generateSliceSource(VARIANT.OBSERVE | VARIANT.JOURNAL | VARIANT.BREAKPOINTS);
    expect(all).toMatch(/O\.regs\.push/);
    expect(all).toMatch(/J\.record/);
    expect(all).toMatch(/BP\.has/);
  });
});

describe('trap hook (the monitor interception point)', () => {
  test('a hook can emulate hcall: it sees UNDEFINED with the word, sets pc and counts the instruction', () => {
    const { m, eng } = boot([['addi', 'a0', 'zero', 20], ['hcall', 21], ['halt', 'a0']]);
    const seen: unknown[] = [];
    const hook: TrapHook = (mm, t) => {
      seen.push(t);
      const d = decode(t.word!);
      if (d?.def.mnemonic !== 'hcall') return 'deliver';
      mm.cpu.regs[4] = mm.cpu.regs[4]! + d.imm;
      mm.cpu.pc = t.pc + 4;
      mm.retire();
      return 'handled';
    };
    m.trapHook = hook;
    expect(eng.run(100).stop).toEqual({ kind: 'halted', code: 41, pc: 0x1008 });
    expect(seen).toEqual([{ cause: EXC.UNDEFINED, pc: 0x1004, epc: 0x1004, word: encode(lookupMnemonic('hcall')!, [21]) }]);
    expect(m.counters).toMatchObject({ instructions: 3, excUndefined: 1, trapsIntercepted: 1 });
  });
  test('trap-and-emulate sketch: a ring-1 kernel\'s cli traps to the hook, which emulates it', () => {
    const { m, eng } = boot([...setTvec(), ...enterRing(1, 'kern'), 'kern:', ['cli'], ['syscall'], ...HALTING_HANDLER]);
    const emulated: string[] = [];
    m.trapHook = (mm, t) => {
      if ((t.cause & CAUSE.CODE_MASK) !== EXC.PROTECTION) return 'deliver';
      emulated.push(decode(t.word!)!.def.mnemonic);
      mm.cpu.pc = t.pc + 4;
      return 'handled';
    };
    expect(eng.run(100).stop).toMatchObject({ kind: 'halted', code: 0x7e });
    expect(emulated).toEqual(['cli']);
    expect(m.cpu.cr[CR.cause]).toBe(EXC.SYSCALL); // delivered normally
  });
  test('a hook can stop the run', () => {
    const { m, eng } = boot([['brk'], ['halt', 'zero']]);
    m.trapHook = (mm, t) => {
      mm.requestStop('guest breakpoint');
      mm.cpu.pc = t.pc + 4;
      return 'handled';
    };
    expect(eng.run(100)).toEqual({ stop: { kind: 'requested', reason: 'guest breakpoint' }, steps: 1 });
    expect(eng.run(100).stop.kind).toBe('halted');
  });
  test('interrupts go through the hook too', () => {
    const { m, eng } = boot([['sti'], ['addi', 'a0', 'zero', 1], ['halt', 'a0']]);
    const causes: number[] = [];
    m.trapHook = (mm, t) => {
      causes.push(t.cause);
      mm.setIrq(3, false);
      return 'handled';
    };
    m.setIrq(3, true);
    expect(eng.run(100).stop.kind).toBe('halted');
    expect(causes).toEqual([(CAUSE.INTERRUPT | 3) >>> 0]);
  });
});

describe('generated decoding agrees with decode()', () => {
  test('for every opcode, single bits, field values and random words', () => {
    const checks = OPCODES.map((def) => (def ? new Function('w', `return ${undefinedCondition(def)};`) as (w: number) => boolean : undefined));
    let state = 12345;
    const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let op = 0; op < 256; op++) {
      const words: number[] = [];
      for (let bit = 0; bit < 24; bit++) words.push(1 << bit);
      for (let v = 0; v < 16; v++) words.push(v << 20, v << 16, v << 12, v << 16 | v << 20);
      for (let v = 0; v < 40; v++) words.push(v);
      for (let i = 0; i < 300; i++) words.push(rand() & 0xffffff, rand() & 0xff0000);
      for (const low of words) {
        const w = ((op << 24) | low) | 0;
        const genUndefined = checks[op] ? checks[op]!(w) : true;
        expect(genUndefined, `word 0x${(w >>> 0).toString(16)}`).toBe(decode(w >>> 0) === undefined);
      }
    }
  });
  test('every row has a case in the generated loop', () => {
    const src = generateSliceSource(0);
    for (const def of INSTRUCTIONS) expect(src).toContain(`case 0x${def.opcode.toString(16)}: { // ${def.mnemonic}`);
  });
});
