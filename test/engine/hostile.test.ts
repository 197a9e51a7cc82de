// A guest must never crash or escape the host: run random programs — valid
// encodings from the table with random operands mixed with random words, the
// trap vector pointing into the same chaos, paging on over random tables —
// and check that every run ends in a well-formed stop, deterministically.
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/engine/interp/index.js';
import { CR, STATUS } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { randomWord, rng } from '../support/random-code.js';

function runChaos(seed: number, paging: boolean) {
  const next = rng(seed);
  const m = new Machine({ memorySize: 1 << 20 });
  const words = m.mem.size / 4;
  for (let i = 0; i < 16384; i++) m.mem.write32(((next() % words) * 4) >>> 0, randomWord(next));
  for (let i = 0x1000; i < 0x3000; i += 4) m.mem.write32(i, randomWord(next));
  m.reset(0x1000);
  m.cpu.cr[CR.tvec] = 0x2000;
  if (paging) {
    // A directory and tables of random entries, many pointing outside RAM.
    for (let i = 0x8000; i < 0xa000; i += 4) m.mem.write32(i, next() | 0);
    m.cpu.cr[CR.ptbr] = 0x8000;
    m.cpu.cr[CR.status] = STATUS.PG;
  }
  const engine = createInterpreter(m);
  const result = engine.run(paging ? 50_000 : 200_000);
  return { stop: result.stop, counters: { ...m.counters }, regs: Array.from(m.cpu.regs), pc: m.cpu.pc };
}

describe('hostile guests', () => {
  for (const paging of [false, true]) {
    it(`random programs ${paging ? 'with random page tables ' : ''}end in a well-formed stop, never a host exception`, () => {
      const kinds = new Set<string>();
      for (let seed = 1; seed <= (paging ? 12 : 40); seed++) {
        const r = runChaos(seed, paging);
        expect(['halted', 'trap', 'deadlock', 'budget']).toContain(r.stop.kind);
        kinds.add(r.stop.kind);
        expect(r.counters.steps).toBeGreaterThan(0);
      }
      // Without paging the chaos reaches different endings; with random tables the
      // vector itself is usually unmapped, so faults repeat until the budget.
      if (!paging) expect(kinds.size).toBeGreaterThan(1);
    });
  }

  it('the same chaos runs the same way twice', () => {
    expect(runChaos(7, true)).toEqual(runChaos(7, true));
    expect(runChaos(8, false)).toEqual(runChaos(8, false));
  });
});
