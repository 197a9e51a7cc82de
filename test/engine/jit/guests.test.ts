// Every guest in every mode on both engines: identical console output, stop and counters.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createInterpreter } from '../../../src/engine/interp/index.js';
import { createJit } from '../../../src/engine/jit/index.js';
import { createVm } from '../../../src/vmm/index.js';
import type { ModeName } from '../../../src/vmm/modes/mode.js';
import { bareMetalGuests, GUESTS, imageOfFile } from '../../vmm/helpers.js';

const MODES: ModeName[] = ['native', 'trap', 'bt', 'hw'];
const guests = bareMetalGuests().filter((g) => !g.startsWith('bench/'));

function outcome(path: string, mode: ModeName, jit: boolean) {
  const vm = createVm({ image: imageOfFile(join(GUESTS, path)), mode, engine: jit ? createJit : createInterpreter });
  const { stop, steps } = vm.run(3_000_000);
  return { stop, steps, console: vm.consoleText(), counters: { ...vm.machine.counters } };
}

describe('every guest, every mode: jit = interp', () => {
  for (const mode of MODES) {
    it(mode, () => {
      for (const g of guests) expect(outcome(g, mode, true), `${g} --mode ${mode}`).toEqual(outcome(g, mode, false));
    });
  }
});
