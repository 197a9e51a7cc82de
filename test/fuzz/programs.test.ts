// Random programs in the suite: a bounded number of seeds per profile, each
// compared interp against jit (bit-identical under random step budgets) and
// native against every monitor mode its profile allows. `npm run fuzz` runs
// the same comparisons on as many programs as asked (docs/fuzzing.md).

import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { checkInMemory } from '../../src/fuzz/programs.js';
import { generateProgram, PROFILES, type Node, type Profile } from '../../src/fuzz/program.js';
import { renderProgram } from '../../src/fuzz/render.js';
import { buildImages, checksFor, guestsLib, runCheck, runSpec } from '../../src/fuzz/run-program.js';
import { sourceOf, suiteSeeds } from './helpers.js';

const PER_PROFILE = 6;

describe('random programs agree across engines and modes', () => {
  for (const profile of PROFILES) {
    test(`${profile} profile: ${PER_PROFILE} programs, ${checksFor(profile, 0).length} comparisons each`, () => {
      for (const seed of suiteSeeds(PER_PROFILE, PROFILES.indexOf(profile) * 100)) {
        const p = generateProgram(seed, { profile, size: 50 });
        expect(checkInMemory(p), `seed ${seed}:\n${sourceOf(p)}`).toEqual([]);
      }
    });
  }
});

describe('the comparisons', () => {
  test('a run that throws is a finding of its comparison, not the end of the campaign', () => {
    const p = generateProgram(suiteSeeds(1)[0]!, { profile: 'full', size: 10 });
    const { native } = buildImages(renderProgram(p, { lib: '' }), join(guestsLib(), 'fuzz-case.s'), false);
    // The native build given as the PV build: createVm refuses it with an exception.
    const d = runCheck({ native, pv: native }, 'native-pv', p.seed);
    expect(d?.check).toBe('native-pv');
    expect(d?.detail).toMatch(/^threw \w+: not a paravirtualized build/);
  });

  test('a comparison that cannot be made is the caller\'s error', () => {
    const p = generateProgram(suiteSeeds(1)[0]!, { profile: 'full', size: 10 });
    const { native } = buildImages(renderProgram(p, { lib: '' }), join(guestsLib(), 'fuzz-case.s'), false);
    expect(() => runCheck({ native }, 'native-pv', p.seed)).toThrow(/needs the -D PV build/);
    expect(() => runCheck({ native }, 'native-nosuch', p.seed)).toThrow(/unknown comparison/);
  });
});

describe('the generator', () => {
  test('is deterministic: a seed gives the same source, other seeds other sources', () => {
    const [a, b] = suiteSeeds(2);
    expect(sourceOf(generateProgram(a!))).toBe(sourceOf(generateProgram(a!)));
    expect(sourceOf(generateProgram(a!))).not.toBe(sourceOf(generateProgram(b!)));
  });

  test('the monitor mode compared interp against jit varies with the seed, in every profile', () => {
    for (const profile of PROFILES) {
      const modes = new Set(suiteSeeds(30).map((s) => checksFor(profile, s)[2]));
      expect(modes.size, profile).toBeGreaterThan(2);
    }
  });

  test('the pv profile uses no raw privileged or sensitive instruction; the trap profile no sensitive one', () => {
    // The generated part only: the kernel around it picks its own instructions with .ifdef PV.
    const lines = (ns: Node[]): string[] => ns.flatMap((n) => (n.k === 'op' ? n.lines : n.k === 'call' ? [] : [n.k === 'if' ? n.cond : '', ...lines(n.body)]));
    const words = (profile: Profile) => suiteSeeds(20).flatMap((s) => { const p = generateProgram(s, { profile }); return [...lines(p.body), ...p.fns.flatMap(lines)]; }).join('\n');
    const privileged = /^(mfcr|mtcr|wfi|hcall|cli|sti|in|out|halt|rett)\s/m, sensitive = /^(rdflags|wrflags|rdtvec|rdptbr)\s/m;
    expect(words('pv')).not.toMatch(privileged);
    expect(words('pv')).not.toMatch(sensitive);
    expect(words('pv')).toMatch(/^PRIV_READ_FLAGS\s/m);
    expect(words('trap')).not.toMatch(sensitive);
    expect(words('trap')).toMatch(privileged);
    expect(words('full')).toMatch(sensitive);
  });

  test('its programs reach what they are meant to: every exception kind, timer ticks, outside-RAM accesses, paging, compiled code', () => {
    const total: Record<string, number> = {};
    let compiled = 0;
    let user = 0;
    for (const seed of suiteSeeds(12, 500)) {
      const p = generateProgram(seed, { size: 50 });
      if (p.user) user++;
      const built = buildImages(renderProgram(p, { lib: '' }), join(guestsLib(), 'fuzz-case.s'), false);
      const run = runSpec(built.native, { mode: 'native', jit: true });
      expect(run.obs.stop, `seed ${seed}`).toMatch(/^halted/);
      for (const [k, v] of Object.entries(run.counters.machine)) total[k] = (total[k] ?? 0) + v;
      compiled += run.compiled;
    }
    for (const k of ['excDivideByZero', 'excMisaligned', 'excUndefined', 'excBreakpoint', 'excSyscall', 'excProtection', 'excPageFault',
      'interrupts', 'mmioUnmapped', 'mmioReads', 'ioReads', 'tlbMisses', 'tlbInvalidations']) {
      expect(total[k], k).toBeGreaterThan(0);
    }
    expect(compiled).toBeGreaterThan(0);
    expect(user).toBeGreaterThan(0);
  });
});
