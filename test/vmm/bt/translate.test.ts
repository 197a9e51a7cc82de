import { describe, expect, it } from 'vitest';
import { decode, EXC, CAUSE, PAGE_SIZE, REG } from '../../../src/isa/index.js';
import {
  chainJumpWord, guestPcAtWord, hcallWord, translateUnit, unitCounts,
} from '../../../src/vmm/bt/index.js';
import { evalConstCode, fetchFrom, ins } from './helpers.js';

const { zero, ra, sp, a0, a1, t0 } = REG;
const BASE = 0x10000;

function hcallId(word: number): number {
  const d = decode(word)!;
  expect(d.def.sem).toEqual({ kind: 'system', op: 'hcall' });
  return d.imm;
}

describe('straight-line units', () => {
  const body = [
    ins('addi', [sp, sp, -16]),
    ins('sw', [ra, { offset: 12, base: sp }]),
    ins('add', [a0, a0, a1]),
    ins('lw', [t0, { offset: 4, base: a0 }]),
  ];

  it('copies IDENT runs byte for byte and stops after the first control-flow instruction', () => {
    const words = [...body, ins('jal', [zero, 64]), ins('add', [a0, a0, a0])];
    const unit = translateUnit(fetchFrom(BASE, words), BASE);
    expect(unit.end).toBe('control');
    expect(unit.insns.map((i) => i.guestPc)).toEqual([0, 4, 8, 12, 16].map((o) => BASE + o));
    expect(unit.words.slice(0, 4)).toEqual(body);
    expect(unit.insns.slice(0, 4).every((i) => i.ident)).toBe(true);
    expect(unit.endPc).toBe(BASE + 20);
    expect(unitCounts(unit)).toEqual({
      guestInsns: 5, translatedWords: 5, ident: 4, nonIdent: 1, callouts: { emulate: 0, exit: 1, fault: 0 },
    });
  });

  it('stops at maxInsns with a fall-through exit to the next guest pc', () => {
    const words = [...body, ...body, ...body];
    const unit = translateUnit(fetchFrom(BASE, words), BASE);
    expect(unit.end).toBe('max-insns');
    expect(unit.insns).toHaveLength(12);
    const short = translateUnit(fetchFrom(BASE, words), BASE, { maxInsns: 3 });
    expect(short.insns).toHaveLength(3);
    expect(short.words.slice(0, 3)).toEqual(body.slice(0, 3));
    expect(short.callouts).toEqual([
      expect.objectContaining({ kind: 'exit', exit: 'fallthrough', target: BASE + 12, guestPc: BASE + 8, site: 3 }),
    ]);
    expect(hcallId(short.words[3]!)).toBe(0);
    expect(unitCounts(short).guestInsns).toBe(3);
  });

  it('stops at the end of the guest page', () => {
    const start = 2 * PAGE_SIZE - 8;
    const unit = translateUnit(fetchFrom(start, [...body]), start);
    expect(unit.end).toBe('page-end');
    expect(unit.insns).toHaveLength(2);
    expect(unit.callouts[0]).toMatchObject({ kind: 'exit', exit: 'fallthrough', target: 2 * PAGE_SIZE });
    const across = translateUnit(fetchFrom(start, [...body]), start, { stopAtPageEnd: false });
    expect(across.insns).toHaveLength(5);
    expect(across.end).toBe('unmapped');
  });

  it('ends with a fetch-fault callout at the first unmapped word', () => {
    const unit = translateUnit(fetchFrom(BASE, body.slice(0, 2)), BASE);
    expect(unit.end).toBe('unmapped');
    expect(unit.insns).toHaveLength(3);
    expect(unit.insns[2]).toMatchObject({ guestPc: BASE + 8, ident: false, text: '<unmapped>' });
    expect(unit.insns[2]!.word).toBeUndefined();
    expect(unit.callouts).toEqual([expect.objectContaining({
      kind: 'fault', guestPc: BASE + 8,
      fault: { exc: EXC.PAGE_FAULT, cause: EXC.PAGE_FAULT | CAUSE.FETCH, faultaddr: BASE + 8, reason: 'unmapped' },
    })]);
    expect(unitCounts(unit)).toMatchObject({ guestInsns: 2, ident: 2, nonIdent: 0 });
    // A unit whose very first word is unmapped is just the fault.
    const empty = translateUnit(() => undefined, BASE);
    expect(empty.words).toHaveLength(1);
    expect(empty.callouts[0]!.kind).toBe('fault');
  });

  it('ends with an undefined-instruction fault at an undefined word', () => {
    const unit = translateUnit(fetchFrom(BASE, [body[0]!, 0, body[1]!]), BASE);
    expect(unit.end).toBe('undefined');
    expect(unit.insns).toHaveLength(2);
    expect(unit.insns[1]).toMatchObject({ guestPc: BASE + 4, word: 0, text: '.word 0x0', ident: false });
    expect(unit.callouts[0]).toMatchObject({ kind: 'fault', guestPc: BASE + 4, fault: { exc: EXC.UNDEFINED, reason: 'undefined' } });
  });

  it('emulates privileged and sensitive instructions in place and keeps going', () => {
    const words = [ins('cli', []), ins('rdflags', [t0]), ins('addi', [t0, t0, 1]), ins('wrflags', [t0]), ins('rett', [])];
    const unit = translateUnit(fetchFrom(BASE, words), BASE);
    expect(unit.end).toBe('control');
    expect(unit.callouts.map((c) => [c.kind, c.def?.mnemonic, c.endsUnit, c.site])).toEqual([
      ['emulate', 'cli', false, 0], ['emulate', 'rdflags', false, 1], ['emulate', 'wrflags', false, 3], ['emulate', 'rett', true, 4],
    ]);
    expect(unit.words[2]).toBe(words[2]);
    expect(unit.words.map((w, i) => (i === 2 ? -1 : hcallId(w)))).toEqual([0, 1, -1, 2, 3]);
    expect(guestPcAtWord(unit, 2)).toBe(BASE + 8);
    expect(guestPcAtWord(unit, 4)).toBe(BASE + 16);
    expect(guestPcAtWord(unit, 5)).toBeUndefined();
  });

  it('uses the allocator for hcall ids when given one, and rejects ids that do not fit', () => {
    let next = 500;
    const unit = translateUnit(fetchFrom(BASE, [ins('cli', []), ins('sti', []), ins('halt', [zero])]), BASE, { allocId: () => next++ });
    expect(unit.callouts.map((c) => [c.index, c.id])).toEqual([[0, 500], [1, 501], [2, 502]]);
    expect(unit.words.map(hcallId)).toEqual([500, 501, 502]);
    expect(() => translateUnit(fetchFrom(BASE, [ins('cli', [])]), BASE, { allocId: () => 0x10000 })).toThrow(/hcall immediate/);
  });

  it('rejects a misaligned start pc and a bad maxInsns with a clear error', () => {
    expect(() => translateUnit(() => 0, 2)).toThrow(/not a 4-aligned/);
    expect(() => translateUnit(() => 0, 0, { maxInsns: 0 })).toThrow(/maxInsns/);
  });
});

