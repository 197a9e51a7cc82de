// Region formation and the shape of the compiled region: which blocks a hot
// entry pulls in, where they stop, and that every shape compiles to a function.
import { describe, expect, it } from 'vitest';
import { compileRegion, formRegion } from '../../../src/engine/jit/index.js';
import { MAX_SOURCE } from '../../../src/engine/jit/compile.js';
import { MAX_REGION_INSNS, PAGE_WORDS } from '../../../src/engine/jit/region.js';
import { assemble, type Row } from '../../machine/helpers.js';

/** A page holding `rows` from word 0 (the page is at 0, so labels are byte offsets). */
function page(rows: readonly Row[]): { words: Int32Array; at: (label: string) => number } {
  const { words, labels } = assemble(rows, 0);
  const p = new Int32Array(PAGE_WORDS);
  p.set(words);
  return { words: p, at: (l) => labels.get(l)! >>> 2 };
}

const FIB: Row[] = [
  ['jal', 'ra', '@fib'], ['halt', 'a0'],
  'fib:', ['addi', 't0', 'zero', 2], ['blt', 'a0', 't0', '@done'],
  ['addi', 'sp', 'sp', -4], ['sw', 'ra', { offset: 0, base: 'sp' }],
  ['addi', 'a0', 'a0', -1], ['jal', 'ra', '@fib'],
  'back:', ['lw', 'ra', { offset: 0, base: 'sp' }], ['addi', 'sp', 'sp', 4],
  'done:', ['jalr', 'zero', 'ra', 0],
];

describe('formRegion', () => {
  it('takes branch targets, fall-throughs, call targets and the return point after each call', () => {
    const p = page(FIB);
    const starts = formRegion(p.words, p.at('fib'), 0).map((b) => b.start);
    expect(starts[0]).toBe(p.at('fib'));
    expect(new Set(starts)).toEqual(new Set([p.at('fib'), p.at('done'), p.at('fib') + 2, p.at('back')]));
  });

  it('with a record of what ran, takes in only blocks whose first word has run (the entry always)', () => {
    const p = page(FIB);
    const ran = new Set([p.at('fib') + 2]); // the recursive path has run; the base case and the return point not yet
    const starts = formRegion(p.words, p.at('fib'), 0, MAX_REGION_INSNS, (o) => ran.has(o)).map((b) => b.start);
    expect(starts).toEqual([p.at('fib'), p.at('fib') + 2]);
    expect(formRegion(p.words, p.at('done'), 0, MAX_REGION_INSNS, () => false).map((b) => b.start)).toEqual([p.at('done')]);
  });

  it('stops a block before a word it cannot compile, and leaves that word out of the region', () => {
    const p = page([['addi', 'a0', 'a0', 1], ['out', 'a0', { offset: 0x10, base: 'zero' }], ['addi', 'a0', 'a0', 1]]);
    const blocks = formRegion(p.words, 0, 0);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.insns.map((d) => d.def.mnemonic)).toEqual(['addi']);
    expect(blocks[0]!.endsInJump).toBe(false);
  });

  it('compiles privileged instructions only at ring 0, and nothing at an uncompilable entry', () => {
    const p = page([['mfcr', 'a0', 'status'], ['rdflags', 'a1'], ['halt', 'a0']]);
    expect(formRegion(p.words, 1, 0).map((b) => b.insns.length)).toEqual([1]);
    expect(formRegion(p.words, 2, 0)).toEqual([]);
    expect(compileRegion(p.words, 0, 2, 0, 1 << 20)).toEqual({ len: 0, blocks: 0, source: '' });
  });

  it('ignores targets outside the page and keeps to MAX_REGION_INSNS', () => {
    const p = page([['beq', 'a0', 'zero', -0x100], ['jal', 'zero', 0x2000]]);
    expect(formRegion(p.words, 0, 0).map((b) => b.start)).toEqual([0, 1]);
    const big = new Int32Array(PAGE_WORDS).fill(assemble([['addi', 'a0', 'a0', 1]], 0).words[0]!);
    expect(formRegion(big, 0, 0).reduce((s, b) => s + b.insns.length, 0)).toBe(MAX_REGION_INSNS);
  });
});

describe('compileRegion', () => {
  it('every region of a program compiles to a function, with and without paging, at ring 0 and 3', () => {
    const p = page([...FIB, 'loop:', ['addi', 'a1', 'a1', -1], ['bne', 'a1', 'zero', '@loop'], ['rdflags', 'a2'], ['halt', 'a0']]);
    for (let entry = 0; entry < 20; entry++) {
      for (const mode of [0, 1, 6, 7]) {
        const r = compileRegion(p.words, 0, entry, mode, 1 << 20);
        if (r.len === 0) continue;
        expect(() => new Function('H', r.source), `entry ${entry} mode ${mode}`).not.toThrow();
      }
    }
  });

  it('a block that branches to itself becomes a JavaScript loop; small regions check all their words on entry', () => {
    const p = page(['loop:', ['addi', 'a1', 'a1', -1], ['bne', 'a1', 'zero', '@loop'], ['halt', 'a0']]);
    const r = compileRegion(p.words, 0x400, 0, 0, 1 << 20);
    expect(r).toMatchObject({ len: 2, blocks: 1 });
    expect(r.source).toMatch(/for \(;;\)/);
    expect(r.source).toMatch(/M32\[1024\] !== .* \|\| M32\[1025\] !== /);
  });

  it('a jump to a small block that does not loop copies it in place; a large region verifies block by block', () => {
    const p = page(FIB);
    const r = compileRegion(p.words, 0, p.at('fib'), 1, 1 << 20);
    expect(r.source).toMatch(/block \d+, copied/);
    const big = page([['jal', 'ra', '@f'], ...Array.from({ length: 80 }, () => ['addi', 'a0', 'a0', 1] as Row), 'f:', ['jalr', 'zero', 'ra', 0]]);
    const lazy = compileRegion(big.words, 0, 0, 1, 1 << 20);
    expect(lazy.source).toMatch(/if \(v0 === 0\)/);
    expect(lazy.source).not.toMatch(/E\.S\[2\] = 1; return 0;/);
  });

  it('a region whose code would be too large for V8 to optimize takes in less: less copying, then fewer instructions', () => {
    // Loads and forward branches only: every block is small and copyable, every instruction is a large one.
    const rows: Row[] = [];
    for (let i = 0; i < 500; i++) rows.push(i % 4 === 3 ? ['beq', 'a0', 'zero', 8] : ['lw', 'a1', { offset: 4 * i, base: 'sp' }]);
    const p = page(rows);
    const r = compileRegion(p.words, 0, 0, 1, 1 << 20);
    expect(r.source.length).toBeLessThanOrEqual(MAX_SOURCE);
    expect(r.len).toBeGreaterThan(0);
    expect(r.len).toBeLessThan(MAX_REGION_INSNS);
  });
});
