// docs/debugger.md must document every command and alias the session accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/debug/index.js';
import { CALLS, session } from './helpers.js';

const doc = readFileSync(new URL('../../docs/debugger.md', import.meta.url), 'utf8');
const table = doc.split('\n').filter((l) => l.startsWith('| `'));

describe('docs/debugger.md', () => {
  test.each(COMMANDS.map((c) => [c.name, c]))('documents %s with its aliases', (_name, c) => {
    // The first cell names the command: `name ...` at its start or after a comma (`x/` is followed by its NFU).
    const end = c.name.endsWith('/') ? '' : '[ `]';
    const row = table.find((l) => new RegExp(`(^|, )\`${c.name}${end}`).test(l.split('|')[1]!.trim()));
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

/**
 * The `(vl)` commands of the first transcript in a document, each with the output
 * lines printed after it that come from the debugger (not the guest's console).
 */
function transcript(text: string): { command: string; lines: string[] }[] {
  const block = /```\n\$ (?:npx )?virtlab debug guests\/tinyos\/tinyos\.s\n([\s\S]*?)```/.exec(text);
  if (!block) throw new Error('no tinyos debug transcript');
  const steps: { command: string; lines: string[] }[] = [];
  for (const line of block[1]!.split('\n')) {
    if (line.startsWith('(vl) ')) steps.push({ command: line.slice(5), lines: [] });
    else if (steps.length > 0 && /^(0x|breakpoint|watchpoint|stopped|returned)/.test(line)) steps[steps.length - 1]!.lines.push(line);
  }
  return steps;
}

describe('the tinyos transcripts in README.md and docs/debugger.md', () => {
  for (const file of ['README.md', 'docs/debugger.md']) {
    test(`${file}: every location and stop line is what the debugger prints`, () => {
      const steps = transcript(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
      expect(steps.length).toBeGreaterThan(4);
      const s = session('guests/tinyos/tinyos.s');
      for (const { command, lines } of steps) {
        const printed = s.execute(command).output.split('\n');
        for (const line of lines) expect(printed, `after '${command}'`).toContain(line);
      }
    });
  }
});
