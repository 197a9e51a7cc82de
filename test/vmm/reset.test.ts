// The same image and options give the same run: a VM reset after running is
// bit-identical to a fresh one (RAM, including monitor memory, and every piece
// of captured state), so a debugger's restart replays exactly.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createVm } from '../../src/vmm/index.js';
import type { Machine } from '../../src/machine/index.js';
import { guestImage } from './helpers.js';

const ramHash = (m: Machine) => createHash('sha1').update(m.mem.u8).digest('hex');

describe('reset', () => {
  for (const mode of ['native', 'trap', 'bt'] as const) {
    test(`${mode}: after running, reset() gives the state of a fresh VM, and the same run`, () => {
      const image = guestImage('tinyos/tinyos.s');
      const fresh = createVm({ image, mode, console: {} });
      const reused = createVm({ image, mode, console: {} });
      reused.run(30_000); // past paging on and the first shadow tables
      reused.reset();
      expect(ramHash(reused.machine)).toBe(ramHash(fresh.machine));
      expect(reused.machine.captureState()).toEqual(fresh.machine.captureState());
      const a = fresh.run(10_000_000), b = reused.run(10_000_000);
      expect(b.stop).toEqual(a.stop);
      expect(reused.counters()).toEqual(fresh.counters());
      expect(reused.consoleText()).toBe(fresh.consoleText());
    });
  }
});
