// After a machine reset the JIT starts over: a second run of the same program
// asks for the same regions at the same points (all reused: nothing compiles
// anew), whatever the first run compiled or backed off from.
import { expect, it } from 'vitest';
import { createJit } from '../../../src/engine/jit/index.js';
import { loadImage } from '../../../src/machine/index.js';
import { assemble, boot, textImage } from '../../machine/helpers.js';

it('a run after a reset compiles what the first run did, every region reused', () => {
  const rows = [
    ['addi', 's1', 'zero', 200],
    'outer:', ['addi', 't0', 'zero', 50],
    'inner:', ['addi', 'a0', 'a0', 3], ['addi', 't0', 't0', -1], ['bne', 't0', 'zero', '@inner'],
    ['addi', 's1', 's1', -1], ['bne', 's1', 'zero', '@outer'], ['halt', 'a0'],
  ] as const;
  const { m } = boot(rows as never);
  const jit = createJit(m);
  const first = jit.run(1_000_000);
  const after1 = { ...jit.stats };
  expect(after1.compiled).toBeGreaterThan(0);
  loadImage(m, textImage(assemble(rows as never).words)); // resets the machine
  expect(jit.run(1_000_000)).toEqual(first);
  const compiled = jit.stats.compiled - after1.compiled;
  // Without starting over, the second run would find the first run's regions installed and ask for none.
  expect(compiled).toBe(after1.compiled);
  expect(jit.stats.reused - after1.reused).toBe(compiled);
});
