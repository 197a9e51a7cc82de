// Divergences already reported and being fixed: a campaign still writes their
// reproducers but counts them apart, so that it fails only on new ones. Add
// an entry (a name and a matcher) when a divergence is reported, with its
// reproducer in test/fuzz/repro/ listed as open in test/fuzz/repro.test.ts;
// remove both when the fix lands. (The two hw divergences found first, an
// extra timer tick and cause 0x1 for a fetch whose guest walk left guest RAM,
// were fixed in 9e85cc7, and a wfi retiring exactly at a timer deadline, which
// made the monitor throw, in the commit after d5b4345; their reproducers are
// regression tests. None is open now.)

import type { Divergence } from './run-program.js';

export interface KnownBug { name: string; matches: (d: Divergence) => boolean }

export const KNOWN_BUGS: readonly KnownBug[] = [];

export function classifyKnown(d: Divergence): string | undefined {
  return KNOWN_BUGS.find((k) => k.matches(d))?.name;
}
