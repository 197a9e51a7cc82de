// The engine interface: the machine owns all state, an engine executes it.
// The reference interpreter (interp/) and a later JIT implement this with
// bit-identical results; neither knows about virtualization modes (monitors
// meet them at the machine's trap hook and the bus).

import type { Machine } from '../machine/machine.js';
import type { RunResult } from '../machine/stop.js';

export type { RunResult, Stop } from '../machine/stop.js';

export interface Engine {
  readonly name: string;
  readonly machine: Machine;
  /** Execute exactly one instruction, or take one pending interrupt. */
  step(): RunResult;
  /**
   * Run until the machine stops (halt, unhandled trap, deadlock), `budget`
   * steps have been taken, a breakpoint is reached, or a hook requests a stop.
   * A breakpoint at the pc where run() starts does not stop it (so "continue"
   * from a breakpoint works).
   */
  run(budget?: number): RunResult;
}
