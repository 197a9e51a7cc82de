// Running the CLI on fuzz inputs and judging what it printed: bad input must
// give one line per diagnostic (file:line:column, with the source line and a
// caret under it; the first 100 of them, then a count), one `virtlab: N errors`
// line and exit code 1; never exit code 70, `internal error` or a stack trace;
// and every case must end within a time bound.

import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../cli/main.js';
import type { AsmCase } from './asm-cases.js';
import type { DebugCase } from './debug-cases.js';
import { guestsLib } from './run-program.js';

export interface CliOutcome { code: number; stdout: string; stderr: string; ms: number }
/** A runner that could not finish the case: over its time or heap bound. */
export interface CliAbort { aborted: string; ms: number }
export type CliRunner = (args: string[], cwd: string) => Promise<CliOutcome | CliAbort>;

/** The CLI's main() in this process (no bound but the measured time). */
export const inProcess: CliRunner = async (args, cwd) => {
  let stdout = '';
  let stderr = '';
  const t = performance.now();
  const code = await main(['node', 'virtlab', ...args], {
    out: (s) => { stdout += s; }, err: (s) => { stderr += s; }, cwd, stdin: () => new Uint8Array(),
  });
  return { code, stdout, stderr, ms: performance.now() - t };
};

/** A scratch copy of guests/ (mutants are written beside their originals there, so their includes resolve). */
export class Workspace {
  readonly root: string;
  readonly guests: string;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'virtlab-fuzz-'));
    this.guests = join(this.root, 'guests');
    cpSync(dirname(guestsLib()), this.guests, { recursive: true });
  }

  write(relPath: string, text: string): string {
    const p = join(this.guests, relPath);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
// (A `.error ""` or `.warning ""` of the source itself gives an empty message.)
const DIAG_HEAD = /^.+:\d+:\d+: (error|warning): /;

/** What is wrong with an `asm` run's output; undefined if it keeps the contract. */
export function asmProblem(o: CliOutcome | CliAbort, limitMs: number): string | undefined {
  if ('aborted' in o) return o.aborted;
  if (o.ms > limitMs) return `took ${Math.round(o.ms)} ms (bound ${limitMs} ms)`;
  const all = o.stdout + o.stderr;
  if (/internal error/.test(all)) return `internal error: ${all.split('\n').find((l) => l.includes('internal error'))}`;
  if (STACK_LINE.test(all)) return 'a stack trace in the output';
  if (o.code !== 0 && o.code !== 1) return `exit code ${o.code}`;
  const lines = o.stderr.split('\n');
  if (lines.at(-1) !== '') return 'stderr does not end with a newline';
  lines.pop();
  // The CLI prints the first diagnostics only, then says how many it kept back (src/cli/program.ts).
  const closing = o.code === 1 ? /^virtlab: (\d+) errors?(?: \(the first (\d+) diagnostics shown, (\d+) more not\))?$/ : /^virtlab: (\d+) more warnings not shown$/;
  const last = lines.length > 0 ? closing.exec(lines.at(-1)!) : null;
  if (last) lines.pop();
  let errors = 0, heads = 0;
  let afterHead = 0; // continuation lines allowed after a diagnostic: the source line and the caret
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const head = DIAG_HEAD.exec(l);
    if (head) { heads++; if (head[1] === 'error') errors++; afterHead = 2; continue; }
    if (l.startsWith('  ') && afterHead > 0) { afterHead--; continue; }
    return `stderr line ${i + 1} is neither a diagnostic nor its source and caret: ${JSON.stringify(l.slice(0, 100))}`;
  }
  if (o.code === 1) {
    if (!last) return 'exit code 1 without the closing `virtlab: N errors` line';
    if (errors === 0) return 'exit code 1 but no error diagnostic';
    const [total, shown] = [Number(last[1]), last[2] === undefined ? undefined : Number(last[2])];
    if (shown === undefined && total !== errors) return `'virtlab: ${total} errors' but ${errors} error diagnostics printed`;
    if (shown !== undefined && (heads !== shown || total < errors)) return `'${last[0]}' but ${heads} diagnostics (${errors} errors) printed`;
  } else {
    if (errors > 0) return `exit code 0 with ${errors} error diagnostics`;
    if (last && heads === 0) return `'${last[0]}' but no warning printed`;
  }
  return undefined;
}

/** What is wrong with a `debug --script` run; undefined if it keeps the contract. */
export function debugProblem(o: CliOutcome | CliAbort, limitMs: number): string | undefined {
  if ('aborted' in o) return o.aborted;
  if (o.ms > limitMs) return `took ${Math.round(o.ms)} ms (bound ${limitMs} ms)`;
  const all = o.stdout + o.stderr;
  if (/internal error/.test(all)) return `internal error: ${all.split('\n').find((l) => l.includes('internal error'))}`;
  if (STACK_LINE.test(all)) return 'a stack trace in the output';
  if (o.code !== 0) return `exit code ${o.code}: ${o.stderr.trim().split('\n')[0]}`;
  if (o.stderr !== '') return `stderr is not empty: ${o.stderr.trim().split('\n')[0]}`;
  return undefined;
}

export interface CliCaseResult { problem?: string; origin: string; ms: number; file: string; args: string[]; code?: number }

export async function runAsmCase(ws: Workspace, c: AsmCase, run: CliRunner, limitMs: number): Promise<CliCaseResult> {
  const file = ws.write(c.path, c.source);
  const args = ['asm', file, '-o', join(ws.root, 'out.elf'), ...c.defines.flatMap((d) => ['-D', d])];
  const o = await run(args, ws.guests);
  const problem = asmProblem(o, limitMs);
  return { ...(problem ? { problem } : {}), origin: c.origin, ms: o.ms, file, args, ...('code' in o ? { code: o.code } : {}) };
}

export async function runDebugCase(ws: Workspace, c: DebugCase, run: CliRunner, limitMs: number): Promise<CliCaseResult> {
  const file = ws.write('fuzz-debug.script', c.script);
  const args = ['debug', join(ws.guests, c.guest), '--script', file, '--max-steps', '20000', '--history', '5000', ...(c.mode === 'native' ? [] : ['--mode', c.mode])];
  const o = await run(args, ws.guests);
  const problem = debugProblem(o, limitMs);
  return { ...(problem ? { problem } : {}), origin: c.origin, ms: o.ms, file, args, ...('code' in o ? { code: o.code } : {}) };
}
