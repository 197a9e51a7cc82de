// The engine suite: the three workloads of guests/workloads/ on the reference
// interpreter and on the JIT, against the same work in plain JavaScript, in one
// run. Host time as the nano and macro suites take it (docs/benchmarks.md,
// "Host time"): per workload a round opens the JavaScript twin, the guest on
// interp, the guest on jit and the machine's speed reference, each ready in a
// process of its own (bench/engine-cell.ts: settled), and takes their samples
// in turn (bench/interleave.ts); a round's figure is each one's fastest sample,
// its ratios are that round's, and the cell's figures the rounds' medians with
// their spread. Each guest's halt code is checked against its JavaScript twin,
// and the two engines' counters against each other.

import type { EngineCellInfo, EngineCellSpec, EngineColumn } from './engine-cell.js';
import type { OpenEngineSession } from './cell-session.js';
import { measureInterleaved } from './interleave.js';
import { perReference, referenceSeconds, speedReferenceSpec, type Clock, type PerReference, type SlowSpells } from './machine-speed.js';
import { figure, formatSpread } from './spread.js';
import type { Sample, TimingOptions } from './timing.js';
import { WORKLOADS } from './workloads.js';

export interface EngineTiming {
  /** CPU milliseconds per run: the rounds' median. */
  ms: number;
  /** The rounds' interquartile range over their median (bench/spread.ts). */
  msSpread: number | null;
  /** Guest instructions per second, in millions. */
  mips: number;
  /** jsMs / ms: the fraction of plain JavaScript's speed; per round (JS and the engine sampled in turn), then the rounds' median. */
  ratioToJs: number;
  ratioToJsSpread: number | null;
}

export interface EngineRow {
  workload: string;
  what: string;
  instructions: number;
  jsMs: number;
  jsSpread: number | null;
  /** The JavaScript twin's time against the machine's speed reference of the same rounds (bench/machine-speed.ts). */
  js: PerReference;
  interp: EngineTiming;
  jit: EngineTiming;
  /** interp ms / jit ms, per round, then the rounds' median. */
  jitOverInterp: number;
  jitOverInterpSpread: number | null;
  /** The same figures by the wall clock, from the same samples (docs/benchmarks.md, "Which clock"). */
  wall?: EngineWallFigures;
}

export interface EngineWallFigures {
  jsMs: number | null;
  jsSpread: number | null;
  js: PerReference;
  interpRatioToJs: number | null;
  interpRatioSpread: number | null;
  jitRatioToJs: number | null;
  jitRatioSpread: number | null;
  jitOverInterp: number | null;
  jitOverInterpSpread: number | null;
}

export interface EngineSuiteOptions {
  /** Only these workloads (by name). */
  only?: readonly string[];
  timing: TimingOptions;
  quick: boolean;
  rounds: number;
  samples: number;
  open: OpenEngineSession;
  log: (s: string) => void;
  /** A round sampled in a slow spell of the machine is sampled again (not with --quick). */
  spells?: SlowSpells;
}

const COLUMNS: readonly EngineColumn[] = ['js', 'interp', 'jit'];

