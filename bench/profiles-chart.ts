// The profiles table as an SVG from a whole run's --json report: `npm run bench`
// runs every suite through `virtlab bench --svg`, whose chart is the host-time
// overhead; the profiles suite's coloured table (as `--suite profiles --svg`
// draws it) is drawn from the same report into a file of its own.

import { readFileSync, writeFileSync } from 'node:fs';
import { profilesSvg } from './profiles-format.js';
import type { ProfilesSuiteResult } from './profiles-suite.js';

interface WholeReport {
  machine: { cpu: string; cores: number; node: string };
  date: string;
  options: { engine: string };
  profiles?: ProfilesSuiteResult;
}

/** Writes the chart and returns true, or returns false when the report has no profiles suite. */
export function writeProfilesChart(jsonPath: string, svgPath: string): boolean {
  const r = JSON.parse(readFileSync(jsonPath, 'utf8')) as WholeReport;
  if (!r.profiles) return false;
  const m = r.machine;
  writeFileSync(svgPath, profilesSvg(r.profiles, `${m.cpu} x${m.cores}, node ${m.node}, ${r.date.slice(0, 10)}; guests on ${r.options.engine}; ×1 = native`));
  return true;
}
