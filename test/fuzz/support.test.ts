// The fuzzers' inputs as test/support/random-code.ts hands them to other tests.

import { describe, expect, test } from 'vitest';
import { createVm } from '../../src/vmm/index.js';
import { randomAsmSource, randomDebugScript, randomProgramImage } from '../support/random-code.js';

describe('random-code support for other tests', () => {
  test('a random program image halts natively and, as its PV build, under pv with the same output', () => {
    const native = createVm({ image: randomProgramImage(7, { profile: 'pv' }), guestMemory: 1 << 20 });
    const pv = createVm({ image: randomProgramImage(7, { pv: true }), mode: 'pv', guestMemory: 1 << 20 });
    expect(native.run(3_000_000).stop.kind).toBe('halted');
    expect(pv.run(3_000_000).stop.kind).toBe('halted');
    expect(pv.consoleText()).toBe(native.consoleText());
    expect(native.consoleText()).toMatch(/^[^]*(0x[0-9a-f]{8} ){11}\n$/);
  });

  test('sources and scripts are deterministic per seed', () => {
    expect(randomAsmSource(3)).toBe(randomAsmSource(3));
    expect(randomAsmSource(3, 100)).not.toBe(randomAsmSource(3));
    expect(randomDebugScript(3)).toBe(randomDebugScript(3));
    expect(randomDebugScript(3)).not.toBe(randomDebugScript(4));
  });
});
