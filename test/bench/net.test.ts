// The net suite: a cell's exact per-packet counts (what each NIC costs under a
// monitor, from the counters, not timed), and the suite in --quick form in this
// process: every cell, its tables, JSON and chart bars, and its targets. The
// figures themselves are `virtlab bench --suite net`.

import { beforeAll, describe, expect, test } from 'vitest';
import { IN_PROCESS_SESSIONS } from '../../bench/cell-session.js';
import { forkingMeasurer } from '../../bench/fork.js';
import { measureNetCell, percentile, readyNetCell, warmUp, type NetCellMeasurement, type NetCellSpec } from '../../bench/net-cell.js';
import { formatNetSuite, netChartCells } from '../../bench/net-format.js';
import { runNetSuite, type NetSuiteResult } from '../../bench/net-suite.js';
import { MODELLED_CLOCK_HZ, netCounts } from '../../bench/net-workloads.js';
import { costPreset } from '../../src/vmm/index.js';
import { oneErrorLine, runCli } from '../cli/run.js';

const TIMING = { maxTime: 0, minSamples: 1 };
const spec = (path: 'wire' | 'vm', nic: 'emulated' | 'virtio' | 'vf', mode: string): NetCellSpec =>
  ({ kind: 'net', path, nic, mode, engine: 'jit', costModel: 'p4-2006', quick: true, timing: TIMING });

describe('a net cell, VM to the wire', () => {
  const cells = new Map<string, NetCellMeasurement>();
  const cell = (nic: 'emulated' | 'virtio' | 'vf', mode: string) => {
    const key = `${nic} ${mode}`;
    if (!cells.has(key)) cells.set(key, measureNetCell(spec('wire', nic, mode)));
    return cells.get(key)!;
  };
  const p = costPreset('p4-2006');

  test('the e1000 under hw: one exit per frame (the tail write) and the native frame\'s instructions', () => {
    const native = cell('emulated', 'native'), hw = cell('emulated', 'hw');
    for (const [i, size] of [64, 1500].entries()) {
      const n = native.stream[i]!, h = hw.stream[i]!;
      expect(n.size).toBe(size);
      expect(n.perPacket.exits).toBe(0);
      expect(h.perPacket.exits).toBe(1);
      expect(h.perPacket.instructions).toBe(n.perPacket.instructions);
      // The exit, the register's emulation and the switch's frame at least; the copy grows with the frame.
      expect(h.perPacket.cycles - n.perPacket.cycles).toBeGreaterThanOrEqual(p.exit.cycles + p.device.cycles + p.frame.cycles);
      expect(h.run.delivered).toBe(netCounts(true).stream[1]);
    }
    expect(hw.stream[1]!.perPacket.cycles - hw.stream[1]!.perPacket.instructions).toBeGreaterThan(hw.stream[0]!.perPacket.cycles - hw.stream[0]!.perPacket.instructions);
  });

  test('virtio under hw: one kick per batch of 16 frames; a VF: no exit at all', () => {
    expect(cell('virtio', 'hw').stream.map((x) => x.perPacket.exits)).toEqual([0.063, 0.063]);
    const vf = cell('vf', 'hw');
    expect(vf.stream.map((x) => x.perPacket.exits)).toEqual([0, 0]);
    expect(vf.latency.perRoundTrip.exits).toBe(0);
    // Exits still happen once per run (finding the device, printing), outside the per-packet figures.
    expect(vf.stream[0]!.run.exits).toBeGreaterThan(0);
  });

  test('round trips: the pings after the warm-up, deterministic, p50 <= p99, the e1000 paying two exits per round trip under hw', () => {
    const hw = cell('emulated', 'hw').latency;
    const pings = netCounts(true).pingpong;
    expect(hw.roundTrips).toBe(pings - warmUp(pings) - 1);
    expect(warmUp(pings)).toBe(Math.floor(pings / 4));
    expect(hw.perRoundTrip.exits).toBe(2);
    expect(hw.cycles.min).toBeLessThanOrEqual(hw.cycles.p50);
    expect(hw.cycles.p50).toBeLessThanOrEqual(hw.cycles.p99);
    expect(hw.cycles.p99).toBeLessThanOrEqual(hw.cycles.max);
    expect(hw.cycles.p50).toBeGreaterThan(2 * p.exit.cycles);
    expect(measureNetCell(spec('wire', 'emulated', 'hw')).latency.cycles).toEqual(hw.cycles);
  });

  test('measured in a child process (dist/bench/cell-process.js: `npm test` builds first), a cell counts what it counts here', () => {
    const here = cell('vf', 'hw');
    const there = forkingMeasurer().net(spec('wire', 'vf', 'hw'));
    expect(there.stream.map((x) => x.perPacket)).toEqual(here.stream.map((x) => x.perPacket));
    expect(there.latency.cycles).toEqual(here.latency.cycles);
  });

  test('under pv the VF\'s round trips after the warm-up take no trap: p99 = p50 = the native e1000\'s', () => {
    const pv = cell('vf', 'pv').latency, native = cell('emulated', 'native').latency;
    expect(pv.perRoundTrip.exits).toBe(0);
    expect(pv.cycles.p99).toBe(pv.cycles.p50);
    expect(pv.cycles.p50).toBe(native.cycles.p50);
  });

  test('ready for sampling: runs per sample fixed, each sample a time per frame of both sizes and every round trip of its runs', () => {
    const ready = readyNetCell({ ...spec('wire', 'virtio', 'pv'), timing: { ...TIMING, minSampleTime: 0.001 } });
    expect(ready.info.stream.map((x) => x.perPacket)).toEqual(cell('virtio', 'pv').stream.map((x) => x.perPacket));
    expect(ready.calls).toHaveLength(3);
    const s = ready.sample();
    expect(s.stream.map((x) => x.size)).toEqual([64, 1500]);
    for (const x of s.stream) expect(x.cpu).toBeGreaterThan(0);
    expect(s.latency.tripsNs).toHaveLength(ready.calls[2]! * ready.info.latency.roundTrips);
  });

  test('percentile: nearest rank', () => {
    const xs = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(100);
    expect(percentile(xs, 99)).toBe(198);
    expect(percentile([7], 99)).toBe(7);
  });

  test('a cell that does not exist is one error naming it', () => {
    expect(() => measureNetCell(spec('wire', 'vf', 'native'))).toThrow(/^net wire vf native: no such cell \(natively only the wire, and no VF\)$/);
    expect(() => measureNetCell(spec('vm', 'emulated', 'native'))).toThrow(/^net vm-vm emulated native: no such cell/);
    expect(() => measureNetCell(spec('wire', 'emulated', 'trap'))).toThrow(/^net wire emulated trap: unknown mode column 'trap'/);
  });
});

