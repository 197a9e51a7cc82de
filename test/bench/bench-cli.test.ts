// `virtlab bench`: argument errors, and a --quick nano run on two guests: the
// table has every mode column, the JSON has the documented shape, the SVG one
// bar per cell, the paper table the paper's figures; each cell measured in a
// child process (dist/bench/cell-process.js: `npm test` builds first) counts
// exactly what --no-fork measures in this process. Nothing here is timed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneErrorLine, runCli, type CliRun } from '../cli/run.js';

describe('virtlab bench: arguments', () => {
  for (const [args, what] of [
    [['--suite', 'huge'], /suite/],
    [['--engine', 'fast'], /engine/],
    [['--cost-model', 'p5'], /cost-model/],
    [['--bogus'], /unknown option/],
    [['--only', 'nosuch'], /unknown workload 'nosuch'/],
    [['--rounds', '0'], /bad --rounds '0': expected a number of rounds \(a whole number from 1 to 20\)/],
    [['--rounds', '2.5'], /bad --rounds '2.5': expected a number of rounds \(a whole number from 1 to 20/],
  ] as const) {
    it(`${args.join(' ')}: one line, exit 2`, async () => {
      const r = await runCli(['bench', ...args]);
      expect(r.code).toBe(2);
      expect(oneErrorLine(r)).toMatch(what);
      expect(r.stdout).toBe('');
    });
  }
});

describe('virtlab bench --quick --suite nano (in, callret)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-'));
  let run: CliRun;
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let svg: string;
  let inProcess: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    run = await runCli(['bench', '--quick', '--suite', 'nano', '--only', 'in,callret', '--json', 'r.json', '--svg', 'r.svg'], dir);
    json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    svg = readFileSync(join(dir, 'r.svg'), 'utf8');
    const noFork = await runCli(['bench', '--quick', '--suite', 'nano', '--only', 'in', '--no-fork', '--json', 'in.json'], dir);
    expect(noFork.code).toBe(0);
    inProcess = JSON.parse(readFileSync(join(dir, 'in.json'), 'utf8'));
  }, 180_000);

  it('succeeds, with progress on stderr and the tables on stdout', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^nano in native: /m);
    expect(run.stderr).toMatch(/^nano callret hw-noept: /m);
    const header = run.stdout.split('\n').find((l) => l.startsWith('workload'))!;
    expect(header.split(/\s+/)).toEqual(['workload', 'native', 'trap', 'bt', 'pv', 'hw', 'hw-noept']);
    expect(run.stdout).toMatch(/^in\s/m);
    expect(run.stdout).toMatch(/^callret\s/m);
  });

  it('writes the JSON report in the documented shape', () => {
    expect(Object.keys(json).sort()).toEqual(['date', 'machine', 'nano', 'options', 'paper', 'targets']);
    expect(json.options).toEqual({ suite: 'nano', engine: 'jit', costModel: 'p4-2006', quick: true, rounds: 1 });
    expect(json.nano.modes).toEqual(['native', 'trap', 'bt', 'pv', 'hw', 'hw-noept']);
    expect(json.nano.cells).toHaveLength(12);
    for (const c of json.nano.cells) {
      expect(Object.keys(c).sort()).toEqual(['counts', 'cycles', 'host', 'iterations', 'mode', 'ratioToNative', 'workload']);
      expect(Object.keys(c.host).sort()).toEqual(['baselineMs', 'nsPerIteration', 'rme', 'runMs', 'samples']);
      expect(c.cycles.preset).toBe('p4-2006');
    }
    // Counts and cycles are exact (not timed): the hw `in` iteration is one I/O exit, 3 + 2,409 + 6,700 + 178 + 171 cycles.
    const hwIn = json.nano.cells.find((c: any) => c.workload === 'in' && c.mode === 'hw'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(hwIn.counts.monitor.exitIo).toBe(1);
    expect(hwIn.cycles.perIteration).toBe(9461);
    const native = json.nano.cells.find((c: any) => c.workload === 'in' && c.mode === 'native'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(native.counts.monitor).toBeNull();
    expect(hwIn.ratioToNative.cycles).toBeCloseTo(9461 / native.cycles.perIteration, 2);
  });

  it('counts and prices each cell the same in a child process as with --no-fork (in this process)', () => {
    expect(inProcess.options).toEqual({ suite: 'nano', engine: 'jit', costModel: 'p4-2006', quick: true, rounds: 1 });
    const forked = json.nano.cells.filter((c: { workload: string }) => c.workload === 'in');
    expect(inProcess.nano.cells.map((c: { mode: string }) => c.mode)).toEqual(forked.map((c: { mode: string }) => c.mode));
    expect(forked).toHaveLength(6);
    for (const [i, c] of inProcess.nano.cells.entries()) {
      expect({ mode: c.mode, iterations: c.iterations, counts: c.counts, cycles: c.cycles, ratio: c.ratioToNative.cycles })
        .toEqual({ mode: forked[i].mode, iterations: forked[i].iterations, counts: forked[i].counts, cycles: forked[i].cycles, ratio: forked[i].ratioToNative.cycles });
    }
  });

  it('draws one bar per cell that is not native, in well-formed SVG', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Well-formed: every element is closed and properly nested (a small stack check; no XML parser dependency).
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else if (!m[3]) stack.push(m[2]!);
    }
    expect(stack).toEqual([]);
    const cells = json.nano.cells.filter((c: { mode: string }) => c.mode !== 'native');
    const bars = [...svg.matchAll(/<rect class="bar"[^>]*data-workload="([^"]+)" data-mode="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    const na = (svg.match(/class="na"/g) ?? []).length;
    expect(bars.length + na).toBe(cells.length);
    for (const c of cells) if (c.ratioToNative.host !== null) expect(bars).toContain(`${c.workload} ${c.mode}`);
  });

  it('prints the model beside the paper\'s figures', () => {
    const section = run.stdout.slice(run.stdout.indexOf('Adams & Agesen 2006'));
    for (const figure of ['3,209', '~214', '15,826', '11', '51']) expect(section).toContain(figure);
    expect(json.paper.map((r: { guest: string }) => r.guest)).toEqual(['in', 'callret']);
    expect(json.paper[0].paper).toMatchObject({ native: 3209, bt: 214, hw: 15826 });
    expect(json.paper[0].model.hw).toBe(9461);
    expect(section).toMatch(/^in\s+3,209\s+3,209\s+×1\.00\s+~214\s+\d+\s+×0\.\d\d\s+15,826\s+9,461\s+×0\.60\s+BT < native < HW\s+yes$/m);
  });
});

describe('virtlab bench --quick --suite engine --only calls: forked and --no-fork', () => {
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-engine-'));
  const runs: Record<string, { run: CliRun; json: any }> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    for (const [name, extra] of [['fork', []], ['no-fork', ['--no-fork']]] as const) {
      const run = await runCli(['bench', '--quick', '--suite', 'engine', '--only', 'calls', ...extra, '--json', `${name}.json`], dir);
      runs[name] = { run, json: run.code === 0 ? JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) : null };
    }
  }, 120_000);

  it('measures js, interp and jit, each with its progress line, and the same instruction count either way', () => {
    for (const { run, json } of Object.values(runs)) {
      expect(run.code).toBe(0);
      expect(run.stderr.split('\n').filter((l) => l !== '').map((l) => l.replace(/:.*/, ''))).toEqual(['engine calls js', 'engine calls interp', 'engine calls jit']);
      expect(run.stderr).toMatch(/^engine calls jit: \d+\.\d{3} ms ±/m);
      expect(json.engine.map((r: { workload: string }) => r.workload)).toEqual(['calls']);
    }
    expect(runs.fork!.json.engine[0].instructions).toBe(636_601);
    expect(runs['no-fork']!.json.engine[0].instructions).toBe(636_601);
  });
});
