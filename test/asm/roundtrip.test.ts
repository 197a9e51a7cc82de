// Every instruction of the table: assemble with extreme operands, decode,
// disassemble, reassemble the disassembly at the same address: same bytes.
import { describe, expect, it } from 'vitest';
import { CR_NAMES, INSTRUCTIONS, decode, disassembleWord, operandRange, operandValues, regNumber, type OperandSpec, type OperandValue } from '../../src/isa/index.js';
import { ok, textWords } from './helpers.js';

const PC = 0x400000; // far enough from 0 for the most negative jump
// A different register for every field, none of them zero.
const FIELD_REG = { a: 's1', b: 'a2', c: 't3' } as const;

function sample(spec: OperandSpec, extreme: 'min' | 'max'): { text: string; value: OperandValue } {
  const r = operandRange(spec)!;
  const pick = extreme === 'min' ? r.min : r.max;
  switch (spec.kind) {
    case 'reg': return { text: FIELD_REG[spec.field], value: regNumber(FIELD_REG[spec.field])! };
    case 'cr': { const i = extreme === 'min' ? 0 : CR_NAMES.length - 1; return { text: CR_NAMES[i]!, value: i }; }
    case 'simm16': case 'shamt': return { text: String(pick), value: pick };
    case 'uimm16': return { text: '0x' + pick.toString(16), value: pick };
    case 'mem': case 'port': return { text: `${pick}(${FIELD_REG.b})`, value: { offset: pick, base: regNumber(FIELD_REG.b)! } };
    case 'branch': case 'jump': return { text: '0x' + (PC + pick).toString(16), value: pick };
  }
}

describe('round trip of every instruction', () => {
  for (const def of INSTRUCTIONS) {
    for (const extreme of ['min', 'max'] as const) {
      it(`${def.mnemonic} (${extreme})`, () => {
        const samples = def.operands.map((s) => sample(s, extreme));
        const line = `${def.mnemonic} ${samples.map((s) => s.text).join(', ')}`;
        const [word] = textWords(ok(`.org ${PC}\n${line}\n`));
        const d = decode(word!);
        expect(d?.def.mnemonic).toBe(def.mnemonic);
        expect(operandValues(d!)).toEqual(samples.map((s) => s.value));
        const text = disassembleWord(word!, PC);
        const [again] = textWords(ok(`.org ${PC}\n${text}\n`));
        expect(again).toBe(word);
        // Upper case mnemonics and register names mean the same.
        const [upper] = textWords(ok(`.org ${PC}\n${text.toUpperCase()}\n`));
        expect(upper).toBe(word);
      });
    }
  }
});
