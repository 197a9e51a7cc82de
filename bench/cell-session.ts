// A cell kept ready between timed samples (a guest cell of the nano and macro
// suites, a net cell, a profiles timer cell, an engine cell), so that a round can take the
// samples of a group's cells in turn (bench/interleave.ts): in a process of
// its own (bench/cell-server.ts), or here (--no-fork, where every mode's
// classes meet in this one process: bench/fork.ts says what that costs).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CliError } from '../src/cli/context.js';
import { firstLine } from './fork.js';
import { guestCellLabel, readyGuestCell, type GuestCellInfo, type GuestCellSpec, type GuestSample } from './guest-cell.js';
import { netCellLabel, readyNetCell, type NetCellMeasurement, type NetCellSpec, type NetSample } from './net-cell.js';
import { packageRoot } from './paths.js';
import { readyTimerCell, timerCellLabel, type TimerCellInfo, type TimerCellSpec } from './profiles-timer-cell.js';
import { engineCellLabel, readyEngineCell, type EngineCellInfo, type EngineCellSpec } from './engine-cell.js';
import type { Sample } from './timing.js';

export type { GuestSample };

export interface Session<I, S> {
  info: I;
  sample(): Promise<S>;
  close(): void;
}

export type GuestSession = Session<GuestCellInfo, GuestSample>;
export type OpenSession = (spec: GuestCellSpec) => Promise<GuestSession>;
export type OpenNetSession = (spec: NetCellSpec) => Promise<Session<NetCellMeasurement, NetSample>>;
export type OpenTimerSession = (spec: TimerCellSpec) => Promise<Session<TimerCellInfo, GuestSample>>;
export type OpenEngineSession = (spec: EngineCellSpec) => Promise<Session<EngineCellInfo, Sample>>;

/** How a suite opens each kind of cell: each in a process of its own, or all in this one. */
export interface Sessions { guest: OpenSession; net: OpenNetSession; timer: OpenTimerSession; engine: OpenEngineSession }

export const openInProcess: OpenSession = async (spec) => inProcess(readyGuestCell(spec));
export const IN_PROCESS_SESSIONS: Sessions = {
  guest: openInProcess,
  net: async (spec) => inProcess(readyNetCell(spec)),
  timer: async (spec) => inProcess(readyTimerCell(spec)),
  engine: async (spec) => inProcess(readyEngineCell(spec)),
};

function inProcess<I, S>(cell: { info: I; sample(): S }): Session<I, S> {
  return { info: cell.info, sample: async () => cell.sample(), close: () => {} };
}

export function cellServerPath(): string {
  return resolve(packageRoot(), 'dist', 'bench', 'cell-server.js');
}

/** Child output beyond this is a broken child, not a measurement. */
const MAX_LINE = 16 << 20;

/** Opens each guest cell in a fresh `node script` (the built cell-server.js); fails at once if it is missing. */
export function forkedSessions(script = cellServerPath()): OpenSession {
  return forkedAll(script).guest;
}

/** Opens each cell of every kind in a fresh `node script`; fails at once if it is missing. */
export function forkedAll(script = cellServerPath()): Sessions {
  if (!existsSync(script)) {
    throw new CliError(`cannot measure each cell in its own process: ${relative(packageRoot(), script) || script} is missing (run \`npm run build\`, or use --no-fork)`);
  }
  return {
    guest: (spec) => openChild(script, spec, guestCellLabel(spec), ['run', 'baseline']),
    net: (spec) => openChild(script, spec, netCellLabel(spec), ['stream', 'latency']),
    timer: (spec) => openChild(script, spec, timerCellLabel(spec), ['run', 'baseline']),
    engine: (spec) => openChild(script, spec, engineCellLabel(spec), ['cpu', 'wall']),
  };
}

function openChild<I, S>(script: string, spec: object, label: string, sampleKeys: readonly string[]): Promise<Session<I, S>> {
  const child = spawn(process.execPath, [script, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { if (stderr.length < MAX_LINE) stderr += d; });
  // Replies in order: each waiting request takes the next line.
  const waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  const lines: string[] = [];
  let failure: Error | undefined;
  const fail = (why: string) => {
    failure ??= new CliError(why.startsWith(`${label}:`) ? why : `${label}: ${why}`);
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w.resolve(line); else lines.push(line);
  });
  child.on('error', (e) => fail(`cannot run the measuring process: ${e.message}`));
  child.on('close', (code, signal) => {
    if (closing && code === 0) return;
    const said = firstLine(stderr);
    const how = signal ? `was killed by ${signal}` : code === 0 ? 'ended before answering' : `exited with code ${code}`;
    fail(said === undefined ? `the measuring process ${how}` : signal ? `${said} (the measuring process ${how})` : said);
  });
  child.stdin.on('error', () => {}); // a child that died: reported by 'close'
  let closing = false;
  const next = (): Promise<string> => {
    if (failure) return Promise.reject(failure);
    const line = lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((res, rej) => waiting.push({ resolve: res, reject: rej }));
  };
  const parse = (line: string, keys: readonly string[]): Record<string, unknown> => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new CliError(`${label}: the measuring process printed no JSON result`);
    }
    const missing = typeof v === 'object' && v !== null ? keys.filter((k) => !(k in v)) : keys;
    if (missing.length > 0) throw new CliError(`${label}: the measuring process's result lacks ${missing.join(', ')}`);
    return v as Record<string, unknown>;
  };
  return next().then((line) => {
    const ready = parse(line, ['info', 'calls']);
    return {
      info: ready.info as I,
      sample: async () => {
        child.stdin.write('s\n');
        return parse(await next(), sampleKeys) as unknown as S;
      },
      close: () => { closing = true; child.stdin.end(); },
    };
  }, (e: unknown) => { child.kill(); throw e; });
}
