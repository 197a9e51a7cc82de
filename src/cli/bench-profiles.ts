// `virtlab bench --suite profiles` (bench/profiles-suite.ts): the profiles'
// table on stdout, --json and --svg (`--suite all` runs it too, from the
// macro and net suites' cells: bench/suites.ts); docs/profiles.md.

import { forkedAll, IN_PROCESS_SESSIONS } from '../../bench/cell-session.js';
import { formatProfilesSuite, profilesSvg } from '../../bench/profiles-format.js';
import { runProfilesSuite } from '../../bench/profiles-suite.js';
import { machineDescription, netSamples, sampleTime } from '../../bench/suites.js';
import type { EngineName } from '../engine/registry.js';
import type { CostPresetName } from '../vmm/index.js';
import { writeOutput, type CliContext } from './context.js';

export interface ProfilesBenchOptions {
  engine: EngineName;
  costModel: CostPresetName;
  quick: boolean;
  fork: boolean;
  rounds: number;
  /** Samples per round of the guest suites (the profiles' cells take netSamples of it). */
  samples: number;
  json?: string;
  svg?: string;
}

export async function runProfilesBench(ctx: CliContext, o: ProfilesBenchOptions): Promise<void> {
  const sessions = o.fork ? forkedAll() : IN_PROCESS_SESSIONS;
  const timing = sampleTime(o.quick);
  const machine = machineDescription();
  const date = new Date().toISOString();
  const result = await runProfilesSuite({
    engine: o.engine, costModel: o.costModel, quick: o.quick, timing, sessions, rounds: o.rounds, samples: netSamples(o), log: (s) => ctx.io.err(s + '\n'),
  });
  ctx.io.out(`virtlab bench on ${machine.cpu} x${machine.cores}, node ${machine.node} (${machine.platform}), ${date.slice(0, 10)}` +
    `; guests on ${o.engine}, cost model ${o.costModel}${o.quick ? ', --quick' : ''}\n\n` + formatProfilesSuite(result));
  const options = { suite: 'profiles', engine: o.engine, costModel: o.costModel, quick: o.quick, rounds: o.rounds, samples: o.samples, clock: 'cpu' };
  if (o.json) writeOutput(ctx, o.json, JSON.stringify({ machine, date, options, profiles: result }, null, 2) + '\n');
  if (o.svg) writeOutput(ctx, o.svg, profilesSvg(result, `${machine.cpu} x${machine.cores}, node ${machine.node}, ${date.slice(0, 10)}; guests on ${o.engine}; ×1 = native`));
}
