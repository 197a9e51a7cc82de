// `npm run bench`: `virtlab bench` with the arguments given after `--`; with
// none, every suite, the figures in bench/results/latest.json, the host-time
// chart in bench/results/overhead.svg and the profiles table in
// bench/results/profiles.svg (the files the README shows).

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { main } from '../src/cli/main.js';
import { packageRoot } from './paths.js';
import { writeProfilesChart } from './profiles-chart.js';

const args = process.argv.slice(2);
const dir = resolve(packageRoot(), 'bench', 'results');
const whole = args.length === 0;
if (whole) {
  mkdirSync(dir, { recursive: true });
  args.push('--json', resolve(dir, 'latest.json'), '--svg', resolve(dir, 'overhead.svg'));
}
process.exitCode = await main(['node', 'virtlab', 'bench', ...args]);
if (whole && process.exitCode === 0) writeProfilesChart(resolve(dir, 'latest.json'), resolve(dir, 'profiles.svg'));
