// Measuring a cell in a child process (bench/fork.ts): a child that fails,
// crashes or prints no result becomes one line naming the cell; a missing
// build is one line telling the user to build. The real child is dist/, which
// `npm test` builds first.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GuestCellSpec } from '../../bench/guest-cell.js';
import type { EngineCellSpec } from '../../bench/engine-cell.js';
import { cellProcessPath, forkingMeasurer, measureInChild } from '../../bench/fork.js';
import { forkedAll, forkedSessions } from '../../bench/cell-session.js';
import { CliError } from '../../src/cli/context.js';

const timing = { maxTime: 0.01, minSamples: 1 };
const engineSpec: EngineCellSpec = { kind: 'engine', workload: 'alu', column: 'js', timing };
const dir = mkdtempSync(join(tmpdir(), 'virtlab-fork-'));
const script = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The CliError measureInChild throws (it must throw one). */
function failure(f: () => unknown): CliError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error('expected a CliError');
}

describe('bench: a cell measured in a child process', () => {
  it('a missing build: one line telling to run npm run build', () => {
    const e = failure(() => forkingMeasurer(join(dir, 'nosuch.js')));
    expect(e.message).toMatch(/is missing \(run `npm run build`, or use --no-fork\)$/);
    expect(e.message).not.toMatch(/\n/);
  });

  it('the real child refusing a cell: its one line, naming the cell', () => {
    const spec: GuestCellSpec = { kind: 'guest', suite: 'nano', workload: 'nosuch', mode: 'bt', engine: 'jit', costModel: 'p4-2006', quick: true, timing };
    const e = failure(() => measureInChild(cellProcessPath(), spec, ['out']));
    expect(e.message).toBe("nano nosuch bt: unknown nano workload 'nosuch'");
  });

  it('a child that crashes with a stack trace: the error line only, prefixed with the cell', () => {
    const crash = script('crash.mjs', "function f() { throw new RangeError('boom'); }\nf();\n");
    const e = failure(() => measureInChild(crash, engineSpec, ['timing']));
    expect(e.message).toBe('engine alu js: RangeError: boom');
  });

  it('a child killed by a signal says so', () => {
    const killed = script('killed.mjs', "process.stderr.write('going\\n'); process.kill(process.pid, 'SIGKILL');\n");
    expect(failure(() => measureInChild(killed, engineSpec, ['timing'])).message).toBe('engine alu js: going (the measuring process was killed by SIGKILL)');
  });

  it('a child that prints no JSON, or JSON without the measurement', () => {
    const chatty = script('chatty.mjs', "console.log('hello');\n");
    expect(failure(() => measureInChild(chatty, engineSpec, ['timing'])).message).toBe('engine alu js: the measuring process printed no JSON result');
    const partial = script('partial.mjs', "console.log(JSON.stringify({ timing: {} }));\n");
    expect(failure(() => measureInChild(partial, engineSpec, ['timing', 'value'])).message).toBe("engine alu js: the measuring process's result lacks value");
  });

  it('the real child measures an engine cell: the value JavaScript computes', () => {
    const m = forkingMeasurer().engine({ kind: 'engine', workload: 'calls', column: 'js', timing });
    expect(m.value).toBe(17711); // fib(22)
    expect(m.instructions).toBeNull();
    expect(m.timing.samples).toBeGreaterThanOrEqual(1);
  });
});

describe('bench: a guest cell kept ready in a child process (cell-server)', () => {
  const guest = (workload: string): GuestCellSpec => ({ kind: 'guest', suite: 'nano', workload, mode: 'hw', engine: 'jit', costModel: 'p4-2006', quick: true, timing });

  it('a missing build: one line telling to run npm run build', () => {
    expect(() => forkedSessions(join(dir, 'nosuch.js'))).toThrow(/is missing \(run `npm run build`, or use --no-fork\)$/);
  });

  it('the real child refusing a cell: its one line, naming the cell', async () => {
    await expect(forkedSessions()(guest('nosuch'))).rejects.toThrow(/^nano nosuch hw: unknown nano workload 'nosuch'$/);
  });

  it('a child that dies between samples: one line naming the cell', async () => {
    const dies = script('dies.mjs', "console.log(JSON.stringify({ ready: true, info: {}, calls: {} })); process.stdin.once('data', () => { process.stderr.write('gone\\n'); process.exit(3); });\n");
    const s = await forkedSessions(dies)(guest('in'));
    await expect(s.sample()).rejects.toThrow(/^nano in hw: gone$/);
  });

  it('the real child: what the cell counts, then one sample per request, CPU and wall time', async () => {
    const s = await forkedSessions()(guest('in'));
    try {
      expect(s.info.counts.monitor?.exitIo).toBe(1);
      for (let i = 0; i < 2; i++) {
        const x = await s.sample();
        expect(x.run.cpu).toBeGreaterThan(0);
        expect(x.run.wall).toBeGreaterThan(0);
        expect(x.baseline.cpu).toBeGreaterThan(0);
      }
    } finally {
      s.close();
    }
  });

  it('the real child, an engine cell (the machine\'s speed reference): what the guest computes and counts, then its seconds per run', async () => {
    const s = await forkedAll().engine({ kind: 'engine', workload: 'memory', column: 'jit', timing, quick: true });
    try {
      const js = forkingMeasurer().engine({ kind: 'engine', workload: 'memory', column: 'js', timing });
      expect(s.info.value).toBe(js.value);
      expect(s.info.instructions).toBe(1_579_142);
      for (let i = 0; i < 2; i++) {
        const x = await s.sample();
        expect(x.cpu).toBeGreaterThan(0);
        expect(x.wall).toBeGreaterThan(0);
      }
    } finally {
      s.close();
    }
  });
});
