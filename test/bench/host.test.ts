// The host suite's parts: a cell's counts (exact, not timed) against the same
// VM alone, the world switch's price over the cost model's primitives, the
// suite's rows and table, and its arguments. Nothing here is timed: the
// figures are `virtlab bench --suite host`.

import { describe, expect, test } from 'vitest';
import { HOST_COLUMNS, HOST_VM_COUNTS, measureHostCell, SMALL_GUEST_MEMORY, tinyosSmall, type HostCellMeasurement, type HostCellSpec } from '../../bench/host-cell.js';
import { CONTEXT_WORDS, fixedSwitchPrice } from '../../bench/host-cost.js';
import { runHostSuite } from '../../bench/host-suite.js';
import { formatHostSuite } from '../../bench/suites.js';
import { costPreset, createVm } from '../../src/vmm/index.js';
import { oneErrorLine, runCli } from '../cli/run.js';

const TIMING = { maxTime: 0, minSamples: 1 };
const spec = (mode: string, vms: number): HostCellSpec => ({ kind: 'host', mode, vms, engine: 'interp', costModel: 'p4-2006', timing: TIMING });

function aloneInstructions(mode: 'bt' | 'hw'): number {
  const vm = createVm({ image: tinyosSmall(false), mode, guestMemory: SMALL_GUEST_MEMORY });
  expect(vm.run(50_000_000).stop.kind).toBe('halted');
  return vm.machine.counters.instructions;
}

describe('a host cell', () => {
  test('hw, 2 VMs: every VM as alone, one switch per slice, no flush (VPID), the switch priced as VMPTRLD plus the extra exits', () => {
    const m = measureHostCell(spec('hw', 2));
    expect(m.instructions).toBe(2 * aloneInstructions('hw'));
    // Every slice ends in a preemption, a yield or the VM's halt.
    expect(m.switches).toBe(m.preempted + m.yields + 2);
    expect(m.preempted).toBeGreaterThan(2);
    expect(m.switchFlushes).toBe(0);
    const p = costPreset('p4-2006');
    expect(m.cost.fixedPerSwitch).toBe(p.stateWrite.cycles);
    expect(m.cost.extraWalks).toBe(0);
    expect(m.cost.extraMonitorCycles).toBeGreaterThanOrEqual(m.preempted * p.exit.cycles); // each preemption is one more VM exit
    expect(m.cost.perSwitch).toBeCloseTo((m.switches * m.cost.fixedPerSwitch + m.cost.extraMonitorCycles) / m.switches, 6);
    expect(m.reference.samples).toBe(m.timing.samples);
    expect(m.ratioToOne).toBeGreaterThan(0);
  });

  test('bt, 2 VMs: every switch flushes the TLB, and the refills are priced as two-entry walks', () => {
    const m = measureHostCell(spec('bt', 2));
    expect(m.instructions).toBe(2 * aloneInstructions('bt'));
    expect(m.switchFlushes).toBe(m.switches);
    const p = costPreset('p4-2006');
    expect(m.cost.fixedPerSwitch).toBe(2 * CONTEXT_WORDS * p.instruction.cycles + p.stateWrite.cycles);
    expect(m.cost.extraWalks).toBeGreaterThan(0);
    expect(m.cost.refillCycles).toBe(m.cost.extraWalks * 2 * p.walkEntry.cycles);
    expect(m.cost.totalCycles).toBe(m.switches * m.cost.fixedPerSwitch + m.cost.extraMonitorCycles + m.cost.refillCycles);
  });

  test('one VM: its own reference, the ratio 1', () => {
    const m = measureHostCell(spec('pv', 1));
    expect(m.ratioToOne).toBe(1);
    expect(m.reference).toEqual(m.timing);
  });

  test('a bad cell description is one error naming the cell', () => {
    expect(() => measureHostCell(spec('trap', 2))).toThrow(/^host trap x2: unknown mode column 'trap' \(bt, pv, hw, hw-noept\)$/);
    expect(() => measureHostCell(spec('hw', 65))).toThrow(/^host hw x65: the number of VMs must be a whole number from 1 to 64$/);
  });
});

describe('the world switch price', () => {
  test('the fixed part, per preset, from the primitives', () => {
    for (const preset of ['p4-2006', 'modern'] as const) {
      const p = costPreset(preset);
      const sum = (mode: string) => fixedSwitchPrice(mode, preset).reduce((n, r) => n + r.cycles, 0);
      expect(sum('hw')).toBe(p.stateWrite.cycles);
      expect(sum('bt')).toBe(48 * p.instruction.cycles + p.stateWrite.cycles);
      expect(sum('pv')).toBe(sum('bt'));
    }
  });
});

describe('the host suite', () => {
  test('one row per mode and N, in order; MIPS from the median run; the table has every row', () => {
    const seen: string[] = [];
    const fake = (s: HostCellSpec): HostCellMeasurement => {
      seen.push(`${s.mode} ${s.vms}`);
      const t = { median: 0.002 * s.vms, min: 0.001 * s.vms, max: 0.003 * s.vms, rme: 1, samples: 3 };
      return {
        instructions: 100_000 * s.vms, switches: 14 * s.vms, switchFlushes: 0, preempted: 13 * s.vms, yields: 0, timing: t,
        reference: { ...t, median: 0.0019 * s.vms }, ratioToOne: s.vms === 1 ? 1 : 0.95,
        cost: { preset: 'p4-2006', fixedPerSwitch: 171, extraMonitorCycles: 1000, extraWalks: 0, refillCycles: 0, totalCycles: 2000 * s.vms, perSwitch: 2000 / 14, aloneCycles: 98_000 * s.vms },
      };
    };
    const r = runHostSuite({ engine: 'interp', costModel: 'p4-2006', timing: TIMING, measure: fake, rounds: 2, log: () => {} });
    const order = HOST_COLUMNS.flatMap((c) => HOST_VM_COUNTS.map((n) => `${c.name} ${n}`));
    expect(seen).toEqual(HOST_COLUMNS.flatMap((c) => [1, 2].flatMap(() => HOST_VM_COUNTS.map((n) => `${c.name} ${n}`))));
    expect(r.rows.map((x) => `${x.mode} ${x.vms}`)).toEqual(order);
    const hw64 = r.rows.find((x) => x.mode === 'hw' && x.vms === 64)!;
    expect(hw64.mips).toBe(50); // 6.4 M instructions in 0.128 s
    expect(hw64.ratioToOne).toBe(0.95);
    expect(hw64.switchesPerSecond).toBe(7000);
    expect(hw64.cost.share).toBe(0.02);
    const table = formatHostSuite(r).split('\n');
    expect(table[1]!.split(/\s+/)).toEqual(['mode', 'VMs', 'run', 'ms', 'min-max', 'ms', 'guest', 'MIPS', 'x', '1', 'VM', 'rounds', 'switches', 'switches/s', 'cycles/switch', 'share']);
    expect(table.filter((l) => /^(bt|pv|hw|hw-noept)\s/.test(l))).toHaveLength(16);
  });

  test.each([
    [['--host-engine', 'fast'], /host-engine/],
    [['--suite', 'host', '--only', 'nosuch'], /unknown workload 'nosuch' .*tinyos/],
  ] as const)('virtlab bench %j: one line, exit 2', async (args, what) => {
    const r = await runCli(['bench', ...args]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(what);
    expect(r.stdout).toBe('');
  });
});
