// `virtlab bench`: argument errors, and a --quick nano run on two guests: the
// table has every mode column, the JSON has the documented shape, the SVG one
// bar per cell, the paper table the paper's figures; each cell measured in a
// child process (dist/bench/cell-process.js: `npm test` builds first) counts
// exactly what --no-fork measures in this process. Nothing here is timed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
    expect(run.stdout).toContain('one round: no spread measured (--rounds 2 or more prints it)');
    // Every cell below native is marked and explained under the table.
    for (const c of json.nano.cells.filter((x: any) => x.belowNative)) { // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(run.stdout).toContain(`* ${c.workload} ${c.mode} `);
    }
    expect(run.stderr).toMatch(/^nano in native: /m);
    expect(run.stderr).toMatch(/^nano callret hw-noept: /m);
    const header = run.stdout.split('\n').find((l) => l.startsWith('workload'))!;
    expect(header.split(/\s+/)).toEqual(['workload', 'native', 'trap', 'bt', 'pv', 'hw', 'hw-noept']);
    expect(run.stdout).toMatch(/^in\s/m);
    expect(run.stdout).toMatch(/^callret\s/m);
  });

  it('writes the JSON report in the documented shape', () => {
    expect(Object.keys(json).sort()).toEqual(['date', 'generations', 'machine', 'nano', 'options', 'paper', 'targets']);
    // The preset's round trip against each processor generation's: p4-2006 stands for the Pentium 4 alone.
    expect(json.generations.preset).toBe('p4-2006');
    expect(json.generations.rows.filter((r: { represented: boolean }) => r.represented).map((r: { generation: string; within: boolean }) => [r.generation, r.within]))
      .toEqual([['NetBurst (Prescott)', true]]);
    expect(run.stdout).toContain("the cost model's VM exit round trip against published round trips by processor generation");
    expect(json.options).toEqual({ suite: 'nano', engine: 'jit', costModel: 'p4-2006', quick: true, rounds: 1, samples: 2, clock: 'cpu' });
    expect(json.nano.modes).toEqual(['native', 'trap', 'bt', 'pv', 'hw', 'hw-noept']);
    expect(json.nano.cells).toHaveLength(12);
    for (const c of json.nano.cells) {
      // belowNative only where a monitor's host time came out below native's (it then says why).
      expect(Object.keys(c).filter((k) => k !== 'belowNative').sort()).toEqual(['counts', 'cycles', 'host', 'iterations', 'mode', 'ratioToNative', 'wall', 'workload']);
      expect(Object.keys(c.host).sort()).toEqual(['baselineMs', 'nsPerIteration', 'perReference', 'perReferenceSpread', 'referenceMs', 'rounds', 'runMs', 'samples', 'spread', 'wallNsPerIteration']);
      expect(Object.keys(c.ratioToNative).sort()).toEqual(['cycles', 'host', 'hostRounds', 'hostSpread']);
      expect(Object.keys(c.wall).sort()).toEqual(['nsPerIteration', 'perReference', 'perReferenceSpread', 'ratioSpread', 'ratioToNative', 'referenceMs', 'spread']);
      expect(c.host.rounds).toHaveLength(1);
      expect(c.host.spread).toBeNull();
      if (c.mode !== 'native' && c.ratioToNative.host !== null && c.ratioToNative.host < 1) expect(typeof c.belowNative).toBe('string');
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
    expect(inProcess.options).toEqual({ suite: 'nano', engine: 'jit', costModel: 'p4-2006', quick: true, rounds: 1, samples: 2, clock: 'cpu' });
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

  it('samples js, interp, jit and the speed reference in turn, and gives the same instruction count either way', () => {
    for (const { run, json } of Object.values(runs)) {
      expect(run.code).toBe(0);
      expect(run.stderr.split('\n').filter((l) => l !== '').map((l) => l.replace(/:.*/, ''))).toEqual(['engine calls round 1/1', 'engine calls']);
      expect(run.stderr).toMatch(/^engine calls round 1\/1: js \d+\.\d{3} ms, interp \d+\.\d{3} ms \(×\d\.\d{3} JS\), jit \d+\.\d{3} ms \(×\d\.\d{3} JS\), speed reference \d+\.\d{3} ms CPU$/m);
      expect(json.engine.map((r: { workload: string }) => r.workload)).toEqual(['calls']);
      expect(json.engine[0].js.referenceMs).toBeGreaterThan(0);
      expect(json.engine[0].js.perReference).toBeCloseTo(json.engine[0].jsMs / json.engine[0].js.referenceMs, 2);
    }
    expect(runs.fork!.json.engine[0].instructions).toBe(636_601);
    expect(runs['no-fork']!.json.engine[0].instructions).toBe(636_601);
  });
});

describe('virtlab bench --quick --rounds 2 --suite nano --only callret: spreads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-rounds-'));
  let run: CliRun;
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    run = await runCli(['bench', '--quick', '--rounds', '2', '--suite', 'nano', '--only', 'callret', '--json', 'r.json'], dir);
    json = run.code === 0 ? JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) : null;
  }, 180_000);

  it('prints each round, and each host-time cell with its spread over the rounds', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^nano callret round 1\/2: native /m);
    expect(run.stderr).toMatch(/^nano callret round 2\/2: native /m);
    const row = run.stdout.split('\n').find((l) => l.startsWith('callret') && l.includes('×'))!;
    // native's time, then five modes' time and ratio, each followed by its spread (? beyond 10%) when two rounds measured
    // one (--quick figures of a 2 ns event can be lost in noise: no figure, no spread).
    const spreads = json.nano.cells.map((c: any) => (c.mode === 'native' ? c.host.spread : c.ratioToNative.hostSpread)); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(row.match(/±\d+%\??/g) ?? []).toEqual(spreads.filter((x: number | null) => x !== null).map((x: number) => `±${Math.round(x * 100)}%${x > 0.1 ? '?' : ''}`));
    expect(run.stdout).toMatch(/^±: the rounds' interquartile range over their median \(2 rounds, each in fresh processes, of 2 samples/m);
    for (const c of json.nano.cells) {
      expect(c.host.rounds).toHaveLength(2);
      expect(c.ratioToNative.hostRounds).toHaveLength(2);
    }
  });
});

