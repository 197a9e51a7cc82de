// A guest must never crash or escape the host, under the monitor too: random
// programs whose trap vector points back into the chaos (and, for half the
// seeds, with paging on over random tables) keep the monitor trapping,
// emulating, reflecting and shadowing until the budget ends.
import { describe, expect, test } from 'vitest';
import type { Image } from '../../src/elf/image.js';
import { encode, lookupMnemonic, REG, CR, STATUS } from '../../src/isa/index.js';
import { createVm } from '../../src/vmm/index.js';
import { randomWord, rng } from '../support/random-code.js';

const op = (m: string, ...v: number[]) => encode(lookupMnemonic(m)!, v);

function chaosImage(seed: number): Image {
  const next = rng(seed);
  const data = new Uint8Array(0x4000);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < data.length; i += 4) dv.setInt32(i, randomWord(next), true);
  const prologue = [op('ori', REG.t0, REG.zero, 0x2000 + (seed % 64) * 4), op('mtcr', CR.tvec, REG.t0)];
  if (seed % 2) {
    prologue.push(op('ori', REG.t1, REG.zero, 0x3000), op('mtcr', CR.ptbr, REG.t1),
      op('ori', REG.t1, REG.zero, STATUS.PG), op('mtcr', CR.status, REG.t1));
  }
  prologue.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return { entry: 0x1000, sections: [{ name: '.text', addr: 0x1000, data, size: data.length, flags: { read: true, write: true, exec: true } }], symbols: [], lines: [] };
}

function runChaos(seed: number, mode: 'trap' | 'bt') {
  const vm = createVm({ image: chaosImage(seed), mode, guestMemory: 1 << 20, console: {} });
  const r = vm.run(30_000);
  return { stop: r.stop, counters: vm.counters(), console: vm.consoleText() };
}

describe.each(['trap', 'bt'] as const)('chaos under the monitor (%s)', (mode) => {
  test('random programs end in a well-formed stop, the monitor busy throughout, never a host exception', () => {
    let emulated = 0, reflected = 0, shadowFills = 0, translations = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = runChaos(seed, mode);
      expect(['halted', 'trap', 'deadlock', 'budget']).toContain(r.stop.kind);
      emulated += r.counters.monitor!.emulated;
      reflected += r.counters.monitor!.reflected;
      shadowFills += r.counters.monitor!.shadowFills;
      translations += r.counters.monitor!.translations;
    }
    // The chaos really reaches the monitor's paths, not just the first fault.
    expect(emulated).toBeGreaterThan(100);
    expect(reflected).toBeGreaterThan(100);
    // Under bt the chaos kernel's fetches go through the translation cache, not the shadow.
    expect(shadowFills).toBeGreaterThan(mode === 'bt' ? 0 : 40);
    if (mode === 'bt') expect(translations).toBeGreaterThan(100);
  });

  test('the same chaos runs the same way twice', () => {
    expect(runChaos(11, mode)).toEqual(runChaos(11, mode));
    expect(runChaos(12, mode)).toEqual(runChaos(12, mode));
  });
});