describe('pc-relative and control flow', () => {
  it('auipc computes guestPc + (imm << 16) wherever the translation runs', () => {
    for (const [pc, imm] of [[0x1000, 0], [0x1000, 0x12], [0xfff0_0000, 0xffff], [0x7fff_fff0, 1], [0x20_0000, 0x8000]] as const) {
      const unit = translateUnit(fetchFrom(pc, [ins('auipc', [a0, imm])]), pc);
      const insn = unit.insns[0]!;
      expect(insn.ident).toBe(false);
      expect(insn.treatment).toBe('pc-relative');
      // The code has no pc dependence at all: evaluate it as if it sat anywhere.
      const regs = evalConstCode(insn.words, new Array(16).fill(0x5a5a5a5a));
      expect(regs[a0]! >>> 0).toBe((pc + (imm << 16)) >>> 0);
      expect(insn.words.every((w) => decode(w)!.def.operands.every((s) => s.kind !== 'branch' && s.kind !== 'jump'))).toBe(true);
    }
    const toZero = translateUnit(fetchFrom(BASE, [ins('auipc', [zero, 3])]), BASE);
    expect(toZero.insns[0]!.words).toEqual([]);
  });

  it('jal writes the guest return address as a constant and exits to its target', () => {
    const pc = BASE + 0x40;
    const unit = translateUnit(fetchFrom(pc, [ins('jal', [ra, -0x40])]), pc);
    const insn = unit.insns[0]!;
    expect(evalConstCode(insn.words.slice(0, -1))[ra]).toBe(pc + 4);
    expect(unit.callouts).toEqual([expect.objectContaining({ kind: 'exit', exit: 'jump', target: BASE, guestPc: pc, site: insn.words.length - 1 })]);
    expect(hcallId(insn.words[insn.words.length - 1]!)).toBe(0);
    const high = translateUnit(fetchFrom(0x8000_1000, [ins('jal', [t0, 8])]), 0x8000_1000);
    expect(evalConstCode(high.words.slice(0, -1))[t0]! >>> 0).toBe(0x8000_1004);
    expect(high.callouts[0]!.target).toBe(0x8000_1008);
  });

  it('jal with rd = zero writes nothing', () => {
    const unit = translateUnit(fetchFrom(BASE, [ins('jal', [zero, 0x100])]), BASE);
    expect(unit.words).toEqual([hcallWord(0)]);
    expect(unit.callouts[0]).toMatchObject({ exit: 'jump', target: BASE + 0x100 });
  });

  it('jalr exits indirectly, keeping rd, rs1 and imm (rd may equal rs1)', () => {
    const unit = translateUnit(fetchFrom(BASE, [ins('jalr', [a0, a0, -4])]), BASE);
    expect(unit.words).toEqual([hcallWord(0)]);
    expect(unit.callouts[0]).toMatchObject({
      kind: 'exit', exit: 'indirect', indirect: { rd: a0, rs1: a0, imm: -4, returnAddress: BASE + 4 },
    });
    expect(unit.callouts[0]!.target).toBeUndefined();
    const ret = translateUnit(fetchFrom(BASE, [ins('jalr', [zero, ra, 0])]), BASE);
    expect(ret.callouts[0]!.indirect).toEqual({ rd: zero, rs1: ra, imm: 0, returnAddress: BASE + 4 });
  });

  it('a conditional branch becomes the same branch to a local taken-exit after the not-taken exit', () => {
    const pc = BASE + 8;
    const guest = ins('bne', [a0, a1, -8]);
    const unit = translateUnit(fetchFrom(BASE, [ins('add', [a0, a0, a1]), ins('add', [a0, a0, a1]), guest]), BASE);
    expect(unit.words).toHaveLength(5);
    const local = decode(unit.words[2]!)!;
    expect(local.def.mnemonic).toBe('bne');
    expect([local.a, local.b, local.imm]).toEqual([a0, a1, 8]); // skips exactly the not-taken exit
    expect(unit.callouts).toEqual([
      expect.objectContaining({ kind: 'exit', exit: 'not-taken', target: pc + 4, site: 3, guestPc: pc }),
      expect.objectContaining({ kind: 'exit', exit: 'taken', target: BASE, site: 4, guestPc: pc }),
    ]);
    expect(unit.words.slice(3).map(hcallId)).toEqual([0, 1]);
  });

  it('every exit is one word that a chaining pass can overwrite with a jal', () => {
    const unit = translateUnit(fetchFrom(BASE, [ins('beq', [a0, zero, 16])]), BASE);
    for (const c of unit.callouts) expect(decode(unit.words[c.site]!)!.def.sem).toEqual({ kind: 'system', op: 'hcall' });
    const d = decode(chainJumpWord(-0x1000))!;
    expect([d.def.sem.kind, d.a, d.imm]).toEqual(['jal', 0, -0x1000]);
  });
});
