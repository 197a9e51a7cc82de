// Reproducers the fuzzer wrote (test/fuzz/repro/*.s), replayed: each names the
// comparison that diverged in its first line (docs/fuzzing.md). A fixed one
// must agree now (a regression test); one whose bug is still open is listed in
// OPEN with the bug and expected to fail until the fix lands (then move it out
// of OPEN, and its entry out of src/fuzz/known.ts).

import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { classifyKnown } from '../../src/fuzz/known.js';
import { replayFile } from '../../src/fuzz/programs.js';

const DIR = new URL('./repro/', import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.s')).sort();

/** Reproducers of open bugs: file -> the bug (as src/fuzz/known.ts names it). */
const OPEN: Record<string, string> = {};

describe('fuzz reproducers replay without divergence', () => {
  test('there are reproducers to replay', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });
  for (const f of FILES) {
    const replay = () => {
      const { spec, divergences } = replayFile(DIR + f);
      expect(spec.check).toMatch(/^(native|interp-jit)/);
      expect(divergences).toEqual([]);
    };
    if (OPEN[f]) test.fails(`${f} (open bug: ${OPEN[f]})`, replay);
    else test(f, replay);
  }

  test('every open reproducer still shows its bug, as the known list names it', () => {
    for (const [f, bug] of Object.entries(OPEN)) {
      const { divergences } = replayFile(DIR + f);
      expect(divergences.length, f).toBeGreaterThan(0);
      expect(divergences.map(classifyKnown), f).toEqual(divergences.map(() => bug));
    }
  });
});
