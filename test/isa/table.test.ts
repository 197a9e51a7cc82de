// Invariants of the instruction table: what every consumer (assembler,
// executors, disassembler, docs) relies on without checking itself.

import { describe, expect, test } from 'vitest';
import {
  compileExpr, decode, disassembleWord, encode, EncodeError, INSTRUCTIONS, lookupMnemonic, MNEMONICS, OPCODES,
  operandRange, operandValues, VMX_OPCODE_RANGE, type InsnDef, type OperandValue,
} from '../../src/isa/index.js';
import { sampleOperands } from '../elf/sample-image.js';

const FIELD_BITS = { a: 0x00f00000, b: 0x000f0000, c: 0x0000f000 } as const;

function operandBits(def: InsnDef): number[] {
  return def.operands.map((spec) => {
    switch (spec.kind) {
      case 'reg': case 'cr': return FIELD_BITS[spec.field];
      case 'mem': case 'port': return FIELD_BITS.b | 0xffff;
      case 'jump': return 0xfffff;
      default: return 0xffff;
    }
  });
}

/** Operand values at both ends of every range. */
function extremes(def: InsnDef, pick: 'min' | 'max'): OperandValue[] {
  return def.operands.map((spec) => {
    const r = operandRange(spec)!;
    if (spec.kind === 'mem' || spec.kind === 'port') return { offset: r[pick], base: pick === 'min' ? 0 : 15 };
    return r[pick];
  });
}

describe('opcodes and mnemonics', () => {
  test('opcodes are unique, 0x00 stays undefined, none falls in the VMX range', () => {
    const opcodes = INSTRUCTIONS.map((d) => d.opcode);
    expect(new Set(opcodes).size).toBe(opcodes.length);
    for (const op of opcodes) {
      expect(op).toBeGreaterThan(0);
      expect(op).toBeLessThan(256);
      expect(op < VMX_OPCODE_RANGE.first || op > VMX_OPCODE_RANGE.last).toBe(true);
    }
    expect(VMX_OPCODE_RANGE.last - VMX_OPCODE_RANGE.first).toBe(15);
  });

  test('OPCODES indexes exactly the table rows; every other opcode decodes as undefined', () => {
    for (let op = 0; op < 256; op++) {
      const def = INSTRUCTIONS.find((d) => d.opcode === op);
      expect(OPCODES[op]).toBe(def);
      if (!def) expect(decode(op << 24)).toBeUndefined();
    }
  });

  test('mnemonics are unique lowercase identifiers and lookup ignores case', () => {
    expect(new Set(MNEMONICS).size).toBe(MNEMONICS.length);
    for (const def of INSTRUCTIONS) {
      expect(def.mnemonic).toMatch(/^[a-z][a-z0-9]*$/);
      expect(lookupMnemonic(def.mnemonic.toUpperCase())).toBe(def);
    }
    expect(lookupMnemonic('nosuch')).toBeUndefined();
  });

  test('every row has a one-line meaning', () => {
    for (const def of INSTRUCTIONS) {
      expect(def.meaning.trim().length).toBeGreaterThan(5);
      expect(def.meaning).not.toMatch(/\n/);
    }
  });
});

describe('formats and fields', () => {
  test('R rows take three registers in a, b, c; J rows take a jump; I rows use neither c nor imm20', () => {
    for (const def of INSTRUCTIONS) {
      const kinds = def.operands.map((o) => (o.kind === 'reg' ? `reg:${o.field}` : o.kind));
      if (def.format === 'R') expect(kinds).toEqual(['reg:a', 'reg:b', 'reg:c']);
      else if (def.format === 'J') expect(kinds).toContain('jump');
      else expect(kinds.some((k) => k === 'reg:c' || k === 'jump')).toBe(false);
    }
  });

  test('no two operands of a row share a bit of the word', () => {
    for (const def of INSTRUCTIONS) {
      let used = 0xff000000 | 0;
      for (const bits of operandBits(def)) {
        expect(used & bits, `${def.mnemonic}: overlapping operand fields`).toBe(0);
        used |= bits;
      }
    }
  });

  test('setting any bit no operand uses makes the word undefined', () => {
    for (const def of INSTRUCTIONS) {
      const word = encode(def, sampleOperands(def, 3, 0x1000, 0x1000));
      const used = operandBits(def).reduce((m, b) => m | b, 0xff000000 | 0);
      for (let bit = 0; bit < 24; bit++) {
        if (used & (1 << bit)) continue;
        expect(decode((word | (1 << bit)) >>> 0), `${def.mnemonic} with reserved bit ${bit}`).toBeUndefined();
      }
    }
  });
});

