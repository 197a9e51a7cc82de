// docs/assembler.md must list every pseudo-instruction with its exact
// expansion, and every directive.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTIVE_NAMES, PSEUDOS } from '../../src/asm/index.js';

const doc = fs.readFileSync(new URL('../../docs/assembler.md', import.meta.url), 'utf8');

describe('docs/assembler.md', () => {
  for (const p of PSEUDOS) {
    it(`documents ${p.name} and its expansion`, () => {
      const syntax = [p.name, p.operands.map((o) => o.name).join(', ')].filter(Boolean).join(' ');
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${syntax}\` |`));
      expect(row, `a table row for \`${syntax}\``).toBeDefined();
      for (const alternative of p.expansion.split(' | ')) {
        for (const insn of alternative.replace(/ \([^()]*\)$/, '').split('; ')) expect(row).toContain(`\`${insn}\``);
      }
    });
  }
  it('documents every directive', () => {
    for (const d of DIRECTIVE_NAMES) expect(doc).toContain(`\`${d}`);
  });
});
