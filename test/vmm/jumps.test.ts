// The machine's `jumps` counter (jal and jalr retired, the rows the ISA table
// marks `jump`): a bench-style guest whose loop makes a known number of
// calls, returns and jumps, and one jalr whose target is misaligned (it
// faults, does not retire, and is not counted), gives exactly that count on
// both engines in every mode. Under bt the guest's jumps are translated
// (a call into a constant load and a chained jal, a return into an indirect
// exit, branches into exits chained with branches), and still counted once each.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { createInterpreter } from '../../src/engine/interp/index.js';
import { createJit } from '../../src/engine/jit/index.js';
import { INSTRUCTIONS } from '../../src/isa/index.js';
import { createVm, type VmOptions } from '../../src/vmm/index.js';
import { GUESTS } from './helpers.js';

const N = 100; // above the JIT's threshold: the loop runs compiled
const JUMPS_PER_ITERATION = 5; // call, ret, indirect call, ret, j; not the faulting jalr

const SOURCE = `
        .equ BENCH_TRAPS_PER_ITERATION, 1
        .equ EXC_MISALIGNED, 4
        .include "lib/bench.inc"

        .text
bench_main:
        beqz    s0, 2f
1:      call    leaf                    ; jal ra
        la      s1, leaf2
        jalr    ra, s1, 0               ; an indirect call
        j       3f                      ; jal zero
        nop
3:      la      s1, leaf
        jalr    zero, s1, 2             ; misaligned target: faults; the handler skips it
        addi    s0, s0, -1
        bnez    s0, 1b
2:      j       bench_done

leaf:   ret
leaf2:  ret

bench_trap:
        BENCH_EXPECT_CAUSE EXC_MISALIGNED
        BENCH_COUNT
        BENCH_SKIP_INSN
        PRIV_RETURN

        .data
bench_name:     .asciz "jumps"

        .include "lib/kernel.inc"
`;

function image(defines: Record<string, number>): Image {
  const r = assemble(SOURCE, { file: join(GUESTS, 'bench', 'jumps-inline.s'), defines });
  if (!r.image) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; '));
  return r.image;
}

const MODES: Record<string, Partial<VmOptions> & { pv?: true }> = {
  native: { mode: 'native' },
  trap: { mode: 'trap' },
  bt: { mode: 'bt' },
  pv: { mode: 'pv', pv: true },
  hw: { mode: 'hw' },
  'hw-noept': { mode: 'hw', hw: { ept: false } },
};

/**
 * The machine's counters after a whole run (the guest halts 0 having checked its trap count);
 * with `budget`, run in slices of that many steps (under bt a slice may end inside a
 * translated call, which the monitor then finishes: that jump is counted too).
 */
function run(modeName: string, jit: boolean, iterations: number, budget?: number) {
  const { pv, ...opts } = MODES[modeName]!;
  // The baseline (0 iterations) prints the same line, as the per-iteration figures' baseline does.
  const defines = { BENCH_ITERATIONS: iterations, ...(iterations === N ? {} : { BENCH_BASELINE: N }), ...(pv ? { PV: 1 } : {}) };
  const vm = createVm({ ...opts, image: image(defines), engine: jit ? createJit : createInterpreter });
  let { stop } = vm.run(budget ?? 5_000_000);
  for (let i = 0; budget !== undefined && stop.kind === 'budget' && i < 1_000_000; i++) stop = vm.run(budget).stop;
  expect({ stop: stop.kind, code: stop.kind === 'halted' ? stop.code : undefined, console: vm.consoleText() })
    .toEqual({ stop: 'halted', code: 0, console: `bench jumps: ${N} iterations\n` });
  return { ...vm.machine.counters };
}

describe('jumps: jal and jalr retired, the same on both engines in every mode', () => {
  test('the ISA table marks exactly jal and jalr as jumps', () => {
    expect(INSTRUCTIONS.filter((d) => d.jump).map((d) => d.mnemonic)).toEqual(['jal', 'jalr']);
  });

  const native = { interp: run('native', false, N), base: run('native', false, 0) };

  test.each(Object.keys(MODES).flatMap((m) => [[m, 'interp'], [m, 'jit']] as const))('%s, %s', (mode, engine) => {
    // run() sees the guest halt 0: its handler took exactly N misaligned faults (bench_done checks the count).
    const full = run(mode, engine === 'jit', N);
    const base = run(mode, engine === 'jit', 0);
    expect(full.jumps - base.jumps, 'jumps per run of the loop').toBe(JUMPS_PER_ITERATION * N);
    // The same image (pv's is assembled with -D PV, whose kernel layer differs) makes the same jumps in all.
    if (mode !== 'pv') expect({ full: full.jumps, base: base.jumps }).toEqual({ full: native.interp.jumps, base: native.base.jumps });
  });

  test.each([1, 2, 3, 7])('bt run %i steps at a time: the same jumps', (budget) => {
    expect(run('bt', false, N, budget).jumps).toBe(native.interp.jumps);
    expect(run('bt', true, N, budget).jumps).toBe(native.interp.jumps);
  });
});