describe('the net suite, --quick, in this process', () => {
  let r: NetSuiteResult;
  const log: string[] = [];
  beforeAll(async () => {
    r = await runNetSuite({ engine: 'interp', costModel: 'p4-2006', quick: true, timing: TIMING, open: IN_PROCESS_SESSIONS.net, rounds: 1, samples: 1, log: (s) => log.push(s) });
  }, 120_000);

  test('every cell: the wire natively (e1000, virtio) and all three NICs under bt, pv, hw and hw-noept on both paths', () => {
    expect(r.rows).toHaveLength(2 + 2 * 3 * 4);
    expect(r.rows.filter((x) => x.mode === 'native').map((x) => `${x.path} ${x.nic}`)).toEqual(['wire emulated', 'wire virtio']);
    for (const x of r.rows) {
      expect(x.stream.map((y) => y.size)).toEqual([64, 1500]);
      for (const y of x.stream) {
        expect(y.run.dropped).toBe(0);
        expect(y.modelledFps).toBe(Math.round(MODELLED_CLOCK_HZ['p4-2006'] / y.perPacket.cycles));
      }
    }
    // A line per cell, and one per round: each group (path and NIC) with the reference's time and its cells' ratios to it.
    expect(log).toHaveLength(r.rows.length + 1);
    expect(log[0]).toMatch(/^net round 1\/1, 64 B per frame against the native e1000's: wire emulated \d+ ns bt ×[\d.]+ pv ×[\d.]+ hw ×[\d.]+ hw-noept ×[\d.]+; wire virtio \d+ ns native ×[\d.]+ bt /);
    expect([...log[0]!.matchAll(/(?:: |; )((?:wire|vm-vm) \w+) \d+ ns/g)].map((x) => x[1]))
      .toEqual(['wire emulated', 'wire virtio', 'wire vf', 'vm-vm emulated', 'vm-vm virtio', 'vm-vm vf']);
    expect(r.clockHz).toBe(3.8e9);
  });

  test('the tables: throughput per frame size, round trips, per frame, and the VF ratios', () => {
    const out = formatNetSuite(r);
    for (const head of ['64-byte frames: M frames per modelled second', '1500-byte frames:', 'round trips (pingpong', 'per frame, 64 B / 1500 B', 'VF against the others']) expect(out).toContain(head);
    for (const label of ['VM to wire, emulated (e1000)', 'VM to wire, virtio', 'VM to wire, VF (SR-IOV)', 'VM to VM, emulated (e1000)', 'VM to VM, virtio', 'VM to VM, VF (SR-IOV)']) {
      expect(out.split('\n').filter((l) => l.startsWith(label + ' ')).length).toBeGreaterThanOrEqual(3);
    }
    expect(out).toMatch(/^VM to wire +64 B .*(yes|NO)$/m);
  });

  test('the targets: VF over emulated and virtio, exits, p99/p50, under hw on both paths; each one not met says why', () => {
    expect(r.targets.map((t) => t.name)).toEqual([
      'net hw VM to wire 64 B: VF / emulated, modelled frames/s', 'net hw VM to wire 64 B: VF / virtio, modelled frames/s',
      'net hw VM to wire 1500 B: VF / emulated, modelled frames/s', 'net hw VM to wire 1500 B: VF / virtio, modelled frames/s',
      'net hw VM to VM 64 B: VF / emulated, modelled frames/s', 'net hw VM to VM 64 B: VF / virtio, modelled frames/s',
      'net hw VM to VM 1500 B: VF / emulated, modelled frames/s', 'net hw VM to VM 1500 B: VF / virtio, modelled frames/s',
      'net hw VM to wire: VF exits per packet (most of 64 and 1500 B)', 'net hw VM to VM: VF exits per packet (most of 64 and 1500 B)',
      'net hw VM to wire: VF round trip p99 / p50, modelled cycles', 'net hw VM to VM: VF round trip p99 / p50, modelled cycles',
    ]);
    for (const t of r.targets) {
      expect(t.met).not.toBeNull();
      expect(t.why !== undefined).toBe(t.met === false);
    }
    const ratio = r.ratios.find((x) => x.path === 'wire' && x.size === 64 && x.mode === 'hw')!;
    expect(r.targets[0]!.value).toBe(ratio.vfOverEmulated);
    expect(r.targets[8]!.met).toBe(true); // a VF on the wire under hw: no exit per packet
  });

  test('host time: every cell against the native e1000 on the wire, which is ×1 itself; round trips measured', () => {
    for (const x of r.rows) {
      for (const y of x.stream) {
        expect(y.host.nsPerFrame, `${x.path} ${x.nic} ${x.mode}`).toBeGreaterThan(0);
        expect(y.hostFps).toBe(Math.round(1e9 / y.host.nsPerFrame!));
        expect(y.ratioToNative.hostRounds).toHaveLength(1);
        expect(y.host.spread).toBeNull(); // one round
      }
      // Every round trip of the sample's runs (as many runs as make the sample last its minimum).
      expect(x.latency.host.tripsPerRound).toBeGreaterThanOrEqual(x.latency.roundTrips);
      expect(x.latency.host.tripsPerRound % x.latency.roundTrips).toBe(0);
      expect(x.latency.host.p50Us).toBeLessThanOrEqual(x.latency.host.p99Us!);
    }
    const ref = r.rows.find((x) => x.path === 'wire' && x.nic === 'emulated' && x.mode === 'native')!;
    expect(ref.stream.map((y) => y.ratioToNative.host)).toEqual([1, 1]);
    expect(ref.stream.every((y) => y.belowNative === undefined)).toBe(true);
    // A cell below native says why, under the table.
    for (const x of r.rows) for (const y of x.stream) expect(y.belowNative !== undefined).toBe(y.ratioToNative.host! < 1);
    expect(formatNetSuite(r)).toContain('one round: no spread measured');
  });

  test('JSON and chart: the figures survive JSON; a bar per cell and frame size but the baseline', () => {
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    const bars = netChartCells(r);
    expect(bars).toHaveLength(2 * r.rows.length - 2);
    expect(bars.every((b) => b.suite.startsWith('net '))).toBe(true);
  });
});

test('virtlab bench --suite net --only: a name that is not a workload is refused', async () => {
  const r = await runCli(['bench', '--suite', 'net', '--only', 'nosuch']);
  expect(r.code).toBe(2);
  expect(oneErrorLine(r)).toMatch(/unknown workload 'nosuch' .*\bnet\b/);
});
