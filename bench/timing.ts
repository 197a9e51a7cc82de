// One benchmark.js measurement of a synchronous function: median seconds per
// call, relative margin of error, samples. Short by design (2 shared cores).

import Benchmark from 'benchmark';

export interface Timing {
  /**
   * Median seconds per call over the samples: what the suites report. On a
   * shared 2-core host a garbage collection or a background compile lands in
   * a few samples and moves the mean by tens of percent; the median does not.
   */
  median: number;
  /** Relative margin of error, in percent. */
  rme: number;
  samples: number;
}

export interface TimingOptions {
  /** Seconds benchmark.js may spend (it stops after at least minSamples samples). */
  maxTime: number;
  minSamples: number;
}

export function timeIt(name: string, fn: () => void, o: TimingOptions): Timing {
  const bench = new Benchmark(name, fn, { maxTime: o.maxTime, minSamples: o.minSamples, initCount: 1 });
  bench.run({ async: false });
  const error = (bench as unknown as { error?: unknown }).error;
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const sorted = [...bench.stats.sample].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, rme: bench.stats.rme, samples: bench.stats.sample.length };
}
