// Debugger sessions on real programs, built the way `virtlab debug` builds them.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { hostSession as cliHostSession, type DebugOpts } from '../../src/cli/debug.js';
import { machineFromOptions } from '../../src/cli/machine-options.js';
import { loadProgram } from '../../src/cli/program.js';
import { DebugSession } from '../../src/debug/index.js';
import type { Machine } from '../../src/machine/index.js';
import type { ModeName } from '../../src/vmm/index.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const CALLS = 'test/debug/fixtures/calls.s';

const ctx: CliContext = { io: { out: () => {}, err: () => {} }, readStdin: () => new Uint8Array(), cwd: ROOT };

export interface SessionOptions {
  history?: number;
  maxSteps?: number;
  input?: string;
  /** native (default), or under the monitor as `virtlab debug --mode MODE`. */
  mode?: ModeName;
  /** hw: nested paging (default), or the monitor's shadow tables as `--no-ept`. */
  ept?: boolean;
}

export function session(file: string, options: SessionOptions = {}): DebugSession {
  const image = loadProgram(ctx, file);
  const { machine, engine, vm } = machineFromOptions(ctx, image, {
    maxSteps: options.maxSteps ?? 100_000_000, memory: 16, ...(options.input === undefined ? {} : { input: options.input }),
    mode: options.mode ?? 'native', costModel: 'p4-2006', ept: options.ept ?? true, vpid: true, engine: 'interp',
  }, 'capture');
  return new DebugSession({
    machine, engine, image,
    ...(vm.monitor ? { monitor: vm.monitor, reload: () => vm.reset(), directEngine: vm.engine } : {}), maxSteps: options.maxSteps ?? 100_000_000, history: options.history ?? 1_000_000,
    readSource: (f) => {
      try { return readFileSync(resolve(ROOT, f), 'utf8'); } catch { return undefined; }
    },
  });
}

/** Run commands; the output of each, in order. Throws if a command fails unexpectedly (unless `allowErrors`). */
export function run(s: DebugSession, ...commands: string[]): string[] {
  return commands.map((c) => {
    const r = s.execute(c);
    if (!r.ok) throw new Error(`command '${c}' failed: ${r.output}`);
    return r.output;
  });
}

/** Output of one command that must succeed. */
export function out(s: DebugSession, command: string): string {
  return run(s, command)[0]!;
}

/** Output of one command that must fail, as its one line. */
export function fails(s: DebugSession, command: string): string {
  const r = s.execute(command);
  if (r.ok) throw new Error(`command '${command}' succeeded: ${r.output}`);
  return r.output;
}

/** Everything that defines the machine: captured state (registers, CRs, TLB, devices, counters) and a RAM hash. */
export function fullState(m: Machine): { state: unknown; ram: string; console: string } {
  return {
    state: m.captureState(),
    ram: createHash('sha256').update(m.mem.u8).digest('hex'),
    console: m.console?.text() ?? '',
  };
}

/**
 * `step n`, `back n`, `step n`: going back restores the whole machine (the
 * monitor's state included) and going forward again repeats the run bit for bit.
 * Returns the states before and after the first `step n`.
 */
export function expectStepBackStep(s: DebugSession, n: number): { before: ReturnType<typeof fullState>; after: ReturnType<typeof fullState> } {
  const before = fullState(s.machine);
  out(s, `step ${n}`);
  const after = fullState(s.machine);
  expect(after.state).not.toEqual(before.state);
  out(s, `back ${n}`);
  expect(fullState(s.machine)).toEqual(before);
  out(s, `step ${n}`);
  expect(fullState(s.machine)).toEqual(after);
  return { before, after };
}

/** The last line of an output (the location line after a resuming command). */
export function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1]!;
}

export function pc(s: DebugSession): number {
  return s.machine.cpu.pc >>> 0;
}

/** A session on a host configuration (or --vm specs), built as `virtlab debug HOST.json` builds it. */
export function hostSession(config: string | undefined, options: { specs?: string[]; history?: number; maxSteps?: number; slice?: number } = {}): DebugSession {
  const opts: DebugOpts = {
    maxSteps: options.maxSteps ?? 100_000_000, memory: 16, history: options.history ?? 1_000_000, mode: 'native', costModel: 'p4-2006',
    ept: true, vpid: true, engine: 'interp', ...(options.slice === undefined ? {} : { slice: options.slice }),
  };
  return cliHostSession(ctx, config, options.specs ?? [], opts, {
    maxSteps: opts.maxSteps, history: opts.history,
    readSource: (f) => {
      try { return readFileSync(resolve(ROOT, f), 'utf8'); } catch { return undefined; }
    },
  });
}
