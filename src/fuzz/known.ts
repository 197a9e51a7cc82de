// Divergences already reported and being fixed: a campaign still writes their
// reproducers but counts them apart, so that it fails only on new ones.
// Remove an entry when its fix lands (test/fuzz/known.test.ts then fails).

import type { Divergence } from './run-program.js';

export interface KnownBug { name: string; matches: (d: Divergence) => boolean }

export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    // A timer handler slower than the period: the bare machine drops the ticks that pass
    // while the line is still raised; under hw the monitor delivered extra ones.
    name: 'hw: spurious timer ticks when the handler is slower than the period',
    matches: (d) => /^native-hw(-noept)?$/.test(d.check) && /^(ticks|instructions):/.test(d.detail),
  },
];

export function classifyKnown(d: Divergence): string | undefined {
  return KNOWN_BUGS.find((k) => k.matches(d))?.name;
}
