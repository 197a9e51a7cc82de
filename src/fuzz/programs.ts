// One random-program case end to end (generate, assemble, compare), the
// reproducer of a divergence (shrunk, written as a .s file whose first line
// says how to replay it) and the replay of such a file.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { classifyKnown } from './known.js';
import { generateProgram, type GenOptions, type Profile, PROFILES, type Program } from './program.js';
import { renderProgram } from './render.js';
import { buildImages, checkProgram, guestsLib, type Divergence } from './run-program.js';
import { shrinkProgram } from './shrink.js';

export interface ProgramCase { program: Program; divergences: Divergence[] }

/** Check a program assembled in memory (its includes resolve from guests/lib). */
export function checkInMemory(p: Program, checks?: readonly string[]): Divergence[] {
  const source = renderProgram(p, { lib: '' });
  const pv = p.profile === 'pv' || (checks ?? []).some((c) => c.endsWith('pv'));
  const built = buildImages(source, join(guestsLib(), 'fuzz-case.s'), pv);
  return checkProgram(built, p.profile, { seed: p.seed, ...(checks ? { checks } : {}) });
}

export function runProgramCase(seed: number, gen: GenOptions = {}): ProgramCase {
  const program = generateProgram(seed, gen);
  return { program, divergences: checkInMemory(program) };
}

const HEADER = 'virtlab-fuzz';

export interface Reproducer { file: string; command: string; program: Program; tries: number; known?: string }

/** Shrink `p` while `d.check` still diverges (unless `shrink` is false) and write the result to `outDir`. */
export function writeReproducer(p: Program, d: Divergence, outDir: string, shrink = true): Reproducer {
  const only = [d.check];
  // The same comparison must still fail the same way: by throwing, or by a difference.
  const threw = (x: Divergence) => x.detail.startsWith('threw ');
  const { program, tries } = shrink
    ? shrinkProgram(p, (q) => checkInMemory(q, only).some((x) => x.check === d.check && threw(x) === threw(d)))
    : { program: p, tries: 0 };
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `program-${p.seed}-${d.check.replace(/[^a-z0-9-]+/gi, '_')}.s`);
  const lib = relative(resolve(outDir), guestsLib()).split('\\').join('/') + '/';
  const final = checkInMemory(program, only)[0] ?? d;
  const known = classifyKnown(final);
  writeFileSync(file, renderProgram(program, {
    lib,
    header: `${HEADER}: check=${d.check} seed=${p.seed} profile=${p.profile} -- ${final.detail}${known ? ` (known: ${known})` : ''}`,
  }));
  return { file, command: `npm run fuzz -- --replay ${file}`, program, tries, ...(known ? { known } : {}) };
}

export interface ReplaySpec { check: string; seed: number; profile: Profile }

/** The replay header of a reproducer, or undefined if the file has none. */
export function parseReplayHeader(source: string): ReplaySpec | undefined {
  const m = new RegExp(`^; ${HEADER}: check=(\\S+) seed=(\\d+) profile=(\\w+)`).exec(source);
  if (!m || !(PROFILES as readonly string[]).includes(m[3]!)) return undefined;
  return { check: m[1]!, seed: Number(m[2]), profile: m[3] as Profile };
}

/** Run the comparison a reproducer names on the file as it is (edited by hand or not). */
export function replayFile(path: string): { spec: ReplaySpec; divergences: Divergence[] } {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const spec = parseReplayHeader(source);
  if (!spec) throw new Error(`${path}: no '; ${HEADER}: check=... seed=... profile=...' first line`);
  const built = buildImages(source, resolve(path), spec.profile === 'pv' || spec.check.endsWith('pv'));
  return { spec, divergences: checkProgram(built, spec.profile, { seed: spec.seed, checks: [spec.check] }) };
}
