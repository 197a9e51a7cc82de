// A configuration's timeline (src/trace/perfetto.ts) up to a step: the same
// configuration built afresh and run traced, as `virtlab trace --format
// perfetto` runs it, for exactly the steps the live machine has taken. The
// machine is deterministic, so this is the live run's history, whatever the
// debugger did meanwhile (back, restart), without tracing the live run.

import { buildTimeline, type Timeline } from '../trace/perfetto.js';
import { timelineHost, timelineRun } from '../trace/perfetto-run.js';
import { Symbolizer } from '../trace/symbolizer.js';
import { buildConfiguration } from './build.js';
import type { CatalogFiles } from './catalog.js';
import { PlaygroundError } from './errors.js';
import type { Configuration } from './protocol.js';

/** Traced runs are slower and keep a record per event: a timeline covers at most this many steps. */
export const MAX_TIMELINE_STEPS = 20_000_000;

export function timelineTo(files: CatalogFiles, config: Configuration, steps: number): Timeline {
  if (steps > MAX_TIMELINE_STEPS) {
    throw new PlaygroundError(`the timeline covers at most ${MAX_TIMELINE_STEPS} steps; the machine stands at step ${steps} (restart, or go back)`);
  }
  const b = buildConfiguration(files, config);
  if (b.kind === 'host') return buildTimeline(timelineHost({ host: b.host, maxSteps: steps, preset: config.costModel }).input);
  const { vm } = b;
  return buildTimeline(timelineRun({
    engine: b.engine, symbolizer: new Symbolizer(vm.image), maxSteps: steps, name: b.name, mode: vm.mode,
    preset: config.costModel, run: (n) => vm.run(n),
    ...(vm.monitor ? { monitor: vm.monitor } : {}),
    ...(vm.net ? { net: vm.net } : {}),
  }).input);
}
