// `npm run bench`: `virtlab bench` with the arguments given after `--`; with
// none, every suite, the figures in bench/results/latest.json and the chart in
// bench/results/overhead.svg (the files the README shows).

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { main } from '../src/cli/main.js';
import { packageRoot } from './paths.js';

const args = process.argv.slice(2);
if (args.length === 0) {
  const dir = resolve(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  args.push('--json', resolve(dir, 'latest.json'), '--svg', resolve(dir, 'overhead.svg'));
}
process.exitCode = await main(['node', 'virtlab', 'bench', ...args]);
