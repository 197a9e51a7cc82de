// The path from a divergence to a reproducer, on a divergence that is there by
// design: under trap-and-emulate the sensitive instructions (rdflags, wrflags,
// rdtvec, rdptbr) see the real machine (docs/virtualization.md, "Why
// trap-and-emulate fails here"). Programs of the full profile contain them;
// compared against trap they must diverge, shrink to a few lines that still
// hold one, and replay from the written file.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkInMemory, parseReplayHeader, replayFile, writeReproducer } from '../../src/fuzz/programs.js';
import { generateProgram, type Node } from '../../src/fuzz/program.js';
import { shrinkProgram } from '../../src/fuzz/shrink.js';
import { suiteSeeds } from './helpers.js';

const count = (ns: Node[]): number => ns.reduce((s, n) => s + 1 + (n.k === 'loop' || n.k === 'if' ? count(n.body) : 0), 0);

/** The first small full-profile program of the suite's seeds that trap mode tells apart from native, and its shrunk form. */
function trapDivergent() {
  for (const seed of suiteSeeds(40, 900)) {
    const p = generateProgram(seed, { profile: 'full', size: 10 });
    if (p.paging) continue; // keep the shrink short: the divergence needs no paging
    const d = checkInMemory(p, ['native-trap']);
    if (d.length > 0) return { p, d: d[0]!, shrunk: shrinkProgram(p, (q) => checkInMemory(q, ['native-trap']).length > 0).program };
  }
  throw new Error('no full-profile program diverged under trap');
}
let found: ReturnType<typeof trapDivergent> | undefined;
const divergent = () => (found ??= trapDivergent());

describe('shrinking and replaying a divergence', () => {
  test('the divergence shrinks to a 1-minimal program that holds a sensitive instruction', () => {
    const { p, d, shrunk: program } = divergent();
    expect(d.check).toBe('native-trap');
    expect(count(program.body) + program.fns.reduce((s, f) => s + count(f), 0)).toBeLessThan(count(p.body));
    expect(JSON.stringify(program.body)).toMatch(/rdflags|wrflags|rdtvec|rdptbr|PRIV_(READ|WRITE)_FLAGS/);
    // 1-minimal: it still diverges, and without any one of its top-level nodes it does not.
    expect(checkInMemory(program, ['native-trap'])).toHaveLength(1);
    program.body.forEach((_, i) => {
      expect(checkInMemory({ ...program, body: program.body.filter((_n, k) => k !== i) }, ['native-trap']), `without node ${i}`).toEqual([]);
    });
  });

  test('the reproducer file names its comparison and replays it', () => {
    const { p, d, shrunk } = divergent();
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-fuzz-test-'));
    try {
      const rep = writeReproducer(shrunk, d, dir); // already 1-minimal: the shrink only confirms it
      const source = readFileSync(rep.file, 'utf8');
      expect(parseReplayHeader(source)).toEqual({ check: 'native-trap', seed: p.seed, profile: 'full' });
      expect(rep.command).toBe(`npm run fuzz -- --replay ${rep.file}`);
      const replay = replayFile(rep.file);
      expect(replay.divergences.map((x) => x.check)).toEqual(['native-trap']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreadable file is refused with one line', () => {
    expect(() => replayFile('/nonexistent/x.s')).toThrow(/^cannot read '\/nonexistent\/x\.s': ENOENT$/);
  });

  test('a file without the replay header is refused with one line', () => {
    expect(() => replayFile(new URL('../../guests/hello.s', import.meta.url).pathname)).toThrow(/^.*hello\.s: no '; virtlab-fuzz: check=\.\.\. seed=\.\.\. profile=\.\.\.' first line$/);
  });
});
