// Runs the CLI in-process with captured output: main() from src, no child process.

import { main } from '../../src/cli/main.js';

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCli(args: string[], cwd?: string, stdin?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'virtlab', ...args], {
    out: (s) => { stdout += s; },
    err: (s) => { stderr += s; },
    cwd,
    stdin: () => new TextEncoder().encode(stdin ?? ''),
  });
  return { code, stdout, stderr };
}

/** The one-line error contract: exactly one line, prefixed `virtlab: `. */
export function oneErrorLine(run: CliRun): string {
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  if (lines.length !== 1 || !lines[0]!.startsWith('virtlab: ')) throw new Error(`expected one 'virtlab:' line on stderr, got:\n${run.stderr}`);
  return lines[0]!;
}

/** The object `virtlab run ARGS --json` prints; anything on stderr fails the caller's test. */
export async function runJson(args: string[]): Promise<ReturnType<typeof JSON.parse>> {
  const r = await runCli(['run', ...args, '--json']);
  if (r.stderr !== '') throw new Error(`virtlab run ${args.join(' ')} --json wrote to stderr:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}
