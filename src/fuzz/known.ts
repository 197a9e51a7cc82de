// Divergences already reported and being fixed: a campaign still writes their
// reproducers but counts them apart, so that it fails only on new ones. Add
// an entry (a name and a matcher) when a divergence is reported, with its
// reproducer under test/fuzz/repro/ marked test.fails; remove both marks when
// the fix lands. Empty now: the two hw divergences the fuzzer found (an extra
// timer tick; cause 0x1 for a fetch whose guest walk left guest RAM) were
// fixed in 9e85cc7, and their reproducers are regression tests.

import type { Divergence } from './run-program.js';

export interface KnownBug { name: string; matches: (d: Divergence) => boolean }

export const KNOWN_BUGS: readonly KnownBug[] = [];

export function classifyKnown(d: Divergence): string | undefined {
  return KNOWN_BUGS.find((k) => k.matches(d))?.name;
}
