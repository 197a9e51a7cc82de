// Host-time figures over rounds (bench/spread.ts), a monitor below native
// explained (bench/below-native.ts), and two reports compared (bench/compare.ts).
import { describe, expect, it } from 'vitest';
import { belowNativeReason } from '../../bench/below-native.js';
import { compareReports, formatComparison, hostTimeCells } from '../../bench/compare.js';
import { figure, flagged, formatSpread, quantile } from '../../bench/spread.js';

describe('bench: a figure over rounds', () => {
  it('is the rounds\' median, with their interquartile range over it as the spread', () => {
    expect(figure([100, 110, 90])).toEqual({ value: 100, spread: 0.1, rounds: [100, 110, 90] });
    expect(figure([4, 2, 3, 5])).toEqual({ value: 3.5, spread: 0.429, rounds: [4, 2, 3, 5] });
    // One disturbed round of five does not move the median, nor much the spread.
    expect(figure([337, 409, 346, 348, 336])).toEqual({ value: 346, spread: 0.032, rounds: [337, 409, 346, 348, 336] });
  });

  it('quartiles between the nearest ranks', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([1, 2], 0.75)).toBe(1.75);
    expect(quantile([7], 0.5)).toBe(7);
  });

  it('leaves out rounds lost in noise, and has no spread with one round', () => {
    expect(figure([null, 2, null])).toEqual({ value: 2, spread: null, rounds: [null, 2, null] });
    expect(figure([null])).toEqual({ value: null, spread: null, rounds: [null] });
  });

  it('prints the spread as a percentage, flagged beyond 10%', () => {
    expect(formatSpread(0.04)).toBe('±4%');
    expect(formatSpread(0.1)).toBe('±10%');
    expect(formatSpread(0.12)).toBe('±12%?');
    expect(formatSpread(null)).toBe('');
    expect(flagged(0.1)).toBe(false);
    expect(flagged(0.101)).toBe(true);
  });
});

describe('bench: a monitor below native says why', () => {
  const cell = (host: number | null, rounds: number[], cycles: number | null, workload = 'syscall', mode = 'hw') =>
    ({ workload, mode, ratioToNative: { host, hostSpread: null, hostRounds: rounds, cycles } });

  it('nothing to say at or above native', () => {
    expect(belowNativeReason(cell(1, [0.9, 1, 1.1], 1))).toBeUndefined();
    expect(belowNativeReason(cell(null, [], 1))).toBeUndefined();
  });

  it('rounds on both sides of native: noise', () => {
    expect(belowNativeReason(cell(0.97, [0.9, 0.97, 1.02], 1))).toBe('noise: its rounds span ×0.90-×1.02, which includes native (×1)');
  });

  it('every round below, but within 10%: no measured difference', () => {
    expect(belowNativeReason(cell(0.95, [0.93, 0.95, 0.96], 1))).toMatch(/^within 10% of native/);
  });

  it('a known mechanism, then the model, then unexplained', () => {
    expect(belowNativeReason(cell(0.07, [0.07], 4.33, 'crwrite', 'pv'), 'nano')).toMatch(/shared page/);
    expect(belowNativeReason(cell(0.5, [0.45, 0.5, 0.55], 0.06, 'in', 'bt'), 'nano')).toBe('the model agrees: ×0.06 modelled cycles');
    expect(belowNativeReason(cell(0.65, [0.6, 0.65, 0.7], 1), 'macro')).toMatch(/^unexplained: every round below native \(×0\.60-×0\.70\) while the counts and the model say ×1\.00/);
  });
});

