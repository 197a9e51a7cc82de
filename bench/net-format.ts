// The net suite's terminal tables and its bars in the --svg chart.

import { formatNs } from './guest-suite.js';
import { formatSpread, SPREAD_LIMIT } from './spread.js';
import { speedLegend } from './machine-speed.js';
import type { ChartCell } from './svg.js';
import { findRow, type NetRow, type NetSuiteResult } from './net-suite.js';
import { FRAME_SIZES, NET_MODE_COLUMNS, NET_NICS, NET_PATH_LABELS, NET_PATHS } from './net-workloads.js';
import { num, ratio, table } from './table.js';

const NIC_LABEL: Record<string, string> = { emulated: 'emulated (e1000)', virtio: 'virtio', vf: 'VF (SR-IOV)' };

/** Millions of frames per second, three significant digits. */
function mfps(x: number | null): string {
  if (x === null) return '-';
  const m = x / 1e6;
  return m >= 100 ? m.toFixed(0) : m >= 10 ? m.toFixed(1) : m >= 1 ? m.toFixed(2) : m.toFixed(3);
}

export function formatNetSuite(r: NetSuiteResult): string {
  const modes = NET_MODE_COLUMNS.map((c) => c.name).filter((m) => r.rows.some((x) => x.mode === m));
  const lines: { label: string; base: (mode: string) => boolean; row: (mode: string) => NetRow | undefined }[] = [];
  for (const path of NET_PATHS) for (const nic of NET_NICS) {
    if (r.rows.some((x) => x.path === path && x.nic === nic)) lines.push({
      label: `${NET_PATH_LABELS[path]}, ${NIC_LABEL[nic]}`, base: (m) => path === 'wire' && nic === 'emulated' && m === 'native', row: (m) => findRow(r.rows, path, nic, m),
    });
  }
  const native = (size: number) => findRow(r.rows, 'wire', 'emulated', 'native')?.stream.find((x) => x.size === size);
  const [n1, n2] = r.counts.stream;
  let s = `net suite: guests/net/stream.s (${n2} frames; per frame: from the ${n1}th to the last) and pingpong.s (${r.counts.pingpong} round trips), ` +
    `each NIC under each mode; VM to wire: one VM, stream into the wire's sink, pingpong against its echo; VM to VM: two VMs on one host ` +
    `(slices of ${r.pair.slice} instructions, the stream receiver's weight ${r.pair.receiverWeight}); on ${r.engine}\n`;

  for (const size of FRAME_SIZES) {
    s += `${size}-byte frames: M frames per modelled second (${r.preset} at ${r.clockHz / 1e9} GHz: ${r.clockSource}), and × the native e1000's\n`;
    const base = native(size);
    s += table(['path, NIC', ...modes], lines.map((l) => [l.label,
      ...modes.map((m) => {
        const x = l.row(m)?.stream.find((y) => y.size === size);
        return x ? `${mfps(x.modelledFps)}${base && !l.base(m) ? ` ${ratio(x.modelledFps / base.modelledFps)}` : ''}` : '-';
      })]));
    s += `${size}-byte frames: host time per frame (CPU time) and × the native e1000's on the wire, each with its spread over the rounds; M frames per host second\n`;
    s += table(['path, NIC', ...modes, ...modes.map((m) => `${m} M/s`)], lines.map((l) => [l.label,
      ...modes.map((m) => {
        const x = l.row(m)?.stream.find((y) => y.size === size);
        if (!x) return '-';
        if (l.base(m)) return `${formatNs(x.host.nsPerFrame)} ${formatSpread(x.host.spread)}`.trimEnd();
        return `${formatNs(x.host.nsPerFrame)} ${ratio(x.ratioToNative.host)} ${formatSpread(x.ratioToNative.hostSpread)}`.trimEnd() + (x.belowNative ? ' *' : '');
      }),
      ...modes.map((m) => {
        const x = l.row(m)?.stream.find((y) => y.size === size);
        return x ? mfps(x.hostFps) : '-';
      })]));
    for (const x of r.rows) {
      const y = x.stream.find((z) => z.size === size);
      if (y?.belowNative) s += `* ${NET_PATH_LABELS[x.path]}, ${NIC_LABEL[x.nic]}, ${x.mode} ${ratio(y.ratioToNative.host)}, below native: ${y.belowNative}\n`;
    }
  }
  const pct = Math.round(SPREAD_LIMIT * 100);
  s += r.rounds > 1
    ? `±: the rounds' interquartile range over their median (${r.rounds} rounds, each in fresh processes, of ${r.samples} samples taken in turn with the native e1000's; ` +
      `a round's figure is its fastest sample); ? beyond ${pct}%: not reproducible to ±${pct}% in this run. VM to VM has no bare-machine pair: ` +
      `its ratios are to the native e1000 sending the same frames to the wire, timed in turn with it (the pair does the receiving too)\n`
    : 'one round: no spread measured (--rounds 2 or more prints it)\n';

  s += 'round trips (pingpong, 64-byte frames): modelled cycles p50 / p99\n';
  s += table(['path, NIC', ...modes], lines.map((l) => [l.label,
    ...modes.map((m) => {
      const x = l.row(m)?.latency;
      return x ? `${num(x.cycles.p50)} / ${num(x.cycles.p99)}` : '-';
    })]));
  s += 'round trips, host µs: p50 / p99 of each round trip\'s host time (spreads), and CPU µs per round trip (spread)\n';
  const us = (x: number | null, spread: number | null) => `${x === null ? '-' : num(x, 1)} ${formatSpread(spread)}`.trimEnd();
  s += table(['path, NIC', ...modes], lines.map((l) => [l.label,
    ...modes.map((m) => {
      const x = l.row(m)?.latency.host;
      return x ? `${us(x.p50Us, x.p50Spread)} / ${us(x.p99Us, x.p99Spread)}; ${us(x.cpuUs, x.cpuSpread)}` : '-';
    })]));
  if (r.rounds > 1) {
    s += `p50 and p99: of every round trip of a round (its ${r.samples} samples pooled), the rounds' median; the monotonic clock read at each ping ` +
      `(~0.08 µs a read, in every cell alike), so a preemption by another process or a collection of the host process lands whole on the 1% of ` +
      `round trips p99 is made of, and its ? says so; the modelled p99 is the deterministic figure. CPU µs: a sample's mean, the round's fastest, as the frames'\n`;
  }
  s += speedLegend(r.rows.map((x) => x.latency.host.perReference?.cpu.referenceMs ?? null));

  s += 'per frame, 64 B / 1500 B: modelled cycles, guest instructions, exits or traps (of them real interrupts into a monitor), bt callouts, hypercalls, NIC interrupts\n';
  const pair = (x: NetRow, f: (p: NetRow['stream'][number]['perPacket']) => number, digits: number) =>
    FRAME_SIZES.map((size) => {
      const y = x.stream.find((z) => z.size === size);
      return y ? num(f(y.perPacket), digits) : '-';
    }).join(' / ');
  s += table(['path, NIC', 'mode', 'cycles', 'instructions', 'exits', 'of them interrupts', 'callouts', 'hypercalls', 'NIC interrupts', 'dropped'],
    r.rows.map((x) => [`${NET_PATH_LABELS[x.path]}, ${NIC_LABEL[x.nic]}`, x.mode, pair(x, (p) => p.cycles, 0), pair(x, (p) => p.instructions, 0),
      pair(x, (p) => p.exits, 3), pair(x, (p) => p.interruptExits, 3), pair(x, (p) => p.callouts, 2), pair(x, (p) => p.hypercalls, 3), pair(x, (p) => p.interrupts, 3),
      x.stream.map((y) => String(y.run.dropped)).join(' / ')]));

  s += 'VF against the others, modelled frames/s (wanted: ≥ 10× emulated, ≥ 2× virtio)\n';
  const mark = (v: number | null, limit: number) => (v === null ? '-' : `${ratio(v)} ${v >= limit ? 'yes' : 'NO'}`);
  s += table(['path', 'frame', ...r.ratios.filter((x, i, a) => a.findIndex((y) => y.mode === x.mode) === i).flatMap((x) => [`${x.mode} / emulated`, `${x.mode} / virtio`])],
    NET_PATHS.flatMap((path) => FRAME_SIZES.map((size) => {
      const these = r.ratios.filter((x) => x.path === path && x.size === size);
      return [NET_PATH_LABELS[path], `${size} B`, ...these.flatMap((x) => [mark(x.vfOverEmulated, 10), mark(x.vfOverVirtio, 2)])];
    })));
  return s;
}

/** Host time per frame over the native e1000's on the wire (same frame size, the rounds' median ratio), per cell: the suite's bars in the overhead chart. */
export function netChartCells(r: NetSuiteResult): ChartCell[] {
  const cells: ChartCell[] = [];
  for (const path of NET_PATHS) for (const size of FRAME_SIZES) for (const nic of NET_NICS) {
    for (const col of NET_MODE_COLUMNS) {
      const x = findRow(r.rows, path, nic, col.name)?.stream.find((y) => y.size === size);
      if (!x || (path === 'wire' && nic === 'emulated' && col.name === 'native')) continue;
      cells.push({ suite: `net ${path === 'wire' ? 'wire' : 'vm-vm'} ${size} B`, workload: nic, mode: col.name, ratio: x.ratioToNative.host });
    }
  }
  return cells;
}