describe('virtlab bench --compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-compare-'));
  const report = (ns: number, hw: number) => JSON.stringify({
    machine: {}, options: {}, macro: { cells: [
      { workload: 'syscall', mode: 'native', host: { nsPerIteration: ns }, ratioToNative: { host: 1 } },
      { workload: 'syscall', mode: 'hw', host: { nsPerIteration: ns * hw }, ratioToNative: { host: hw } }] },
  });
  beforeAll(() => {
    writeFileSync(join(dir, 'a.json'), report(2000, 1.05));
    writeFileSync(join(dir, 'b.json'), report(2100, 1.1));
    writeFileSync(join(dir, 'c.json'), report(2100, 1.4));
    writeFileSync(join(dir, 'bad.json'), '{"machine": ');
  });

  it('every cell within ±10%: the table, exit 0', async () => {
    const r = await runCli(['bench', '--compare', 'a.json', 'b.json'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^macro syscall hw ×native\s+1\.050\s+1\.100\s+\+4\.8%\s+yes$/m);
    expect(r.stdout).toMatch(/^2 of 2 host-time cells within ±10%$/m);
  });

  it('a cell beyond ±10%: NO, exit 1', async () => {
    const r = await runCli(['bench', '--compare', 'a.json', 'c.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^macro syscall hw ×native\s+1\.050\s+1\.400\s+\+33\.3%\s+NO$/m);
    expect(r.stdout).toMatch(/^1 of 2 host-time cells within ±10%$/m);
  });

  it('--clock wall judges the wall figures kept beside the CPU ones; reports without them have none in common', async () => {
    const walled = (hw: number, wallHw: number) => JSON.stringify({
      machine: {}, options: {}, macro: { cells: [
        { workload: 'syscall', mode: 'native', host: { nsPerIteration: 2000 }, ratioToNative: { host: 1 }, wall: { nsPerIteration: 2050, ratioToNative: 1 } },
        { workload: 'syscall', mode: 'hw', host: { nsPerIteration: 2000 * hw }, ratioToNative: { host: hw }, wall: { nsPerIteration: 2050 * wallHw, ratioToNative: wallHw } }] },
    });
    writeFileSync(join(dir, 'w1.json'), walled(1.05, 1.1));
    writeFileSync(join(dir, 'w2.json'), walled(1.4, 1.12));
    const cpu = await runCli(['bench', '--compare', 'w1.json', 'w2.json'], dir);
    expect(cpu.code).toBe(1);
    expect(cpu.stdout).toMatch(/^by the wall clock \(the same samples; --clock wall\): 2 of 2 within ±10%$/m);
    const wall = await runCli(['bench', '--compare', 'w1.json', 'w2.json', '--clock', 'wall'], dir);
    expect(wall.code).toBe(0);
    expect(wall.stdout).toMatch(/^macro syscall hw ×native\s+1\.100\s+1\.120\s+\+1\.8%\s+yes$/m);
    expect(wall.stdout).toMatch(/^by the CPU clock \(the same samples; --clock cpu\): 1 of 2 within ±10%$/m);
    const none = await runCli(['bench', '--compare', 'a.json', 'b.json', '--clock', 'wall'], dir);
    expect(none.code).toBe(1);
    expect(oneErrorLine(none)).toBe('virtlab: a.json and b.json have no host-time cell by the wall clock in common');
  });

  for (const [args, code, what] of [
    [['a.json'], 2, /--compare takes two --json reports \(A B\), got 1/],
    [['a.json', 'b.json', '--clock', 'sundial'], 2, /--clock/],
    [['a.json', 'bad.json'], 1, /^virtlab: bad\.json: not JSON: /],
    [['a.json', 'nosuch.json'], 1, /nosuch\.json/],
  ] as const) {
    it(`--compare ${args.join(' ')}: one line, exit ${code}`, async () => {
      const r = await runCli(['bench', '--compare', ...args], dir);
      expect(r.code).toBe(code);
      expect(oneErrorLine(r)).toMatch(what);
      expect(r.stdout).toBe('');
    });
  }
});