describe('bench: two reports compared', () => {
  const report = (nativeNs: number, hw: number, jit: number) => ({
    machine: {}, options: {},
    engine: [{ workload: 'alu', jsMs: 2, interp: { ratioToJs: 0.04 }, jit: { ratioToJs: jit }, jitOverInterp: 15 }],
    macro: { cells: [
      { workload: 'syscall', mode: 'native', host: { nsPerIteration: nativeNs }, ratioToNative: { host: 1 } },
      { workload: 'syscall', mode: 'hw', host: { nsPerIteration: nativeNs * hw }, ratioToNative: { host: hw } },
    ] },
    host: { rows: [{ mode: 'pv', vms: 64, ratioToOne: 0.97 }] },
  });

  it('names every host-time cell: native time, ratios to native, engine ratios, host scaling', () => {
    expect([...hostTimeCells(report(2000, 1.05, 0.7)).keys()]).toEqual([
      'engine alu JS ms', 'engine alu interp/JS', 'engine alu jit/JS', 'engine alu jit/interp',
      'macro syscall native ns/iteration', 'macro syscall hw ×native', 'host pv 64 VMs ×1 VM',
    ]);
  });

  it('judges each cell\'s change against ±10%', () => {
    const c = compareReports(report(2000, 1.0, 0.7), report(2150, 1.2, 0.7));
    const by = Object.fromEntries(c.rows.map((r) => [r.cell, r]));
    expect(by['macro syscall native ns/iteration']!.within).toBe(true);
    expect(by['macro syscall native ns/iteration']!.change).toBeCloseTo(0.075, 9);
    expect(by['macro syscall hw ×native']!.within).toBe(false);
    expect(by['macro syscall hw ×native']!.change).toBeCloseTo(0.2, 9);
    expect(c.within).toBe(6);
    expect(c.compared).toBe(7);
    const text = formatComparison(c, ['a.json', 'b.json']);
    expect(text).toMatch(/^macro syscall hw ×native\s+1\.000\s+1\.200\s+\+20\.0%\s+NO$/m);
    expect(text).toMatch(/^6 of 7 host-time cells within ±10%$/m);
  });
});

describe('bench: absolute times compared at equal machine speed', () => {
  // Native's time and the speed reference's ms of the same rounds: perReference is their ratio (bench/machine-speed.ts).
  const report = (nativeNs: number, referenceMs: number | null, jsMs: number) => ({
    machine: {}, options: {},
    engine: [{ workload: 'calls', jsMs, ...(referenceMs === null ? {} : { js: { perReference: jsMs / referenceMs, referenceMs } }), interp: { ratioToJs: 0.04 }, jit: { ratioToJs: 0.3 }, jitOverInterp: 7 }],
    nano: { cells: [{ workload: 'in', mode: 'native', host: { nsPerIteration: nativeNs, ...(referenceMs === null ? {} : { perReference: nativeNs / referenceMs, referenceMs }) }, ratioToNative: { host: 1 } }] },
  });

  it('a machine 25% slower throughout: every absolute time within ±10% at equal speed, the raw change beside it', () => {
    const c = compareReports(report(80, 1.0, 0.2), report(100, 1.25, 0.25));
    const by = Object.fromEntries(c.rows.map((r) => [r.cell, r]));
    const nat = by['nano in native ns/iteration']!;
    expect(nat.within).toBe(true);
    expect(nat.change).toBeCloseTo(0, 9);
    expect(nat.b).toBeCloseTo(80, 9); // B's time at A's speed
    expect(nat.raw).toEqual({ b: 100, change: expect.closeTo(0.25, 9) as unknown as number });
    expect(by['engine calls JS ms']!.within).toBe(true);
    const text = formatComparison(c, ['a.json', 'b.json']);
    expect(text).toMatch(/^absolute times \(ms, ns, µs\) at equal machine speed/m);
    expect(text).toMatch(/^nano in native ns\/iteration\s+80\.0\s+80\.0\s+\+0\.0%\s+yes\s+100\s+\+25\.0%$/m);
  });

  it('a time that moved against the machine is out, however the raw figures compare', () => {
    const c = compareReports(report(80, 1.0, 0.2), report(80, 0.8, 0.2));
    const nat = c.rows.find((r) => r.cell === 'nano in native ns/iteration')!;
    expect(nat.change).toBeCloseTo(0.25, 9);
    expect(nat.within).toBe(false);
    expect(nat.raw!.change).toBeCloseTo(0, 9);
  });

  it('a report without the reference (an older one): the raw change is judged', () => {
    const c = compareReports(report(80, null, 0.2), report(100, 1.25, 0.25));
    const nat = c.rows.find((r) => r.cell === 'nano in native ns/iteration')!;
    expect(nat.change).toBeCloseTo(0.25, 9);
    expect(nat.within).toBe(false);
    expect(nat.raw).toBeUndefined();
  });
});

