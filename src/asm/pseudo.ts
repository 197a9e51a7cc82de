// Pseudo-instructions: the one table of every pseudo, its syntax and its exact
// expansion into real instructions. docs/assembler.md lists the same rows
// (a test keeps them in step). Expansions go through the normal instruction
// path, so their operands are range-checked like hand-written ones.

import { lookupMnemonic, type InsnDef } from '../isa/index.js';
import type { Expr, Operand } from './ast.js';

/** What a pseudo's operand must be: a register, or a value / target expression. */
export type PseudoOperandKind = 'reg' | 'value' | 'target';

/** One real instruction of an expansion. */
export interface PlannedInsn {
  def: InsnDef;
  operands: Operand[];
}

export interface ExpandContext {
  /** The value of an expression if pass 1 already knows it (no diagnostics). */
  knownValue(e: Expr): number | undefined;
}

export interface PseudoDef {
  name: string;
  operands: { name: string; kind: PseudoOperandKind }[];
  /** The expansion as documented, e.g. "jal ra, target". */
  expansion: string;
  /** The real instructions, decided in pass 1 (so the size is fixed before pass 2). */
  expand(ops: readonly Operand[], pos: number, ctx: ExpandContext): PlannedInsn[];
}

// Builders for synthesized operands; they carry the position of the text they stand for.
function reg(name: string, pos: number): Operand {
  return { kind: 'expr', expr: { kind: 'sym', name, pos }, pos };
}
function num(value: number, pos: number): Operand {
  return { kind: 'expr', expr: { kind: 'num', value: value >>> 0, text: String(value), pos }, pos };
}
function reloc(which: 'hi' | 'lo', op: Operand): Operand {
  const expr = (op as Extract<Operand, { kind: 'expr' }>).expr;
  return { kind: 'expr', expr: { kind: 'reloc', which, arg: expr, pos: op.pos }, pos: op.pos };
}
function mem(offset: number, base: string, pos: number): Operand {
  return { kind: 'mem', offset: { kind: 'num', value: offset >>> 0, text: String(offset), pos }, base: { kind: 'sym', name: base, pos }, pos };
}
function negNum(value: number, pos: number): Operand {
  // Negative literals are written as unary minus, as the parser would produce them.
  return { kind: 'expr', expr: { kind: 'unary', op: '-', arg: { kind: 'num', value, text: String(value), pos }, pos }, pos };
}

function insn(mnemonic: string, ...operands: Operand[]): PlannedInsn {
  const def = lookupMnemonic(mnemonic);
  if (!def) throw new Error(`internal: pseudo expansion uses unknown mnemonic ${mnemonic}`);
  return { def, operands };
}

const R = (name: string) => ({ name, kind: 'reg' as const });
const V = (name: string) => ({ name, kind: 'value' as const });
const T = (name: string) => ({ name, kind: 'target' as const });

/** The largest li value that `addi rd, zero, imm` loads (sign-extended). */
const SIMM_MIN = -0x8000;
const SIMM_MAX = 0x7fff;
const UIMM_MAX = 0xffff;

