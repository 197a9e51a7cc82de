// Shared by the fuzz tests: the suite's seeds, and a program's source for failure messages.

import { renderProgram } from '../../src/fuzz/render.js';
import type { Program } from '../../src/fuzz/program.js';
import { caseSeed } from '../../src/fuzz/rng.js';

/** The suite runs the same cases every time: campaign seed 2026 (`npm run fuzz -- --seed 2026` starts with them). */
export const SUITE_SEED = 2026;

export function suiteSeeds(n: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => caseSeed(SUITE_SEED, offset + i));
}

export function sourceOf(p: Program): string {
  return renderProgram(p, { lib: '../../guests/lib/' });
}
