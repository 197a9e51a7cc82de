// Random guest code for robustness tests: valid encodings from the ISA table
// with random operands, mixed with raw noise (mostly undefined instructions).

import { encode, INSTRUCTIONS, operandRange, type OperandValue } from '../../src/isa/index.js';

/** A deterministic generator of unsigned 32-bit numbers. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}

export function randomWord(next: () => number): number {
  if (next() % 4 === 0) return next() | 0;
  const def = INSTRUCTIONS[next() % INSTRUCTIONS.length]!;
  const values: OperandValue[] = def.operands.map((spec) => {
    const r = operandRange(spec)!;
    const steps = Math.floor((r.max - r.min) / r.step) + 1;
    const pick = (n: number) => r.min + (n % steps) * r.step;
    return spec.kind === 'mem' || spec.kind === 'port' ? { offset: pick(next()), base: next() % 16 } : pick(next());
  });
  return encode(def, values);
}
