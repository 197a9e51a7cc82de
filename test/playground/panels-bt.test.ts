// The bt panel reads `virtlab bt-dump`'s text back into two columns
// (playground/panels/bt-model.ts). Checked against bt-dump's own JSON of the
// same run: every guest instruction and every translated word, in order.

import { beforeAll, describe, expect, test } from 'vitest';
import { btUnits, parseBtText, type BtLine } from '../../playground/panels/bt-model.js';
import { runCli } from '../cli/run.js';

const hello = new URL('../../guests/hello.s', import.meta.url).pathname;

interface JUnit {
  pc: number;
  insns: { pc: number; text: string; treatment: string; ident: boolean; words: { offset: number; text: string; callout: number | null }[] }[];
}

describe('parseBtText against bt-dump --json', () => {
  let lines: BtLine[];
  let units: JUnit[];

  beforeAll(async () => {
    const text = await runCli(['bt-dump', hello]);
    const json = await runCli(['bt-dump', hello, '--json']);
    expect(text.code).toBe(0);
    expect(json.code).toBe(0);
    // The text's first lines are the guest's console output, then the header; the parser keeps them as text lines.
    lines = parseBtText(text.stdout);
    units = (JSON.parse(json.stdout) as { units: JUnit[] }).units;
    expect(units.length).toBeGreaterThan(0);
  });

  test('each guest instruction in order, with its pc, text and treatment', () => {
    const guests = lines.flatMap((l) => (l.kind === 'pair' && l.guest ? [l.guest] : []));
    const expected = units.flatMap((u) => u.insns.map((i) => ({ pc: i.pc, text: i.text, treatment: i.ident ? 'IDENT' : i.treatment })));
    expect(guests).toEqual(expected);
  });

  test('each translated word in order beside its instruction, with its offset, text and callout note', () => {
    const words = lines.flatMap((l) => (l.kind === 'pair' && l.tc ? [l.tc] : []));
    const expected = units.flatMap((u) => u.insns.flatMap((i) => i.words.map((w) => ({ offset: w.offset, text: w.text }))));
    expect(words.map((w) => ({ offset: w.offset, text: w.text }))).toEqual(expected);
    const withCallout = units.flatMap((u) => u.insns.flatMap((i) => i.words.map((w) => w.callout !== null)));
    expect(words.map((w) => w.note.startsWith('#'))).toEqual(withCallout);
  });

  test('a continuation word has no guest cell; unit labels and chains stay text lines', () => {
    const pairs = lines.filter((l) => l.kind === 'pair');
    const multi = units.flatMap((u) => u.insns).filter((i) => i.words.length > 1).length;
    expect(pairs.filter((l) => l.kind === 'pair' && l.guest === null).length)
      .toBe(units.flatMap((u) => u.insns).reduce((n, i) => n + Math.max(0, i.words.length - 1), 0));
    expect(multi).toBeGreaterThan(0);
    const texts = lines.filter((l): l is Extract<BtLine, { kind: 'text' }> => l.kind === 'text').map((l) => l.text);
    expect(texts.filter((t) => t.startsWith('== ')).length).toBe(units.length);
    expect(texts.filter((t) => t.startsWith('unit ')).length).toBe(units.length);
  });
});

describe('btUnits', () => {
  // hello's unit at 0x1010 has chains both ways; in tinyos two units hold 0x1018 (one starts inside the other).
  test.each([[hello, '0x1010', 1], [new URL('../../guests/tinyos/tinyos.s', import.meta.url).pathname, '0x1018', 2]] as const)("groups the dump per unit: bt-dump's header before the first, each unit's own rows and chains (%s at %s)", async (program, pc, count) => {
    const text = await runCli(['bt-dump', program, '--pc', pc]);
    const json = await runCli(['bt-dump', program, '--pc', pc, '--json']);
    expect(json.code).toBe(0);
    const units = (JSON.parse(json.stdout) as { units: (JUnit & { chains: { out: unknown[]; in: unknown[] } })[] }).units;
    const dump = btUnits(parseBtText(text.stdout));
    expect(dump.units.length).toBe(units.length);
    expect(units.length).toBe(count);
    expect(dump.header.some((l) => l.startsWith('program '))).toBe(true);
    expect(dump.header.some((l) => l.startsWith('callouts '))).toBe(true);
    dump.units.forEach((u, i) => {
      expect(u.label).toMatch(new RegExp(`^== 0x${units[i]!.pc.toString(16).padStart(8, '0')}`));
      expect(u.summary).toMatch(/^unit 0x[0-9a-f]{8}/);
      expect(u.pairs.filter((p) => p.guest).map((p) => p.guest!.pc)).toEqual(units[i]!.insns.map((x) => x.pc));
      const chains = units[i]!.chains.out.length + units[i]!.chains.in.length;
      expect(u.chains).toEqual(chains === 0 ? ['(no chains)'] : expect.arrayContaining([expect.stringMatching(/^(chain|from) /)]));
      if (chains > 0) expect(u.chains.length).toBe(chains);
    });
  });
});

test('an instruction without code and a word with a local branch note', () => {
  const text = [
    '  0x00001000  undefined                    fault      | (no code)',
    '  0x00001004  beq a0, zero, 0x1010         control    | +0   beq a0, zero, 8        ; local branch -> +2',
  ].join('\n');
  const [a, b] = parseBtText(text);
  expect(a).toEqual({ kind: 'pair', guest: { pc: 0x1000, text: 'undefined', treatment: 'fault' }, tc: null, right: '(no code)' });
  expect(b).toMatchObject({ kind: 'pair', guest: { pc: 0x1004, treatment: 'control' }, tc: { offset: 0, text: 'beq a0, zero, 8', note: 'local branch -> +2' } });
});
