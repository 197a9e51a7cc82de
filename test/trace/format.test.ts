import { describe, expect, test } from 'vitest';
import type { StepRecord } from '../../src/machine/events.js';
import { convertStep, formatterFor, formatTextRecord, Symbolizer, type TraceRecord } from '../../src/trace/index.js';

describe('convertStep', () => {
  const sym = Symbolizer.none();

  test('a paged store: registers, memory, walk and control-register events, in order', () => {
    const rec: StepRecord = {
      step: 42, pc: 0x2000, ring: 3, word: 0x38480000, retired: true,
      regs: [], mem: [{ kind: 'write', vaddr: 0x800010, paddr: 0x101010, size: 4, value: 0xdeadbeef }],
      events: [{ kind: 'walk', vaddr: 0x800010, access: 'write', pde: 0x102007, pte: 0x101027, paddr: 0x101010 }],
    };
    expect(convertStep(rec, sym)).toEqual([
      {
        type: 'insn', step: 42, pc: 0x2000, ring: 3, word: 0x38480000, disasm: 'sw a0, 0(t0)', sym: null, src: null,
        retired: true, regs: [], cr: [], mem: [{ kind: 'write', vaddr: 0x800010, paddr: 0x101010, size: 4, value: 0xdeadbeef }],
      },
      { type: 'walk', step: 42, vaddr: 0x800010, access: 'write', pde: 0x102007, pte: 0x101027, paddr: 0x101010, fault: null },
    ]);
  });

  test('register values are unsigned; cr writes join the instruction; rett and irq are not records', () => {
    const rec: StepRecord = {
      step: 1, pc: 0x1000, ring: 0, word: 0x20400005, retired: true,
      regs: [{ reg: 4, value: -1 }],
      events: [{ kind: 'cr', cr: 0, value: 0x44 }, { kind: 'irq', line: 0, level: false }, { kind: 'rett', pc: 0x2000, ring: 3 }],
      mem: [],
    };
    const [insn, ...rest] = convertStep(rec, sym);
    expect(insn).toMatchObject({ regs: [{ reg: 'a0', value: 0xffffffff }], cr: [{ cr: 'status', value: 0x44 }] });
    expect(rest).toEqual([]);
  });

  test('an interrupt step has no instruction record; a fetch fault neither', () => {
    const irq: StepRecord = {
      step: 7, pc: 0x1018, ring: 3, word: undefined, retired: false, regs: [], mem: [],
      events: [{ kind: 'interrupt', line: 0, cause: 0x80000000, epc: 0x1018, delivered: 'vector' }],
    };
    expect(convertStep(irq, sym)).toEqual([{ type: 'interrupt', step: 7, line: 0, cause: 0x80000000, epc: 0x1018, delivered: 'vector' }]);
    const fetch: StepRecord = {
      step: 8, pc: 0x5000, ring: 3, word: undefined, retired: false, regs: [], mem: [],
      events: [
        { kind: 'walk', vaddr: 0x5000, access: 'fetch', pde: 0 , fault: 0x603 },
        { kind: 'exception', cause: 0x603, pc: 0x5000, epc: 0x5000, faultaddr: 0x5000, delivered: 'unhandled' },
      ],
    };
    expect(convertStep(fetch, sym)).toEqual([
      { type: 'walk', step: 8, vaddr: 0x5000, access: 'fetch', pde: 0, pte: null, paddr: null, fault: 0x603 },
      {
        type: 'exception', step: 8, cause: 0x603, code: 3, name: 'page fault', detail: ['fetch', 'user'], pc: 0x5000,
        epc: 0x5000, faultaddr: 0x5000, delivered: 'unhandled',
      },
    ]);
  });
});

describe('text format', () => {
  const cases: [TraceRecord, string][] = [
    [{ type: 'halt', step: 9, code: -1 }, '       9  halt        exit code -1'],
    [{ type: 'idle', step: 10, ticks: 47 }, '      10  idle        47 ticks'],
    [{ type: 'io', step: 11, dir: 'in', port: 0x22, value: 1234, device: 'timer' }, '      11  io          in  port 0x22 -> 0x000004d2 (timer)'],
    [{ type: 'io', step: 12, dir: 'out', port: 0x99, value: 1, device: null }, '      12  io          out port 0x99 <- 0x00000001 (unmapped)'],
    [{ type: 'mmio', step: 13, dir: 'write', paddr: 0xf0000000, size: 1, value: 0x5a, device: 'console' },
      '      13  mmio        write 0xf0000000.b <- 0x5a (console)'],
    [{ type: 'mmio', step: 14, dir: 'read', paddr: 0xe0000000, size: 2, value: 0xffff, device: null },
      '      14  mmio        read  0xe0000000.h -> 0xffff (unmapped)'],
    [{ type: 'walk', step: 15, vaddr: 0x300000, access: 'read', pde: 0x5003, pte: 0, paddr: null, fault: 3 },
      '      15  walk        read  0x00300000 pde 0x00005003 pte 0x00000000 -> fault (cause 0x00000003)'],
    [{ type: 'walk', step: 16, vaddr: 0x9000000, access: 'write', pde: 0, pte: null, paddr: null, fault: 0x103 },
      '      16  walk        write 0x09000000 pde 0x00000000 pte - -> fault (cause 0x00000103)'],
    [{ type: 'tlb-flush', step: 17, vaddr: 0x800000 }, '      17  tlb-flush   page 0x00800000'],
    [{ type: 'tlb-flush', step: 18, vaddr: null }, '      18  tlb-flush   all'],
    [{ type: 'interrupt', step: 19, line: 1, cause: 0x80000001, epc: 0x1234, delivered: 'hook' },
      '      19  interrupt   line 1 (cause 0x80000001) epc 0x00001234 -> hook'],
    [{ type: 'exception', step: 20, cause: 0xd03, code: 3, name: 'page fault', detail: ['write', 'user', 'present'], pc: 0x2000, epc: 0x2000, faultaddr: 0x1000, delivered: 'vector' },
      '      20  exception   page fault (cause 0x00000d03) [write,user,present] pc 0x00002000 epc 0x00002000 faultaddr 0x00001000 -> vector'],
    [{ type: 'insn', step: 21, pc: 0x800000, ring: 3, word: 0, disasm: '.word 0x0', sym: null, src: null, retired: false, regs: [], cr: [], mem: [] },
      '      21  0x00800000  r3  .word 0x0                       (trapped)'],
    [{
      type: 'insn', step: 22, pc: 0x2004, ring: 3, word: 0x34480002, disasm: 'lh t0, 2(t0)', sym: 'f+0x4', src: '/abs/dir/prog.s:12', retired: true,
      regs: [{ reg: 't0', value: 0xfffffffe }], cr: [], mem: [{ kind: 'read', vaddr: 0x800002, paddr: 0x101002, size: 2, value: 0xfffe }],
    }, '      22  0x00002004  r3  lh t0, 2(t0)                    t0=0xfffffffe load.h 0x00800002=0xfffe (pa 0x00101002)  ; f+0x4 prog.s:12'],
  ];
  test.each(cases.map(([r, line]) => [r.type, r, line] as const))('%s', (_type, record, line) => {
    expect(formatTextRecord(record)).toBe(line);
  });

  test('jsonl: JSON.stringify of the record, `type` first; only text has closing notes', () => {
    const r: TraceRecord = { type: 'halt', step: 3, code: 0 };
    expect(formatterFor('jsonl').record(r)).toBe('{"type":"halt","step":3,"code":0}');
    expect(formatterFor('jsonl').note('done')).toBeUndefined();
    expect(formatterFor('text').note('done')).toBe('-- done');
  });
});
