// `virtlab bench --suite profiles` (bench/profiles-suite.ts): the profiles'
// table on stdout, --json and --svg. Not part of `--suite all` yet (that list
// lives in bench/suites.ts); docs/profiles.md.

import { forkingMeasurer } from '../../bench/fork.js';
import { IN_PROCESS } from '../../bench/cell.js';
import { formatProfilesSuite, profilesSvg } from '../../bench/profiles-format.js';
import { runProfilesSuite } from '../../bench/profiles-suite.js';
import { machineDescription } from '../../bench/suites.js';
import type { EngineName } from '../engine/registry.js';
import type { CostPresetName } from '../vmm/index.js';
import { writeOutput, type CliContext } from './context.js';

export interface ProfilesBenchOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  fork: boolean;
  rounds: number;
  json?: string;
  svg?: string;
}

export function runProfilesBench(ctx: CliContext, o: ProfilesBenchOptions): void {
  const measurer = o.fork ? forkingMeasurer() : IN_PROCESS;
  const timing = o.quick ? { maxTime: 0.05, minSamples: 2 } : { maxTime: 0.3, minSamples: 5 };
  const machine = machineDescription();
  const date = new Date().toISOString();
  const result = runProfilesSuite({
    engine: o.engine, costModel: o.costModel, quick: o.quick, timing, measure: measurer, rounds: o.rounds, log: (s) => ctx.io.err(s + '\n'),
  });
  ctx.io.out(`virtlab bench on ${machine.cpu} x${machine.cores}, node ${machine.node} (${machine.platform}), ${date.slice(0, 10)}` +
    `; guests on ${o.engine}, cost model ${o.costModel}${o.quick ? ', --quick' : ''}\n\n` + formatProfilesSuite(result));
  const options = { suite: 'profiles', engine: o.engine, costModel: o.costModel, quick: o.quick, rounds: o.rounds };
  if (o.json) writeOutput(ctx, o.json, JSON.stringify({ machine, date, options, profiles: result }, null, 2) + '\n');
  if (o.svg) writeOutput(ctx, o.svg, profilesSvg(result, `${machine.cpu} x${machine.cores}, node ${machine.node}, ${date.slice(0, 10)}; guests on ${o.engine}; ×1 = native`));
}
