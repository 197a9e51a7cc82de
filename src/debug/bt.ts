// The debugger under binary translation (--mode bt): runs that start and end
// at guest instruction boundaries, and finding those boundaries in the past.
//
// A guest kernel instruction runs as one or more real steps in the
// translation cache (a call: lui, ori, exit). The debugger's steps are guest
// instructions, so it stops only where the CPU is at the start of one
// (BtView.atBoundary). That is also what keeps reverse stepping exact: every
// VM run begins with the monitor's beforeRun(), which, between the words of
// one translation, finishes the instruction by emulation (BtMode.settle)
// instead of running its remaining words. So a run must never begin between
// two words: such a position is left with the engine alone (no beforeRun),
// exactly as an uninterrupted run would have left it. At a boundary
// beforeRun is idempotent (it delivers only what a run in one piece would
// have delivered at the same step), so re-executing history in one run
// reproduces a debugger's many short runs bit for bit.

import type { Engine, RunResult } from '../engine/engine.js';
import { createInterpreter } from '../engine/interp/index.js';
import type { Machine } from '../machine/index.js';
import { BtView } from '../trace/bt-view.js';
import type { Monitor } from '../vmm/index.js';

export class BtRunner {
  readonly view: BtView;
  /** Runs the machine without the VM's per-run preparation (the monitor's beforeRun). */
  private readonly direct: Engine;

  constructor(readonly machine: Machine, private readonly engine: Engine, view: BtView, direct?: Engine) {
    this.view = view;
    this.direct = direct ?? createInterpreter(machine);
  }

  /** A runner when `monitor` runs bt, else undefined. */
  static of(machine: Machine, engine: Engine, monitor: Monitor | undefined, direct?: Engine): BtRunner | undefined {
    const view = BtView.of(monitor);
    return view && new BtRunner(machine, engine, view, direct);
  }

  /**
   * Run `steps` real steps exactly as one uninterrupted VM run would from
   * here (fewer if the machine stops or a stop is requested). With `toBoundary`,
   * then go on to the next guest instruction boundary if the budget ended
   * between the words of a translation (the extra steps are counted in the result).
   */
  run(steps: number, toBoundary: boolean): RunResult {
    const m = this.machine;
    let done = 0;
    let last: RunResult | undefined;
    while (done < steps) {
      // Between the words of a translation only the engine may continue; at a boundary the VM may.
      const r = this.view.atBoundary() ? this.engine.run(steps - done) : this.direct.run(1);
      done += r.steps;
      last = r;
      if (r.stop.kind !== 'budget' || r.steps === 0) break;
    }
    // A stop asked for between two words (a watchpoint) still ends the guest instruction first.
    while (toBoundary && !m.stopped && !this.view.atBoundary()) {
      const r = this.direct.run(1);
      done += r.steps;
      if (r.steps === 0) break;
    }
    return { stop: last?.stop ?? { kind: 'budget' }, steps: done };
  }
}
