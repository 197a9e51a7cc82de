// Every assembler source under guests/, for tests that check all of them.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const GUESTS_DIR = new URL('../../guests/', import.meta.url).pathname;

/** Absolute paths of every `.s` file under `dir` (default guests/), depth first. */
export function guestSources(dir = GUESTS_DIR): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? guestSources(p) : p.endsWith('.s') ? [p] : [];
  });
}
