// Compiled regions are reused for the same code at the same place (a reset and
// reload, another machine), and never for code that differs in a word they cover.
import { expect, it } from 'vitest';
import { regionFor } from '../../../src/engine/jit/region-cache.js';
import { assemble } from '../../machine/helpers.js';

function page(rows: Parameters<typeof assemble>[0]): Int32Array {
  const p = new Int32Array(1024);
  p.set(assemble(rows, 0).words);
  return p;
}

const LOOP = [['addi', 'a0', 'a0', 1], ['bne', 'a0', 'a1', -4], ['halt', 'a0']] as const;

it('the same covered words at the same place reuse the function; a changed covered word compiles anew', () => {
  const a = page(LOOP as never);
  const first = regionFor(a, 0x800, 0, 0, 1 << 20);
  const again = regionFor(a.slice(), 0x800, 0, 0, 1 << 20);
  expect(again.reused).toBe(true);
  expect(again.region.fn).toBe(first.region.fn);
  // A word outside the region (after the uncompilable halt) does not matter.
  const b = a.slice();
  b[100] = 12345;
  expect(regionFor(b, 0x800, 0, 0, 1 << 20).reused).toBe(true);
  // One inside it does; so do another place, mode or RAM size.
  const c = a.slice();
  c[0] = assemble([['addi', 'a0', 'a0', 2]], 0).words[0]!;
  expect(regionFor(c, 0x800, 0, 0, 1 << 20).region.fn).not.toBe(first.region.fn);
  expect(regionFor(a, 0xc00, 0, 0, 1 << 20).region.fn).not.toBe(first.region.fn);
  expect(regionFor(a, 0x800, 0, 1, 1 << 20).region.fn).not.toBe(first.region.fn);
  expect(regionFor(a, 0x800, 0, 0, 2 << 20).region.fn).not.toBe(first.region.fn);
});

it('the region last made at a place is reused while its words are unchanged, whatever has run since', () => {
  const rows = [['addi', 'a0', 'a0', 1], ['beq', 'a0', 'a1', 8], ['addi', 'a2', 'a2', 1], ['halt', 'a0']] as const;
  const a = page(rows as never);
  const narrow = regionFor(a, 0x1400, 0, 0, 1 << 20, () => false); // only the entry block had run
  expect(narrow.reused).toBe(false);
  expect(narrow.region.blocks).toBe(1);
  const again = regionFor(a.slice(), 0x1400, 0, 0, 1 << 20, () => true);
  expect(again.reused).toBe(true);
  expect(again.region.fn).toBe(narrow.region.fn);
  // A changed covered word is never reused: the region is formed anew, now with what has run.
  const b = a.slice();
  b[0] = assemble([['addi', 'a0', 'a0', 2]], 0).words[0]!;
  const fresh = regionFor(b, 0x1400, 0, 0, 1 << 20, () => true);
  expect(fresh.reused).toBe(false);
  expect(fresh.region.blocks).toBeGreaterThan(1);
});

it('a place where nothing was compilable is compiled once code is put there', () => {
  const empty = new Int32Array(1024); // word 0 decodes to nothing the JIT takes in
  const none = regionFor(empty, 0x2c00, 0, 0, 1 << 20);
  expect(none.region.fn).toBeNull();
  const code = page(LOOP as never);
  const later = regionFor(code, 0x2c00, 0, 0, 1 << 20);
  expect(later.reused).toBe(false);
  expect(later.region.fn).not.toBeNull();
});