export const PSEUDOS: readonly PseudoDef[] = [
  { name: 'nop', operands: [], expansion: 'addi zero, zero, 0',
    expand: (_, p) => [insn('addi', reg('zero', p), reg('zero', p), num(0, p))] },
  { name: 'li', operands: [R('rd'), V('value')],
    expansion: 'addi rd, zero, value (value known in pass 1, -32768..32767) | ori rd, zero, value (known, 0..65535) | lui rd, %hi(value); ori rd, rd, %lo(value) (otherwise)',
    expand: ([rd, v], p, ctx) => {
      const known = ctx.knownValue((v as Extract<Operand, { kind: 'expr' }>).expr);
      if (known !== undefined && known >= SIMM_MIN && known <= SIMM_MAX) return [insn('addi', rd!, reg('zero', p), v!)];
      if (known !== undefined && known >= 0 && known <= UIMM_MAX) return [insn('ori', rd!, reg('zero', p), v!)];
      return [insn('lui', rd!, reloc('hi', v!)), insn('ori', rd!, rd!, reloc('lo', v!))];
    } },
  { name: 'la', operands: [R('rd'), V('symbol')], expansion: 'lui rd, %hi(symbol); ori rd, rd, %lo(symbol)',
    expand: ([rd, s]) => [insn('lui', rd!, reloc('hi', s!)), insn('ori', rd!, rd!, reloc('lo', s!))] },
  { name: 'mov', operands: [R('rd'), R('rs')], expansion: 'addi rd, rs, 0',
    expand: ([rd, rs], p) => [insn('addi', rd!, rs!, num(0, p))] },
  { name: 'not', operands: [R('rd'), R('rs')], expansion: 'sub rd, zero, rs; addi rd, rd, -1',
    expand: ([rd, rs], p) => [insn('sub', rd!, reg('zero', p), rs!), insn('addi', rd!, rd!, negNum(1, p))] },
  { name: 'neg', operands: [R('rd'), R('rs')], expansion: 'sub rd, zero, rs',
    expand: ([rd, rs], p) => [insn('sub', rd!, reg('zero', p), rs!)] },
  { name: 'j', operands: [T('target')], expansion: 'jal zero, target',
    expand: ([t], p) => [insn('jal', reg('zero', p), t!)] },
  { name: 'jr', operands: [R('rs')], expansion: 'jalr zero, rs, 0',
    expand: ([rs], p) => [insn('jalr', reg('zero', p), rs!, num(0, p))] },
  { name: 'call', operands: [T('target')], expansion: 'jal ra, target',
    expand: ([t], p) => [insn('jal', reg('ra', p), t!)] },
  { name: 'callr', operands: [R('rs')], expansion: 'jalr ra, rs, 0',
    expand: ([rs], p) => [insn('jalr', reg('ra', p), rs!, num(0, p))] },
  { name: 'ret', operands: [], expansion: 'jalr zero, ra, 0',
    expand: (_, p) => [insn('jalr', reg('zero', p), reg('ra', p), num(0, p))] },
  { name: 'push', operands: [R('rs')], expansion: 'addi sp, sp, -4; sw rs, 0(sp)',
    expand: ([rs], p) => [insn('addi', reg('sp', p), reg('sp', p), negNum(4, p)), insn('sw', rs!, mem(0, 'sp', p))] },
  { name: 'pop', operands: [R('rd')], expansion: 'lw rd, 0(sp); addi sp, sp, 4',
    expand: ([rd], p) => [insn('lw', rd!, mem(0, 'sp', p)), insn('addi', reg('sp', p), reg('sp', p), num(4, p))] },
  { name: 'beqz', operands: [R('rs'), T('target')], expansion: 'beq rs, zero, target',
    expand: ([rs, t], p) => [insn('beq', rs!, reg('zero', p), t!)] },
  { name: 'bnez', operands: [R('rs'), T('target')], expansion: 'bne rs, zero, target',
    expand: ([rs, t], p) => [insn('bne', rs!, reg('zero', p), t!)] },
  { name: 'bgt', operands: [R('rs'), R('rt'), T('target')], expansion: 'blt rt, rs, target',
    expand: ([rs, rt, t]) => [insn('blt', rt!, rs!, t!)] },
  { name: 'ble', operands: [R('rs'), R('rt'), T('target')], expansion: 'bge rt, rs, target',
    expand: ([rs, rt, t]) => [insn('bge', rt!, rs!, t!)] },
  { name: 'bgtu', operands: [R('rs'), R('rt'), T('target')], expansion: 'bltu rt, rs, target',
    expand: ([rs, rt, t]) => [insn('bltu', rt!, rs!, t!)] },
  { name: 'bleu', operands: [R('rs'), R('rt'), T('target')], expansion: 'bgeu rt, rs, target',
    expand: ([rs, rt, t]) => [insn('bgeu', rt!, rs!, t!)] },
  { name: 'seqz', operands: [R('rd'), R('rs')], expansion: 'sltiu rd, rs, 1',
    expand: ([rd, rs], p) => [insn('sltiu', rd!, rs!, num(1, p))] },
  { name: 'snez', operands: [R('rd'), R('rs')], expansion: 'sltu rd, zero, rs',
    expand: ([rd, rs], p) => [insn('sltu', rd!, reg('zero', p), rs!)] },
];

const byName = new Map(PSEUDOS.map((p) => [p.name, p]));

export function lookupPseudo(name: string): PseudoDef | undefined {
  return byName.get(name.toLowerCase());
}

export const PSEUDO_NAMES: readonly string[] = PSEUDOS.map((p) => p.name);
