// The median of a list of numbers: the cost model's tables (src/vmm/exit-latency.ts)
// and the benchmarks (bench/) take it the same way. NaN for an empty list.

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
