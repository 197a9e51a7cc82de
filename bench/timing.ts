// One benchmark.js measurement of a synchronous function: mean seconds per
// call, relative margin of error, samples. Short by design (2 shared cores).

import Benchmark from 'benchmark';

export interface Timing {
  /** Mean seconds per call. */
  mean: number;
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
  return { mean: bench.stats.mean, rme: bench.stats.rme, samples: bench.stats.sample.length };
}
