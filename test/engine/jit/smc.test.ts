// Self-modifying code inside one compiled loop: a store that rewrites a later
// instruction of the same block must take effect at once, as in interp.
import { expect, it } from 'vitest';
import { createJit } from '../../../src/engine/jit/index.js';
import { encode, lookupMnemonic } from '../../../src/isa/index.js';
import { boot, li } from '../../machine/helpers.js';

it('a store into a later instruction of the running loop is seen on the next pass', () => {
  const old = encode(lookupMnemonic('addi')!, [5, 5, 1]); // addi a1, a1, 1
  // The target's address is fixed by the layout below: 0x1000 + 4 * (li: 2 words) + ... computed from labels.
  const program = (target: number) => [
    ...li('t3', old), ['addi', 's1', 'zero', 100],
    'loop:', ['slti', 't2', 's1', 50], ['add', 't1', 't3', 't2'], ['sw', 't1', { offset: target, base: 'zero' }],
    'target:', ['addi', 'a1', 'a1', 1], ['addi', 's1', 's1', -1], ['bne', 's1', 'zero', '@loop'], ['halt', 'a1'],
  ] as const;
  const first = boot(program(0) as never);
  const target = first.labels.get('target')!;
  const ref = boot(program(target) as never);
  const r1 = ref.eng.run(10_000);
  const { m } = boot(program(target) as never);
  const jit = createJit(m);
  const r2 = jit.run(10_000);
  expect(r1.stop).toEqual({ kind: 'halted', code: 51 + 2 * 49, pc: expect.any(Number) });
  expect(r2).toEqual(r1);
  expect(m.counters).toEqual(ref.m.counters);
  expect(jit.stats.compiled).toBeGreaterThan(0);
});
