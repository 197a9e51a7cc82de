// "Did you mean": the bounded edit distance agrees with the full one, and
// suggestions stay cheap for long names and many misspellings.
import { describe, expect, it } from 'vitest';
import { boundedEditDistance, editDistance, suggest } from '../../src/asm/suggest.js';
import { MAX_SUGGESTIONS } from '../../src/asm/state.js';
import { errors } from './helpers.js';

describe('suggestions', () => {
  it('boundedEditDistance is min(distance, max + 1) on random strings', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
    const word = () => Array.from({ length: Math.floor(next() * 7) }, () => 'abc'[Math.floor(next() * 3)]).join('');
    for (let n = 0; n < 5000; n++) {
      const a = word();
      const b = next() < 0.5 ? word() : a.slice(0, Math.floor(next() * (a.length + 1))) + word().slice(0, 2);
      const max = Math.floor(next() * 4);
      expect(boundedEditDistance(a, b, max), `${a} ${b} ${max}`).toBe(Math.min(editDistance(a, b), max + 1));
    }
  });

  it('picks the first closest candidate within two edits, as before', () => {
    expect(suggest('lood', ['load', 'loop', 'lod'])).toBe('load');
    expect(suggest('ADDI', ['add', 'addi'])).toBe('addi');
    expect(suggest('xyzzy', ['add', 'addi'])).toBeUndefined();
    expect(suggest('ab', ['xy'])).toBeUndefined(); // two edits but the word has only two characters
  });

  it('long misspelt names and many misspellings still get suggestions', () => {
    const long = 'n'.repeat(100_000);
    expect(errors(`.equ ${long}x, 1\n.data\n.word ${long}y`)).toEqual([`main.s:3:7: undefined symbol '${long.slice(0, 57)}...' (did you mean ${long.slice(0, 57)}...?)`]);
    const n = 3000;
    const src = ['.data', ...Array.from({ length: n }, (_, i) => `s_${i}: .word t_${i}`)].join('\n');
    const errs = errors(src);
    expect(errs).toHaveLength(n);
    expect(errs[0]).toBe("main.s:2:12: undefined symbol 't_0' (did you mean s_0?)");
    // The first MAX_SUGGESTIONS misspelt names get a suggestion, later ones none.
    expect(errs[MAX_SUGGESTIONS - 1]).toMatch(/\(did you mean s_99\?\)$/);
    expect(errs[MAX_SUGGESTIONS]).toBe(`main.s:${MAX_SUGGESTIONS + 2}:14: undefined symbol 't_${MAX_SUGGESTIONS}'`);
  });

  it('every use of the same misspelt symbol gets the same suggestion', () => {
    const errs = errors(['.data', 'total: .word 0', ...Array(300).fill('.word totl')].join('\n'));
    expect(new Set(errs.map((e) => e.replace(/^main.s:\d+:/, '')))).toEqual(new Set(["7: undefined symbol 'totl' (did you mean total?)"]));
  });
});
