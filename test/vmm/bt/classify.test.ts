import { describe, expect, it } from 'vitest';
import { decode, INSTRUCTIONS, type InsnDef } from '../../../src/isa/index.js';
import { classify, translateUnit } from '../../../src/vmm/bt/index.js';
import { fetchFrom, sampleWord } from './helpers.js';

/** The rule of the brief, written independently of classify.ts. */
function expected(def: InsnDef): 'ident' | 'pc-relative' | 'emulate' | 'control' {
  const k = def.sem.kind;
  if (k === 'branch' || k === 'jal' || k === 'jalr') return 'control';
  if (k === 'system' && ['rett', 'syscall', 'brk', 'hcall', 'halt', 'wfi'].includes(def.sem.op)) return 'control';
  if (def.klass === 'privileged' || def.klass === 'sensitive' || def.klass === 'hypercall') return 'emulate';
  if (k === 'auipc') return 'pc-relative';
  return k === 'system' ? 'emulate' : 'ident';
}

const BASE = 0x2000;

describe('classification of every table row', () => {
  for (const def of INSTRUCTIONS) {
    it(`${def.mnemonic} (${def.klass}, ${def.sem.kind})`, () => {
      const word = sampleWord(def);
      expect(decode(word)?.def).toBe(def);
      expect(classify(def)).toBe(expected(def));
      const unit = translateUnit(fetchFrom(BASE, [word]) /* then unmapped */, BASE);
      const first = unit.insns[0]!;
      expect(first.def).toBe(def);
      expect(first.treatment).toBe(expected(def));
      expect(first.ident).toBe(expected(def) === 'ident');
      if (def.klass !== 'innocuous') expect(first.ident).toBe(false);
      if (first.ident) {
        expect(first.words).toEqual([word]);
        // An IDENT instruction does not end the unit: the next (unmapped) word does.
        expect(unit.end).toBe('unmapped');
      } else {
        expect(first.words).not.toContain(word);
      }
      if (expected(def) === 'emulate') {
        const c = unit.callouts[first.callouts[0]!]!;
        expect(c).toMatchObject({ kind: 'emulate', def, word, guestPc: BASE, endsUnit: false });
        expect(unit.end).toBe('unmapped');
      }
      if (expected(def) === 'control') {
        expect(unit.end).toBe('control');
        expect(unit.insns).toHaveLength(1);
        if (def.sem.kind === 'system') {
          expect(unit.callouts[0]).toMatchObject({ kind: 'emulate', def, endsUnit: true });
        }
      }
      // Every translated word is a defined instruction.
      for (const w of unit.words) expect(decode(w), `0x${w.toString(16)}`).toBeDefined();
    });
  }
});