describe('bench: the same cells by the wall clock', () => {
  const report = (cpuRatio: number, wallRatio: number) => ({
    machine: {}, options: {},
    nano: { cells: [
      { workload: 'in', mode: 'native', host: { nsPerIteration: 80 }, ratioToNative: { host: 1 }, wall: { nsPerIteration: 82, ratioToNative: 1, perReference: 82, referenceMs: 1 } },
      { workload: 'in', mode: 'hw', host: { nsPerIteration: 80 * cpuRatio }, ratioToNative: { host: cpuRatio }, wall: { nsPerIteration: 82 * wallRatio, ratioToNative: wallRatio } },
    ] },
    net: { rows: [{ path: 'vm', nic: 'vf', mode: 'hw', stream: [{ size: 64, host: { nsPerFrame: 9 }, ratioToNative: { host: cpuRatio }, wall: { value: 9, ratioToNative: wallRatio } }],
      latency: { host: { p50Us: 40, p99Us: 90, cpuUs: 50, wallUs: { value: 45, perReference: 45 } } } }] },
    host: { rows: [{ mode: 'pv', vms: 64, ratioToOne: 0.97 }] },
  });

  it('reads the wall figures kept beside the CPU ones; the host suite has none', () => {
    const cells = hostTimeCells(report(1.5, 1.4), 'wall');
    expect(Object.fromEntries([...cells].map(([k, v]) => [k, v.value]))).toEqual({
      'nano in native ns/iteration': 82, 'nano in hw ×native': 1.4, 'net vm vf hw 64 B ×native': 1.4,
      'net vm vf hw round trip p50 µs': 40, 'net vm vf hw round trip p99 µs': 90, 'net vm vf hw round trip wall µs': 45,
    });
  });

  it('judges each clock on its own figures', () => {
    expect(compareReports(report(1.5, 1.4), report(1.8, 1.45), 0.1, 'cpu').rows.find((r) => r.cell === 'nano in hw ×native')!.within).toBe(false);
    expect(compareReports(report(1.5, 1.4), report(1.8, 1.45), 0.1, 'wall').rows.find((r) => r.cell === 'nano in hw ×native')!.within).toBe(true);
  });
});

describe('bench: the net and profiles suites\' cells compared', () => {
  const stream = (size: number, ns: number, ratio: number) => ({ size, host: { nsPerFrame: ns }, ratioToNative: { host: ratio } });
  const report = (nativeNs: number, hw: number, p50: number, cpuHost: number) => ({
    machine: {}, options: {},
    net: { rows: [
      { path: 'wire', nic: 'emulated', mode: 'native', stream: [stream(64, nativeNs, 1)], latency: { host: { p50Us: p50, p99Us: 2 * p50, cpuUs: 3 } } },
      { path: 'vm', nic: 'vf', mode: 'hw', stream: [stream(64, nativeNs * hw, hw)], latency: { host: { p50Us: p50, p99Us: 2 * p50, cpuUs: 3 } } },
    ] },
    profiles: { rows: [{ profile: 'nitro-like', cells: { cpu: { host: cpuHost }, net: { host: 1.5 }, irq: { host: 1.1 } } }] },
  });

  it('names the reference\'s time per frame, every other cell\'s ratio to it, the round trips, and each profile cell', () => {
    expect([...hostTimeCells(report(3000, 2, 40, 1.02)).keys()]).toEqual([
      'net wire emulated native 64 B ns/frame', 'net wire emulated native round trip p50 µs', 'net wire emulated native round trip p99 µs', 'net wire emulated native round trip CPU µs',
      'net vm vf hw 64 B ×native', 'net vm vf hw round trip p50 µs', 'net vm vf hw round trip p99 µs', 'net vm vf hw round trip CPU µs',
      'profiles nitro-like cpu host ×native', 'profiles nitro-like net host ×native', 'profiles nitro-like irq host ×native',
    ]);
  });

  it('judges them as the others: a ratio that held, a round trip and a profile cell that did not', () => {
    const c = compareReports(report(3000, 2, 40, 1.02), report(3200, 2.1, 50, 1.3));
    const by = Object.fromEntries(c.rows.map((r) => [r.cell, r.within]));
    expect(by['net wire emulated native 64 B ns/frame']).toBe(true);
    expect(by['net vm vf hw 64 B ×native']).toBe(true);
    expect(by['net vm vf hw round trip p50 µs']).toBe(false);
    expect(by['profiles nitro-like cpu host ×native']).toBe(false);
    expect(c.compared).toBe(11);
    expect(c.within).toBe(11 - 5); // both p50s, both p99s, the profile's cpu
  });
});
