// Each pseudo-instruction expands to exactly the documented words.
import { describe, expect, it } from 'vitest';
import { PSEUDOS } from '../../src/asm/index.js';
import { errors, ok, textWords, wordsOf } from './helpers.js';

/** Words of `pseudo` and of `expansion` (real instructions) at the same address must match. */
function same(pseudo: string, expansion: string): void {
  expect(wordsOf(pseudo)).toEqual(wordsOf(expansion));
}

describe('pseudo-instructions', () => {
  it('nop', () => same('nop', 'addi zero, zero, 0'));
  it('li small signed: one addi', () => {
    same('li t0, -32768', 'addi t0, zero, -32768');
    same('li t0, 32767', 'addi t0, zero, 32767');
  });
  it('li small unsigned: one ori', () => same('li t0, 0xffff', 'ori t0, zero, 0xffff'));
  it('li large: lui + ori', () => {
    same('li t0, 0x12345678', 'lui t0, 0x1234\nori t0, t0, 0x5678');
    same('li t0, -32769', 'lui t0, 0xffff\nori t0, t0, 0x7fff');
  });
  it('li with a forward reference always takes two words', () => {
    const words = wordsOf('li t0, later\n.equ later, 5\n');
    expect(words).toEqual(wordsOf('lui t0, 0\nori t0, t0, 5'));
  });
  it('li with a backward constant takes one word', () => {
    expect(wordsOf('.equ five, 5\nli t0, five')).toEqual(wordsOf('addi t0, zero, 5'));
  });
  it('la is always lui + ori', () => {
    const image = ok('la a0, msg\n.data\nmsg: .word 1');
    expect(textWords(image)).toEqual(wordsOf('lui a0, 0\nori a0, a0, 0x2000'));
    same('x: la a0, x', 'lui a0, 0\nori a0, a0, 0x1000');
  });
  it('mov, not, neg', () => {
    same('mov a0, a1', 'addi a0, a1, 0');
    same('not a0, a1', 'sub a0, zero, a1\naddi a0, a0, -1');
    same('neg a0, a1', 'sub a0, zero, a1');
  });
  it('jumps and calls', () => {
    same('j 0x1000', 'jal zero, 0x1000');
    same('jr t0', 'jalr zero, t0, 0');
    same('call 0x2000', 'jal ra, 0x2000');
    same('callr t0', 'jalr ra, t0, 0');
    same('ret', 'jalr zero, ra, 0');
  });
  it('push and pop', () => {
    same('push s0', 'addi sp, sp, -4\nsw s0, 0(sp)');
    same('pop s0', 'lw s0, 0(sp)\naddi sp, sp, 4');
  });
  it('branches against zero and swapped comparisons', () => {
    same('beqz a0, 0x1010', 'beq a0, zero, 0x1010');
    same('bnez a0, 0x1010', 'bne a0, zero, 0x1010');
    same('bgt a0, a1, 0x1010', 'blt a1, a0, 0x1010');
    same('ble a0, a1, 0x1010', 'bge a1, a0, 0x1010');
    same('bgtu a0, a1, 0x1010', 'bltu a1, a0, 0x1010');
    same('bleu a0, a1, 0x1010', 'bgeu a1, a0, 0x1010');
  });
  it('set on zero', () => {
    same('seqz a0, a1', 'sltiu a0, a1, 1');
    same('snez a0, a1', 'sltu a0, zero, a1');
  });
  it('the table documents every expansion with the instructions it uses', () => {
    for (const p of PSEUDOS) expect(p.expansion.length).toBeGreaterThan(0);
    expect(PSEUDOS.map((p) => p.name).sort()).toEqual(
      ['bgt', 'bgtu', 'ble', 'bleu', 'beqz', 'bnez', 'call', 'callr', 'j', 'jr', 'la', 'li', 'mov', 'neg', 'nop', 'not', 'pop', 'push', 'ret', 'seqz', 'snez'].sort(),
    );
  });
  it('pseudo operand errors point at the operand', () => {
    expect(errors('li 5, t0')).toEqual(['main.s:1:4: expected a register, got immediate', 'main.s:1:7: expected an expression, got register t0']);
    expect(errors('push')).toEqual(['main.s:1:1: push expects 1 operand (rs), got 0']);
    expect(errors('ret t0')).toEqual(['main.s:1:5: ret expects 0 operands, got 1']);
    expect(errors('beqz t0, t1')).toEqual(['main.s:1:10: expected a branch target, got register t1']);
  });
});
