// Virtual time follows the bare machine's rule in every mode: a timer deadline
// that passes while line 0 is still raised changes nothing (ticks are not
// queued). A handler slower than the timer period acknowledges a line whose
// missed deadlines are spent, so after its return the guest's main loop runs
// until the next real deadline, natively and under every monitor.
// hw runs the guest 1:1, so its ticks equal native's exactly; bt and pv retire
// extra instructions (callout stubs, hypercall helpers), which moves the
// deadlines relative to the guest's code: they must finish, with the number of
// ticks that their own instruction count implies.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import type { ModeName } from '../../src/vmm/modes/mode.js';
import { runVm, VMM_GUESTS } from './helpers.js';

function slowTimer(defines: Record<string, number>): Image {
  const r = assembleFile(join(VMM_GUESTS, 'slow-timer.s'), { defines });
  if (!r.image) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.image;
}

// Handlers of ~3, ~1.5 and ~1.1 timer periods; each leaves the main loop tens of instructions
// before the next deadline, so the extra instructions of bt and pv do not change which loop runs.
const SHAPES = [
  { name: 'handler 3x the period', defs: { PERIOD: 200, SPIN: 190 } },
  { name: 'handler 1.5x the period', defs: { PERIOD: 200, SPIN: 100 } },
  { name: 'handler just over the period', defs: { PERIOD: 300, SPIN: 105 } },
];
const VARIANTS: { name: string; defs: Record<string, number> }[] = [
  { name: 'plain loop', defs: {} }, { name: 'critical sections', defs: { CRIT: 1 } },
  { name: 'flags saved and restored', defs: { FLAGS: 1 } },
];

const CASES = SHAPES.flatMap((s) => VARIANTS.map((v) => ({ name: `${s.name}, ${v.name}`, defs: { ...s.defs, ...v.defs, LOOPS: 1000 } })));

/** The tick count the guest printed (hex) before halting. */
function ticks(console: string): number {
  return Number.parseInt(console.trim(), 16);
}

describe.each(CASES)('slow timer handler: $name', ({ defs }) => {
  const image = slowTimer(defs);
  const native = runVm(image, 'native', 10_000_000);
  const nativeTicks = ticks(native.out.console);

  test('natively the main loop advances between ticks and the guest halts', () => {
    expect(native.out.stop).toMatch(/^halted/);
    expect(nativeTicks).toBeGreaterThan(5);
    // Ticks were dropped: far fewer interrupts than deadlines passed.
    const deadlines = native.vm.machine.counters.instructions / defs.PERIOD;
    expect(nativeTicks).toBeLessThan(deadlines / 1.05);
  });

  // trap only where the guest avoids the flags instructions: their restore loses IE there by design (Popek-Goldberg).
  const exact: [ModeName, { ept: boolean } | undefined][] = [['hw', { ept: true }], ['hw', { ept: false }]];
  if (!('FLAGS' in defs)) exact.push(['trap', undefined]);
  test.each(exact)('%s %o: the same ticks at the same instructions as natively', (mode, hw) => {
    const v = runVm(image, mode, 10_000_000, hw ? { hw } : {});
    expect(v.out).toEqual(native.out);
    expect(v.vm.machine.counters.instructions).toBe(native.vm.machine.counters.instructions);
    const c = v.vm.monitor!.counters;
    expect(c.injected).toBe(nativeTicks);
  });

  test.each(['bt', 'pv'] as ModeName[])('%s: finishes, one injection per tick the guest counted', (mode) => {
    const img = mode === 'pv' ? slowTimer({ ...defs, PV: 1 }) : image;
    const v = runVm(img, mode, 10_000_000);
    expect(v.out.stop).toBe(native.out.stop);
    const n = ticks(v.out.console);
    expect(v.vm.monitor!.counters.injected).toBe(n);
    // The same rule as natively: the ticks are what the guest's own instruction count allows,
    // at most one per passage through the handler and the loop's stretch after it.
    const cycle = native.vm.machine.counters.instructions / nativeTicks;
    expect(n).toBeLessThanOrEqual(Math.ceil(v.vm.machine.counters.instructions / cycle * 1.2));
    expect(n).toBeGreaterThanOrEqual(nativeTicks);
  });
});
