// Random guest code for robustness tests: valid encodings from the ISA table
// with random operands, mixed with raw noise (mostly undefined instructions);
// and the fuzzers' classes of hostile input (src/fuzz, docs/fuzzing.md).

import { join } from 'node:path';
import type { Image } from '../../src/elf/image.js';
import { stressCase, tokenCase } from '../../src/fuzz/asm-cases.js';
import { debugCase } from '../../src/fuzz/debug-cases.js';
import { generateProgram, type GenOptions } from '../../src/fuzz/program.js';
import { renderProgram } from '../../src/fuzz/render.js';
import { buildImages, guestsLib } from '../../src/fuzz/run-program.js';
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

// The fuzzers' classes of hostile input (src/fuzz, docs/fuzzing.md), for any test that
// wants more of them: structured random programs (assembled, native or -D PV build),
// assembler sources (token streams and stress cases; mutations need a guests/ copy, see
// src/fuzz/cli-check.ts's Workspace) and debugger scripts.

/** A generated program that halts: the kernel, trap handler and timer of src/fuzz around a random body. */
export function randomProgramImage(seed: number, opts: GenOptions & { pv?: boolean } = {}): Image {
  const p = generateProgram(seed, opts.pv ? { ...opts, profile: 'pv' } : opts);
  const built = buildImages(renderProgram(p, { lib: '' }), join(guestsLib(), 'fuzz-case.s'), opts.pv === true);
  return opts.pv ? built.pv! : built.native;
}

/** Assembler source the assembler must refuse (or accept) with one-line diagnostics. */
export function randomAsmSource(seed: number, stressScale = 0): string {
  return (stressScale > 0 ? stressCase(seed, stressScale) : tokenCase(seed)).source;
}

/** A debugger script of random command lines. */
export function randomDebugScript(seed: number): string {
  return debugCase(seed).script;
}
