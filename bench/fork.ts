// Each cell measured in a fresh Node process, as JMH forks a JVM per benchmark:
// in one long-lived process V8's type feedback accumulates across cells, the
// monitor's call sites see every mode's classes and go megamorphic, and the
// cells measured later run slower than they do alone (bt on macro compute
// measured 1.96x native after the other modes, 1.35x alone). The child is the
// built bench/cell-process.ts; it prints the measurement as JSON.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { CliError } from '../src/cli/context.js';
import { cellLabel, type CellSpec, type Measurer } from './cell.js';
import type { EngineCellMeasurement } from './engine-cell.js';
import type { GuestCellMeasurement } from './guest-cell.js';
import type { HostCellMeasurement } from './host-cell.js';
import type { NetCellMeasurement } from './net-cell.js';
import { packageRoot } from './paths.js';

export function cellProcessPath(): string {
  return resolve(packageRoot(), 'dist', 'bench', 'cell-process.js');
}

/** A Measurer that runs `script` (the built cell-process.js) once per cell; fails at once if it is missing. */
export function forkingMeasurer(script = cellProcessPath()): Measurer {
  if (!existsSync(script)) {
    throw new CliError(`cannot measure each cell in its own process: ${relative(packageRoot(), script) || script} is missing (run \`npm run build\`, or use --no-fork)`);
  }
  return {
    guest: (spec) => measureInChild(script, spec, ['out', 'code', 'iterations', 'run', 'baseline', 'counts', 'cycles']) as GuestCellMeasurement,
    engine: (spec) => measureInChild(script, spec, ['timing', 'value', 'instructions', 'counters']) as EngineCellMeasurement,
    host: (spec) => measureInChild(script, spec, ['instructions', 'switches', 'timing', 'reference', 'ratioToOne', 'cost']) as HostCellMeasurement,
    net: (spec) => measureInChild(script, spec, ['stream', 'latency']) as NetCellMeasurement,
  };
}

/** Child output beyond this is a broken child, not a measurement (a guest's console output is a few lines). */
const MAX_CHILD_OUTPUT = 64 << 20;

/**
 * Runs the child on one cell and returns its parsed result, which must be an
 * object with the `keys` given. Any failure is a one-line CliError naming the
 * cell, with the first line of what the child said on stderr.
 */
export function measureInChild(script: string, spec: CellSpec, keys: readonly string[]): object {
  const label = cellLabel(spec);
  const fail = (why: string): never => {
    throw new CliError(why.startsWith(`${label}:`) ? why : `${label}: ${why}`);
  };
  const r = spawnSync(process.execPath, [script, JSON.stringify(spec)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: MAX_CHILD_OUTPUT,
  });
  if (r.error) fail(`cannot run the measuring process: ${r.error.message}`);
  const said = firstLine(r.stderr);
  if (r.status !== 0) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.status}`;
    fail(said === undefined ? `the measuring process ${how}` : r.signal ? `${said} (the measuring process ${how})` : said);
  }
  let result: unknown;
  try {
    result = JSON.parse(r.stdout);
  } catch {
    fail(`the measuring process printed no JSON result${said === undefined ? '' : `: ${said}`}`);
  }
  const missing = typeof result === 'object' && result !== null ? keys.filter((k) => !(k in result)) : keys;
  if (missing.length > 0) fail(`the measuring process's result lacks ${missing.join(', ')}`);
  return result as object;
}

/**
 * What the child said, on one line: the first line of its stderr (cell-process
 * prints exactly one), or, when Node printed an uncaught exception (a source
 * line, a caret, then `Name: message` and the stack), its `Name: message` line.
 */
export function firstLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => /^[A-Z]\w*(Error|Exception)( \[\w+\])?: /.test(l)) ?? lines[0];
}
