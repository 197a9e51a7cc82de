// Translate the real guest kernel: every unit reachable by straight-line
// decoding from each .text symbol.
import { describe, expect, it } from 'vitest';
import { assembleFile } from '../../../src/asm/index.js';
import { decode } from '../../../src/isa/index.js';
import { formatUnit, translateUnit, unitCounts, type TranslationUnit } from '../../../src/vmm/bt/index.js';

const result = assembleFile(new URL('../../../guests/tinyos/tinyos.s', import.meta.url).pathname);

describe('translating tinyos', () => {
  const image = result.image!;
  const text = image.sections.find((s) => s.name === '.text')!;
  const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  const fetch = (pc: number): number | undefined => {
    const off = pc - text.addr;
    return off >= 0 && off + 4 <= text.data.length ? view.getUint32(off, true) : undefined;
  };
  // Data labels inside .text (strings) may be unaligned: they are not code entry points.
  const symbols = image.symbols.filter((s) => s.section === '.text' && s.value % 4 === 0);
  const symbolAt = (addr: number) => symbols.find((s) => s.value === addr)?.name;

  // From each symbol, keep translating at the fall-through pc until a unit leaves the text.
  const units: TranslationUnit[] = [];
  for (const sym of symbols) {
    let pc = sym.value;
    for (let guard = 0; guard < 1000; guard++) {
      const unit = translateUnit(fetch, pc);
      units.push(unit);
      if (unit.end === 'unmapped') break;
      pc = unit.endPc;
    }
  }

  it('assembles', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(symbols.length).toBeGreaterThan(20);
  });

  it('translates every unit into defined words', () => {
    expect(units.length).toBeGreaterThan(symbols.length);
    for (const unit of units) {
      for (const w of unit.words) expect(decode(w), `unit at 0x${unit.startPc.toString(16)}`).toBeDefined();
      const n = unitCounts(unit);
      // IDENT means copied: the translation of such an instruction starts with the guest word itself.
      for (const insn of unit.insns) if (insn.ident) expect(insn.words[0]).toBe(insn.word);
      expect(unit.insns.reduce((k, i) => k + i.words.length, 0)).toBe(n.translatedWords);
    }
  });

  it('never runs a privileged or sensitive kernel instruction unchanged', () => {
    const seen = new Set<string>();
    for (const unit of units) {
      for (const insn of unit.insns) {
        if (insn.def && insn.def.klass !== 'innocuous') {
          seen.add(insn.def.mnemonic);
          expect(insn.ident).toBe(false);
          expect(insn.words).not.toContain(insn.word);
          expect(insn.callouts.map((i) => unit.callouts[i]!.kind)).toContain('emulate');
        }
      }
    }
    // tinyos uses the save-flags / disable / restore-flags pattern and talks to devices.
    for (const m of ['rdflags', 'wrflags', 'cli', 'mtcr', 'rett', 'out']) expect(seen, m).toContain(m);
  });

  it('formats units side by side', () => {
    const start = symbols.find((s) => s.name === '_start')!.value;
    const dump = formatUnit(translateUnit(fetch, start), symbolAt);
    const lines = dump.split('\n');
    expect(lines[0]).toMatch(/^unit 0x[0-9a-f]{8} <_start>\.\.0x[0-9a-f]{8}: \d+ guest insns -> \d+ words \(\d+ IDENT, \d+ non-IDENT\)/);
    expect(lines.length).toBeGreaterThan(2);
    const all = units.map((u) => formatUnit(u, symbolAt)).join('\n');
    expect(all).toMatch(/IDENT\s+\| \+\d+\s+\S/);
    expect(all).toMatch(/emulate\s+\| \+\d+\s+hcall 0x[0-9a-f]+\s+; #\d+ emulate cli/);
    expect(all).toMatch(/; #\d+ exit (taken|jump) -> 0x[0-9a-f]{8} <\w+>/);
    expect(all).toMatch(/control\s+\| \+(\d+)\s+b\w+ .* ; local branch -> \+\d+/);
  });
});
