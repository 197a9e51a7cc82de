// tinyos -D WORKLOAD=n (the macro suite): the same output and halt code in every
// mode the suite runs, and nothing of it in the default build.
import { describe, expect, it } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { createVm } from '../../src/vmm/index.js';
import { guestPath } from '../../bench/paths.js';
import { MACRO } from '../../bench/guest-workloads.js';

const source = guestPath('tinyos', 'tinyos.s');

function run(defines: Record<string, number>, mode: 'native' | 'bt' | 'pv' | 'hw', ept = true) {
  const r = assembleFile(source, { defines: mode === 'pv' ? { ...defines, PV: 1 } : defines });
  if (!r.image) throw new Error('tinyos does not assemble');
  const vm = createVm({ image: r.image, mode, console: {}, hw: { ept, vpid: true } });
  const { stop } = vm.run(50_000_000);
  return { stop, out: vm.consoleText() };
}

describe('tinyos workloads', () => {
  for (const w of MACRO) {
    it(`${w.name}: prints the same checksum lines natively and under bt, pv, hw and hw --no-ept`, () => {
      const defines = { ...w.defines, BENCH_ITERATIONS: 4 };
      const native = run(defines, 'native');
      expect(native.stop).toMatchObject({ kind: 'halted', code: 0 });
      for (const pid of [1, 2, 3]) expect(native.out).toMatch(new RegExp(`^W${pid}: done, checksum 0x[0-9a-f]{8}$`, 'm'));
      expect(native.out).toContain('tinyos: all processes exited, halting');
      for (const [mode, ept] of [['bt', true], ['pv', true], ['hw', true], ['hw', false]] as const) {
        const r = run(defines, mode, ept);
        expect(r.stop, `${mode}${ept ? '' : ' --no-ept'}`).toMatchObject({ kind: 'halted', code: 0 }); // the pv build halts at another pc
        expect(r.out, `${mode}${ept ? '' : ' --no-ept'}`).toBe(native.out);
      }
    });
  }

  it('the checksum depends on the iterations (the loop ran)', () => {
    const a = run({ WORKLOAD: 2, BENCH_ITERATIONS: 3 }, 'native').out;
    const b = run({ WORKLOAD: 2, BENCH_ITERATIONS: 5 }, 'native').out;
    // getpid summed: pid * (N + 1)
    expect(a).toContain('W2: done, checksum 0x00000008');
    expect(b).toContain('W2: done, checksum 0x0000000c');
  });

  it('a bad WORKLOAD is an assembly error', () => {
    const r = assembleFile(source, { defines: { WORKLOAD: 9 } });
    expect(r.image).toBeUndefined();
    expect(r.diagnostics.map((d) => d.message).join('\n')).toMatch(/WORKLOAD must be 1/);
  });

  it('the default build has none of it', () => {
    for (const defines of [{}, { PV: 1 }] as Record<string, number>[]) {
      const r = assembleFile(source, { defines });
      expect(r.image!.symbols.filter((s) => /^(wl_|WL_|BENCH_|SYS_NEWSPACE)/.test(s.name))).toEqual([]);
    }
  });
});
