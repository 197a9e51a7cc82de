// The interpreter suite's workloads: each is a guest program and the same work
// written directly in JavaScript (the ceiling an emulator is measured against).
// Both compute the same value, so a run can prove it did the work it timed.

import { guestPath } from './paths.js';

export interface Workload {
  name: string;
  /** Guest source under guests/workloads/. */
  source: string;
  /** -D defines that set the size of the work. */
  defines: (size: number) => Record<string, number>;
  /** The same work in JavaScript; returns the 32-bit value the guest halts with. */
  js: (size: number) => number;
  /** The size used by `npm run bench`. */
  benchSize: number;
  what: string;
}

function alu(iterations: number): number {
  let a0 = 0;
  let a1 = 1;
  for (let t0 = iterations; t0 !== 0; t0--) {
    a0 = (a0 + a1) | 0;
    a1 ^= a0;
    const a2 = a0 << 3;
    a0 = (a2 - a0) | 0;
  }
  return (a0 + a1) | 0;
}

function memory(passes: number): number {
  const words = new Int32Array(65536 / 4);
  let sum = 0;
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      sum = (sum + w) | 0;
      words[i] = (w + 1) | 0;
    }
  }
  return sum;
}

function fib(n: number): number {
  return n < 2 ? n : (fib(n - 1) + fib(n - 2)) | 0;
}

export const WORKLOADS: readonly Workload[] = [
  { name: 'alu', source: 'alu.s', defines: (n) => ({ ITERATIONS: n }), js: alu, benchSize: 2_000_000,
    what: 'ALU loop (add, xor, shift, sub, branch)' },
  { name: 'memory', source: 'memory.s', defines: (n) => ({ PASSES: n }), js: memory, benchSize: 16,
    what: 'load/add/store over 64 KiB' },
  { name: 'calls', source: 'calls.s', defines: (n) => ({ N: n }), js: fib, benchSize: 22,
    what: 'recursive calls (naive fib)' },
];

/** guests/workloads/<file>. */
export function workloadPath(file: string): string {
  return guestPath('workloads', file);
}