export async function runEngineSuite(o: EngineSuiteOptions): Promise<EngineRow[]> {
  const rows: EngineRow[] = [];
  for (const w of WORKLOADS.filter((x) => !o.only || o.only.includes(x.name))) {
    const specs: EngineCellSpec[] = [...COLUMNS.map((column): EngineCellSpec => ({ kind: 'engine', workload: w.name, column, timing: o.timing, quick: o.quick })), speedReferenceSpec(o.timing, o.quick)];
    const measured = await measureInterleaved<EngineCellSpec, EngineCellInfo, Sample>(specs, {
      rounds: o.rounds, samples: o.samples, open: o.open,
      ...(o.spells && !o.quick ? { slow: o.spells.check<Sample>(() => `engine ${w.name}`, (t) => t.length - 1, o.log) } : {}),
      roundDone: (r, taken) => {
        const [js, ...rest] = taken.map((xs) => referenceSeconds(xs));
        o.log(`engine ${w.name} round ${r}/${o.rounds}: js ${ms(js)} ms, ` + rest.map((x, k) => `${k < 2 ? COLUMNS[k + 1] : 'speed reference'} ${ms(x)} ms${k < 2 && js && x ? ` (×${(js / x).toFixed(3)} JS)` : ''}`).join(', ') + ' CPU');
      },
    });
    const [js, interp, jit, ref] = measured as [typeof measured[0], typeof measured[0], typeof measured[0], typeof measured[0]];
    // A guest's halt code must be what the JavaScript computed.
    for (const [column, m] of [['interp', interp], ['jit', jit]] as const) {
      if (m.info.value !== js.info.value) throw new Error(`engine ${w.name}: ${column} halted with ${m.info.value}, JavaScript computes ${js.info.value}`);
    }
    if (JSON.stringify(interp.info.counters) !== JSON.stringify(jit.info.counters)) throw new Error(`engine ${w.name}: interp and jit counters differ`);
    const instructions = interp.info.instructions ?? 0;
    // Per round: each one's fastest sample, seconds per run.
    const fastest = (c: typeof js, clock: Clock = 'cpu') => c.rounds.map((r) => referenceSeconds(r, clock));
    const [jsS, interpS, jitS, refS] = [fastest(js), fastest(interp), fastest(jit), fastest(ref)];
    const msOf = (xs: (number | null)[]) => figure(xs.map((x) => (x === null ? null : x * 1000)));
    const jsF = msOf(jsS);
    const t = (xs: (number | null)[]): EngineTiming => {
      const f = msOf(xs);
      const ratio = figure(xs.map((x, r) => (x === null || jsS[r] === null ? null : jsS[r]! / x)));
      return { ms: f.value ?? 0, msSpread: f.spread, mips: f.value ? instructions / f.value / 1e3 : 0, ratioToJs: ratio.value ?? 0, ratioToJsSpread: ratio.spread };
    };
    const over = figure(interpS.map((x, r) => (x === null || jitS[r] === null ? null : x / jitS[r]!)));
    const row: EngineRow = {
      workload: w.name, what: w.what, instructions, jsMs: jsF.value ?? 0, jsSpread: jsF.spread, js: perReference(jsS.map((x) => (x === null ? null : x * 1000)), refS),
      interp: t(interpS), jit: t(jitS), jitOverInterp: over.value ?? 0, jitOverInterpSpread: over.spread,
      wall: wallFigures(fastest(js, 'wall'), fastest(interp, 'wall'), fastest(jit, 'wall'), fastest(ref, 'wall')),
    };
    const sp = (x: number | null) => (x === null ? '' : ` ${formatSpread(x)}`);
    o.log(`engine ${w.name}: js ${row.jsMs} ms${sp(row.jsSpread)}, interp ×${row.interp.ratioToJs} JS${sp(row.interp.ratioToJsSpread)}, ` +
      `jit ×${row.jit.ratioToJs} JS${sp(row.jit.ratioToJsSpread)} (CPU time, ${o.rounds} round${o.rounds === 1 ? '' : 's'} of ${o.samples} samples)`);
    rows.push(row);
  }
  return rows;
}

const ms = (s: number | null) => (s === null ? '-' : (s * 1000).toFixed(3));

/** A row's figures by the wall clock: each round's fastest samples, the ratios per round, the rounds' medians. */
function wallFigures(js: (number | null)[], interp: (number | null)[], jit: (number | null)[], ref: (number | null)[]): EngineWallFigures {
  const per = (xs: (number | null)[], ys: (number | null)[]) => figure(xs.map((x, r) => (x === null || ys[r] === null ? null : x / ys[r]!)));
  const jsMs = js.map((x) => (x === null ? null : x * 1000));
  const f = figure(jsMs);
  const [i, j, o] = [per(js, interp), per(js, jit), per(interp, jit)];
  return {
    jsMs: f.value, jsSpread: f.spread, js: perReference(jsMs, ref),
    interpRatioToJs: i.value, interpRatioSpread: i.spread, jitRatioToJs: j.value, jitRatioSpread: j.spread, jitOverInterp: o.value, jitOverInterpSpread: o.spread,
  };
}
