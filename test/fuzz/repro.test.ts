// Reproducers the fuzzer wrote (test/fuzz/repro/*.s), replayed: each names the
// comparison that once diverged in its first line (docs/fuzzing.md) and must
// agree now. A reproducer of a divergence still being fixed would be marked
// here with test.fails and the bug's name until its fix lands.

import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { replayFile } from '../../src/fuzz/programs.js';

const DIR = new URL('./repro/', import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.s')).sort();

describe('fuzz reproducers replay without divergence', () => {
  test('there are reproducers to replay', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });
  test.each(FILES)('%s', (f) => {
    const { spec, divergences } = replayFile(DIR + f);
    expect(spec.check).toMatch(/^(native|interp-jit)/);
    expect(divergences).toEqual([]);
  });
});
