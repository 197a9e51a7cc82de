// A net cell's host-time figures from its interleaved rounds (bench/net-suite.ts):
// per round, each part's fastest sample (CPU time: a shared host only ever adds
// to a sample) and its ratio to the reference cell's fastest of the same round;
// the cell's figure is the rounds' median with their spread (bench/spread.ts).
// Round trips: each round pools the CPU time of every round trip of its
// samples, the round's p50 and p99 are of that pool, and the cell's are the
// medians of the rounds' p50 and p99, with their spread.

import type { NetSample } from './net-cell.js';
import { percentile } from './net-cell.js';
import { perReference, type Clock, type PerReference } from './machine-speed.js';

/** The machine's speed reference of each round (seconds per run, bench/machine-speed.ts), by either clock. */
export type SpeedRounds = Record<Clock, readonly (number | null)[]>;

/** A figure by the wall clock, from the same samples as the CPU one beside it (docs/benchmarks.md, "Which clock"). */
export interface WallFigure extends Partial<PerReference> {
  value: number | null;
  spread: number | null;
  ratioToNative?: number | null;
  ratioSpread?: number | null;
}
import { figure } from './spread.js';

export interface NetStreamHost {
  /** Host nanoseconds per frame (CPU time): the rounds' median, the spread, each round's figure; samples per round. */
  host: { nsPerFrame: number | null; spread: number | null; rounds: (number | null)[]; samples: number } & Partial<PerReference>;
  /** Per round, host time per frame over the reference's of the same round (the native e1000 on the wire); the rounds' median and spread. */
  ratioToNative: { host: number | null; hostSpread: number | null; hostRounds: (number | null)[] };
  /** Wall ns per frame (the ratio to the reference's beside it; the reference: against the speed reference). */
  wall?: WallFigure;
}

export interface NetLatencyHost {
  /** Round trips, CPU µs: the median of the rounds' p50 (p99), and the spread of those. */
  p50Us: number | null;
  p50Spread: number | null;
  p99Us: number | null;
  p99Spread: number | null;
  /** CPU µs per round trip (the mean over a sample's runs, the round's fastest sample): the rounds' median and spread. */
  cpuUs: number | null;
  cpuSpread: number | null;
  /** Round trips pooled per round. */
  tripsPerRound: number;
  /** p50, p99 and CPU µs against the machine's speed reference of the same rounds (bench/machine-speed.ts); absent without one. */
  perReference?: { p50: PerReference; p99: PerReference; cpu: PerReference };
  /** Wall µs per round trip (a sample's mean, the round's fastest), against the speed reference's wall time. */
  wallUs?: WallFigure;
}

/** A round's figure: its fastest sample's, in nanoseconds; null without samples. */
export function fastestNs(samples: readonly NetSample[], part: (s: NetSample) => number): number | null {
  const xs = samples.map(part).filter((x) => Number.isFinite(x) && x > 0);
  return xs.length === 0 ? null : Math.min(...xs) * 1e9;
}

/** Frame size number `i` (in FRAME_SIZES order) of a cell, against the reference's rounds (null: the cell is the reference). */
export function streamHost(rounds: readonly NetSample[][], ref: readonly NetSample[][] | null, i: number, samples: number, speed: SpeedRounds | null = null): NetStreamHost {
  const part = (s: NetSample) => s.stream[i]!.cpu;
  const ns = rounds.map((r) => fastestNs(r, part));
  const f = figure(ns);
  const wall = wallOf(rounds, ref, (s) => s.stream[i]!.wall, speed);
  if (ref === null) {
    return { host: { nsPerFrame: f.value, spread: f.spread, rounds: f.rounds, samples, ...(speed ? perReference(ns, speed.cpu) : {}) }, ratioToNative: { host: f.value === null ? null : 1, hostSpread: null, hostRounds: ns.map((x) => (x === null ? null : 1)) }, wall };
  }
  const ratios = ns.map((x, r) => {
    const base = ref[r] ? fastestNs(ref[r]!, part) : null;
    return x === null || base === null ? null : x / base;
  });
  const q = figure(ratios);
  return { host: { nsPerFrame: f.value, spread: f.spread, rounds: f.rounds, samples }, ratioToNative: { host: q.value, hostSpread: q.spread, hostRounds: q.rounds }, wall };
}

/** A part's figure by the wall clock, ns: per round its fastest sample, against the reference's of the same round, or (the reference itself) against the speed reference. */
function wallOf(rounds: readonly NetSample[][], ref: readonly NetSample[][] | null, part: (s: NetSample) => number, speed: SpeedRounds | null): WallFigure {
  const ns = rounds.map((r) => fastestNs(r, part));
  const f = figure(ns);
  if (ref === null) return { value: f.value, spread: f.spread, ...(speed ? perReference(ns, speed.wall) : {}) };
  const q = figure(ns.map((x, r) => {
    const base = ref[r] ? fastestNs(ref[r]!, part) : null;
    return x === null || base === null ? null : x / base;
  }));
  return { value: f.value, spread: f.spread, ratioToNative: q.value, ratioSpread: q.spread };
}

export function latencyHost(rounds: readonly NetSample[][], speed: SpeedRounds | null = null): NetLatencyHost {
  const pooled = rounds.map((r) => r.flatMap((s) => s.latency.tripsNs).sort((a, b) => a - b));
  const p50s = pooled.map((xs) => (xs.length ? percentile(xs, 50) / 1000 : null));
  const p99s = pooled.map((xs) => (xs.length ? percentile(xs, 99) / 1000 : null));
  const cpus = rounds.map((r) => {
    const ns = fastestNs(r, (s) => s.latency.cpu);
    return ns === null ? null : ns / 1000;
  });
  const [p50, p99, cpu] = [figure(p50s), figure(p99s), figure(cpus)];
  return {
    p50Us: p50.value, p50Spread: p50.spread, p99Us: p99.value, p99Spread: p99.spread, cpuUs: cpu.value, cpuSpread: cpu.spread,
    tripsPerRound: pooled.length ? Math.min(...pooled.map((xs) => xs.length)) : 0,
    ...(speed ? { perReference: { p50: perReference(p50s, speed.wall), p99: perReference(p99s, speed.wall), cpu: perReference(cpus, speed.cpu) } } : {}),
    wallUs: usOf(rounds, speed),
  };
}

/** Wall µs per round trip: a sample's mean over its runs, the round's fastest; the rounds' median, against the speed reference. */
function usOf(rounds: readonly NetSample[][], speed: SpeedRounds | null): WallFigure {
  const us = rounds.map((r) => {
    const ns = fastestNs(r, (s) => s.latency.wall);
    return ns === null ? null : ns / 1000;
  });
  const f = figure(us);
  return { value: f.value, spread: f.spread, ...(speed ? perReference(us, speed.wall) : {}) };
}