describe('encode and decode are inverses', () => {
  test.each(INSTRUCTIONS.map((d) => [d.mnemonic, d] as const))('%s', (_m, def) => {
    for (const operands of [sampleOperands(def, 5, 0x1000, 0x2000), extremes(def, 'min'), extremes(def, 'max')]) {
      const clean = def.operands.map((spec, i) => (spec.kind === 'branch' || spec.kind === 'jump'
        ? (operands[i] as number) - ((operands[i] as number) % 4) : operands[i]!));
      const word = encode(def, clean);
      expect(word >>> 24).toBe(def.opcode);
      const d = decode(word);
      expect(d?.def).toBe(def);
      expect(operandValues(d!)).toEqual(clean);
      expect(disassembleWord(word, 0x1000)).toMatch(new RegExp(`^${def.mnemonic}\\b`));
    }
  });

  test('an operand out of range is refused with the accepted range in the message', () => {
    expect(() => encode(lookupMnemonic('addi')!, [1, 2, 0x8000])).toThrow(EncodeError);
    expect(() => encode(lookupMnemonic('addi')!, [1, 2, 0x8000])).toThrow(/-32768\.\.32767/);
    expect(() => encode(lookupMnemonic('slli')!, [1, 2, 32])).toThrow(/0\.\.31/);
    expect(() => encode(lookupMnemonic('beq')!, [1, 2, 6])).toThrow(/multiple of 4/);
    expect(() => encode(lookupMnemonic('add')!, [1, 2])).toThrow(/expects 3 operand/);
    expect(() => encode(lookupMnemonic('add')!, [1, 2, 16])).toThrow(EncodeError);
  });

  test('a shift amount over 31 or an unknown control register does not decode', () => {
    const slli = encode(lookupMnemonic('slli')!, [1, 2, 31]);
    expect(decode(slli + 1)).toBeUndefined();
    const mfcr = encode(lookupMnemonic('mfcr')!, [1, 6]);
    expect(decode(mfcr + (1 << 16))).toBeUndefined();
  });
});

describe('virtualization classes', () => {
  const byClass = (k: string) => INSTRUCTIONS.filter((d) => d.klass === k).map((d) => d.mnemonic).sort();

  test('the sensitive-but-unprivileged set is exactly the four flag and base-register readers/writers', () => {
    expect(byClass('sensitive')).toEqual(['rdflags', 'rdptbr', 'rdtvec', 'wrflags']);
  });

  test('hcall is the only hypercall; every privileged row is a system instruction', () => {
    expect(byClass('hypercall')).toEqual(['hcall']);
    for (const def of INSTRUCTIONS.filter((d) => d.klass === 'privileged')) expect(def.sem.kind).toBe('system');
    expect(byClass('privileged')).toEqual(expect.arrayContaining(['mtcr', 'mfcr', 'rett', 'cli', 'sti', 'in', 'out', 'halt', 'tlbi', 'tlbia', 'wfi']));
  });

  test('every instruction that is not a system instruction is innocuous', () => {
    for (const def of INSTRUCTIONS.filter((d) => d.sem.kind !== 'system')) expect(def.klass).toBe('innocuous');
  });
});

describe('semantics', () => {
  test('every ALU and branch expression compiles and yields an int32 (or boolean for branches)', () => {
    const samples = [0, 1, -1, 7, 0x7fffffff, -0x80000000, 12345, -9876];
    for (const def of INSTRUCTIONS) {
      if (def.sem.kind !== 'alu' && def.sem.kind !== 'branch') continue;
      const f = compileExpr(def.sem.kind === 'alu' ? def.sem.expr : def.sem.cond);
      for (const a of samples) for (const b of samples) {
        if (def.sem.kind === 'alu' && def.sem.trapsOnZero && b === 0) continue;
        const v = f(a, b);
        if (def.sem.kind === 'alu') expect(v, `${def.mnemonic}(${a}, ${b})`).toBe(v | 0);
        else expect(typeof v).toBe('boolean');
      }
    }
  });

  test('only division and remainder trap on a zero divisor', () => {
    const trapping = INSTRUCTIONS.filter((d) => d.sem.kind === 'alu' && d.sem.trapsOnZero).map((d) => d.mnemonic).sort();
    expect(trapping).toEqual(['div', 'divu', 'rem', 'remu']);
  });
});
