// docs/debugger.md must document every command and alias the session accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/debug/index.js';
import { CALLS, session } from './helpers.js';

const doc = readFileSync(new URL('../../docs/debugger.md', import.meta.url), 'utf8');
const table = doc.split('\n').filter((l) => l.startsWith('| `'));

describe('docs/debugger.md', () => {
  test.each(COMMANDS.map((c) => [c.name, c]))('documents %s with its aliases', (_name, c) => {
    // The first cell names the command: `name ...` at its start or after a comma.
    const row = table.find((l) => new RegExp(`(^|, )\`${c.name}[ \`]`).test(l.split('|')[1]!.trim()));
    expect(row, `a table row for ${c.name}`).toBeDefined();
    for (const alias of c.aliases ?? []) {
      if (alias === '?' || alias === 'registers' || alias === 'disassemble' || alias === 'backtrace') continue;
      expect(row).toContain(`\`${alias}\``);
    }
  });

  test('the prefixes it promises are unambiguous', () => {
    const s = session(CALLS);
    for (const prefix of ['cont', 'disas', 'wat total']) expect(s.execute(prefix).ok).toBe(true);
  });
});
