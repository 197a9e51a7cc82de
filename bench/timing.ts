// One measurement of a synchronous function: the median seconds per call of
// fixed-work samples, in wall time and in CPU time of this process, and the
// samples' relative margin of error. Short by design (2 shared cores).

export interface Timing {
  /**
   * Median wall seconds per call over the samples. On a shared 2-core host a
   * garbage collection or a background compile lands in a few samples and
   * moves the mean by tens of percent; the median does not.
   */
  median: number;
  /**
   * Median CPU seconds per call (user + system of this process, all its
   * threads, process.cpuUsage): what the suites report. Time the process
   * spends waiting for a core that another process holds is not in it.
   */
  cpu: number;
  /** Relative margin of error of the mean wall time, percent (95%, normal approximation). */
  rme: number;
  samples: number;
  /** Calls per sample (each sample lasts at least TimingOptions.minSampleTime). */
  callsPerSample: number;
}

export interface TimingOptions {
  /** Seconds the samples may take together (sampling stops after at least minSamples samples). */
  maxTime: number;
  minSamples: number;
  /**
   * Seconds a sample lasts at least: calls are batched until it does, so that
   * the timer's resolution (process.cpuUsage counts microseconds, and the
   * kernel charges CPU time at its ticks on some systems) is small beside it.
   * Default 0.02.
   */
  minSampleTime?: number;
}

const DEFAULT_MIN_SAMPLE = 0.02;
/** A sample loop that never reaches maxTime (a function of a few ns) still ends. */
import { median } from '../src/util/median.js';

/** The one median (src/util/median.ts), where the suites have always taken it from. */
export { median };

const MAX_SAMPLES = 1000;

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** One sample's seconds per call, by the wall clock and in CPU time of this process. */
export interface Sample { wall: number; cpu: number }

/** Calls that make a sample last at least `minSampleTime` seconds, from one timed call (the caller has warmed `fn` up). */
export function callsPerSample(fn: () => void, minSampleTime = DEFAULT_MIN_SAMPLE): number {
  const t = performance.now();
  fn();
  const once = Math.max((performance.now() - t) / 1000, 1e-7);
  return Math.max(1, Math.ceil(minSampleTime / once));
}

/** `calls` calls of `fn`, timed together: seconds per call. */
export function sampleOnce(fn: () => void, calls: number): Sample {
  const c0 = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < calls; i++) fn();
  const wall = (performance.now() - t) / 1000;
  return { wall: wall / calls, cpu: cpuSeconds(process.cpuUsage(c0)) / calls };
}

/**
 * Samples `fn` until it runs at its steady speed (settleOn: at most
 * SETTLE_MAX samples). A warm-up of fixed wall time is not enough on a loaded
 * host: V8 optimizes on background threads, which get little CPU time there,
 * and a process that started sampling before its code was optimized ran 3
 * times slower in every sample (macro syscall native, load average 13).
 * Returns the samples taken.
 */
export function settle(fn: () => void, calls: number): number {
  return settleOn(() => sampleOnce(fn, calls).cpu, SETTLE_MAX).runs;
}

/**
 * Calls `measure` (seconds of something) until its fastest figure has not
 * improved by more than 2% for 3 calls (at least 4, at most `max`), or
 * `budget` seconds of this process's CPU time are spent: the runs made, and
 * the fastest figure.
 */
export function settleOn(measure: () => number, max: number, budget = Infinity): { runs: number; best: number } {
  let best = Infinity, since = 0, runs = 0;
  const c0 = process.cpuUsage();
  while (runs < max && (runs < 4 || since < 3) && cpuSeconds(process.cpuUsage(c0)) < budget) {
    const t = measure();
    runs++;
    if (t < best * 0.98) since = 0; else since++;
    best = Math.min(best, t);
  }
  return { runs, best };
}

/** This process's CPU time so far, seconds (all its threads). */
export function cpuNow(): number {
  return cpuSeconds(process.cpuUsage());
}

const SETTLE_MAX = 20;

export function timeIt(name: string, fn: () => void, o: TimingOptions): Timing {
  const calls = callsPerSample(fn, o.minSampleTime);
  const wall: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (wall.length < MAX_SAMPLES && (wall.length < o.minSamples || (performance.now() - start) / 1000 < o.maxTime)) {
    let s: Sample;
    try {
      s = sampleOnce(fn, calls);
    } catch (e) {
      throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    wall.push(s.wall);
    cpu.push(s.cpu);
  }
  return { median: median(wall), cpu: median(cpu), rme: rme(wall), samples: wall.length, callsPerSample: calls };
}

/** 95% margin of error of the mean, relative, percent (normal approximation, as benchmark.js gives it for large samples). */
function rme(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return mean > 0 ? (1.96 * Math.sqrt(variance / xs.length)) / mean * 100 : 0;
}
