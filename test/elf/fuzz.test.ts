import { describe, expect, test } from 'vitest';
import { ElfError, readElf, writeElf } from '../../src/elf/index.js';
import { checkImageFits, LoadError } from '../../src/machine/index.js';
import { sampleImage } from './sample-image.js';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * readElf either returns an Image or throws ElfError, and the loader's checks
 * either accept what it returned or throw LoadError; anything else fails the test.
 */
function outcome(bytes: Uint8Array): 'ok' | 'elf-error' | 'load-error' {
  let image;
  try {
    image = readElf(bytes, 'fuzz.elf');
  } catch (e) {
    if (e instanceof ElfError) {
      expect(e.message.startsWith('fuzz.elf: ')).toBe(true);
      expect(e.message).not.toContain('\n');
      return 'elf-error';
    }
    throw e;
  }
  try {
    checkImageFits(image, 16 << 20, 'memory', 'RAM');
    return 'ok';
  } catch (e) {
    if (e instanceof LoadError) {
      expect(e.message).not.toContain('\n');
      return 'load-error';
    }
    throw e;
  }
}

describe('damaged ELF files only ever give ElfError', () => {
  const valid = writeElf(sampleImage());

  test('every truncation', () => {
    const seen = new Set<string>();
    // Every length through the headers and metadata; a stride through the page-aligned padding.
    for (let len = 0; len < valid.length; len += len < 64 || len > 0x2f00 ? 1 : 7) seen.add(outcome(valid.slice(0, len)));
    expect(seen).toContain('elf-error');
  });

  test('random byte flips', () => {
    const next = rng(0x5eed);
    // Bias flips toward the bytes that hold headers and tables; a flip in padding proves nothing.
    const interesting = [...Array(52 + 96).keys(), ...Array.from({ length: valid.length - 0x3000 }, (_, i) => 0x3000 + i)];
    const counts = { ok: 0, 'elf-error': 0, 'load-error': 0 };
    for (let round = 0; round < 3000; round++) {
      const bytes = valid.slice();
      const flips = 1 + Math.floor(next() * 4);
      for (let k = 0; k < flips; k++) {
        const at = interesting[Math.floor(next() * interesting.length)]!;
        bytes[at] = next() < 0.5 ? bytes[at]! ^ (1 << Math.floor(next() * 8)) : Math.floor(next() * 256);
      }
      counts[outcome(bytes)]++;
    }
    expect(counts['elf-error']).toBeGreaterThan(100);
    expect(counts.ok).toBeGreaterThan(100);
  });

  test('random values in the program header fields', () => {
    const next = rng(0xfeed);
    const phoff = new DataView(valid.buffer).getUint32(28, true);
    // Values near the edges the checks are about, and anything at all.
    const edges = [0, 1, 0x1000, 0xfff, 0x2000, 0x100_0000, 0x800_0000, 0xffff_f000, 0xffff_ffff, 0x8000_0000];
    const counts = { ok: 0, 'elf-error': 0, 'load-error': 0 };
    for (let round = 0; round < 3000; round++) {
      const bytes = valid.slice();
      const view = new DataView(bytes.buffer);
      const fields = 1 + Math.floor(next() * 3);
      for (let k = 0; k < fields; k++) {
        const at = phoff + 32 * Math.floor(next() * 3) + 4 * Math.floor(next() * 8);
        const value = next() < 0.5 ? edges[Math.floor(next() * edges.length)]! : Math.floor(next() * 2 ** 32);
        view.setUint32(at, value, true);
      }
      counts[outcome(bytes)]++;
    }
    expect(counts['elf-error']).toBeGreaterThan(100);
    expect(counts['load-error']).toBeGreaterThan(10);
    expect(counts.ok).toBeGreaterThan(10);
  });
});
