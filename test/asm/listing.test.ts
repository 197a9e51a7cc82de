// The listing: every source line, with address and encoded words.
import { describe, expect, it } from 'vitest';
import { formatListing } from '../../src/asm/index.js';
import { asm, wordsOf } from './helpers.js';

describe('listing', () => {
  const src = [
    '; a comment',
    '',
    '.macro twice',
    '  nop',
    '.endm',
    'start: li t0, 0x12345678',
    '  twice',
    '  twice',
    '.if 0',
    '  brk',
    '.endif',
    '.data',
    'd: .half 1, 2',
    '   .ascii "abcdefghij"',
  ].join('\n');
  const { listing } = asm(src);

  it('has one entry per source line, expansions once per expansion', () => {
    expect(listing.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 4, 8, 4, 9, 10, 11, 12, 13, 14]);
    expect(listing.every((l) => l.file === 'main.s')).toBe(true);
  });
  it('gives addresses and words for what was emitted', () => {
    const [nop] = wordsOf('nop');
    expect(listing[0]).toMatchObject({ words: [], source: '; a comment' });
    expect(listing[0]!.addr).toBeUndefined();
    expect(listing[5]).toMatchObject({ addr: 0x1000, words: wordsOf('lui t0, 0x1234\nori t0, t0, 0x5678') });
    expect(listing[7]).toMatchObject({ addr: 0x1008, words: [nop] });
    expect(listing[9]).toMatchObject({ addr: 0x100c, words: [nop] });
    expect(listing[11]).toMatchObject({ words: [], source: '  brk' }); // skipped
    expect(listing[11]!.addr).toBeUndefined();
    expect(listing[14]).toMatchObject({ addr: 0x2000, words: [1, 2] });
    expect([...listing[14]!.bytes]).toEqual([1, 0, 2, 0]);
    expect(listing[15]!.words).toHaveLength(10);
  });
  it('formats address, words and source', () => {
    const text = formatListing(listing);
    const lines = text.split('\n');
    expect(lines[0]).toBe('==> main.s <==');
    expect(lines).toContain('    6  00001000  29801234 22885678        start: li t0, 0x12345678');
    expect(lines).toContain('   13  00002000  0001 0002                d: .half 1, 2');
    expect(lines).toContain('   14  00002004  61 62 63 64 65 66 67 68     .ascii "abcdefghij"');
    expect(lines).toContain('       0000200c  69 6a');
    expect(lines).toContain('    1                                     ; a comment');
    expect(lines).toContain('    4  00001008  20000000                   nop');
  });
  it('even a run with errors has a listing', () => {
    expect(asm('nop\nbogus\nnop').listing.map((l) => l.addr)).toEqual([0x1000, undefined, 0x1004]);
  });
});
