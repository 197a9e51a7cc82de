// Encode and decode instruction words, derived entirely from the table.

import { CR_NAMES } from './arch.js';
import { INSTRUCTIONS, OPCODES, type InsnDef, type OperandSpec } from './table.js';

/** A decoded operand value, one per entry of `def.operands`. */
export type OperandValue =
  | number // reg, cr, simm16, uimm16, shamt: the number; branch, jump: byte offset from the instruction's pc
  | { offset: number; base: number }; // mem, port

export interface Decoded {
  def: InsnDef;
  word: number;
  /** Raw register fields. */
  a: number;
  b: number;
  c: number;
  /** The immediate as the semantics use it: extended, and for branch/jump the byte offset. */
  imm: number;
}

export class EncodeError extends Error {}

const FIELD_SHIFT = { a: 20, b: 16, c: 12 } as const;

/** Numeric range an operand accepts, for encoding checks and diagnostics. */
export function operandRange(spec: OperandSpec): { min: number; max: number; step: number } | undefined {
  switch (spec.kind) {
    case 'simm16': case 'mem': return { min: -0x8000, max: 0x7fff, step: 1 };
    case 'uimm16': case 'port': return { min: 0, max: 0xffff, step: 1 };
    case 'shamt': return { min: 0, max: 31, step: 1 };
    case 'branch': return { min: -0x8000 * 4, max: 0x7fff * 4, step: 4 };
    case 'jump': return { min: -0x80000 * 4, max: 0x7ffff * 4, step: 4 };
    case 'reg': return { min: 0, max: 15, step: 1 };
    case 'cr': return { min: 0, max: CR_NAMES.length - 1, step: 1 };
  }
}

/** Bits of the word that the instruction's operands occupy (besides the opcode). */
function usedBits(def: InsnDef): number {
  let mask = 0;
  for (const spec of def.operands) {
    switch (spec.kind) {
      case 'reg': case 'cr': mask |= 0xf << FIELD_SHIFT[spec.field]; break;
      case 'simm16': case 'uimm16': case 'shamt': case 'branch': mask |= 0xffff; break;
      case 'mem': case 'port': mask |= 0xffff | 0xf << FIELD_SHIFT.b; break;
      case 'jump': mask |= 0xfffff; break;
    }
  }
  return mask >>> 0;
}

const RESERVED_MASK: number[] = new Array(256).fill(0);
for (const def of INSTRUCTIONS) RESERVED_MASK[def.opcode] = ~(0xff000000 | usedBits(def)) >>> 0;

function checkRange(def: InsnDef, spec: OperandSpec, value: number, index: number): void {
  const r = operandRange(spec)!;
  if (!Number.isInteger(value) || value < r.min || value > r.max || value % r.step !== 0) {
    const what = spec.kind === 'branch' || spec.kind === 'jump' ? 'branch offset' : spec.kind;
    const step = r.step > 1 ? `, a multiple of ${r.step}` : '';
    throw new EncodeError(`${def.mnemonic}: operand ${index + 1} (${what}) is ${value}, must be in ${r.min}..${r.max}${step}`);
  }
}

/** Encode one instruction. Throws EncodeError (with the accepted range) on a bad operand. */
export function encode(def: InsnDef, operands: readonly OperandValue[]): number {
  if (operands.length !== def.operands.length) {
    throw new EncodeError(`${def.mnemonic}: expects ${def.operands.length} operand(s), got ${operands.length}`);
  }
  let word = def.opcode << 24;
  def.operands.forEach((spec, i) => {
    const v = operands[i]!;
    switch (spec.kind) {
      case 'reg': case 'cr':
        checkRange(def, spec, v as number, i);
        word |= (v as number) << FIELD_SHIFT[spec.field];
        break;
      case 'simm16': case 'uimm16': case 'shamt':
        checkRange(def, spec, v as number, i);
        word |= (v as number) & 0xffff;
        break;
      case 'mem': case 'port': {
        const m = v as { offset: number; base: number };
        checkRange(def, spec, m.offset, i);
        checkRange(def, { kind: 'reg', field: 'b' }, m.base, i);
        word |= (m.offset & 0xffff) | m.base << FIELD_SHIFT.b;
        break;
      }
      case 'branch':
        checkRange(def, spec, v as number, i);
        word |= ((v as number) >> 2) & 0xffff;
        break;
      case 'jump':
        checkRange(def, spec, v as number, i);
        word |= ((v as number) >> 2) & 0xfffff;
        break;
    }
  });
  return word >>> 0;
}

/**
 * Decode one word. Returns undefined for an undefined instruction: an unassigned
 * opcode (including the reserved VMX range), a reserved bit set, a shift amount
 * over 31 or an unknown control register.
 */
export function decode(word: number): Decoded | undefined {
  word >>>= 0;
  const def = OPCODES[word >>> 24];
  if (!def || (word & RESERVED_MASK[def.opcode]!) !== 0) return undefined;
  const a = (word >>> 20) & 0xf;
  const b = (word >>> 16) & 0xf;
  const c = (word >>> 12) & 0xf;
  let imm = 0;
  for (const spec of def.operands) {
    switch (spec.kind) {
      case 'simm16': case 'mem': imm = (word << 16) >> 16; break;
      case 'uimm16': case 'port': imm = word & 0xffff; break;
      case 'shamt': imm = word & 0xffff; if (imm > 31) return undefined; break;
      case 'branch': imm = ((word << 16) >> 16) * 4; break;
      case 'jump': imm = ((word << 12) >> 12) * 4; break;
      case 'cr': if (b >= CR_NAMES.length) return undefined; break;
      case 'reg': break;
    }
  }
  return { def, word, a, b, c, imm };
}

/** The operand values of a decoded instruction, in the table's order (inverse of encode). */
export function operandValues(d: Decoded): OperandValue[] {
  const field = { a: d.a, b: d.b, c: d.c };
  return d.def.operands.map((spec) => {
    switch (spec.kind) {
      case 'reg': case 'cr': return field[spec.field];
      case 'mem': case 'port': return { offset: d.imm, base: d.b };
      default: return d.imm;
    }
  });
}
