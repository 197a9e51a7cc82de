// Why a run ended. `halted`, `trap` and `deadlock` stop the machine for good
// (until reset or restoreState); the others only end the current run() call.

export type Stop =
  | { kind: 'halted'; code: number; pc: number }
  /** A trap had to be taken with TVEC = 0: the machine stops, like a triple fault. */
  | { kind: 'trap'; cause: number; pc: number; epc: number; faultaddr?: number; message: string }
  /** `wfi` with no interrupt pending and none that can ever arrive. */
  | { kind: 'deadlock'; pc: number; message: string }
  /** The step budget of run() was used up. */
  | { kind: 'budget' }
  /** The next instruction is at a breakpoint (it has not executed). */
  | { kind: 'breakpoint'; pc: number }
  /** A hook or device asked the run to end (Machine.requestStop). */
  | { kind: 'requested'; reason: string };

export interface RunResult {
  stop: Stop;
  /** Steps taken by this call. */
  steps: number;
}

/** Stops after which the machine cannot continue. */
export function isFinal(stop: Stop): boolean {
  return stop.kind === 'halted' || stop.kind === 'trap' || stop.kind === 'deadlock';
}

/** The stop of a `wfi` at `pc` that nothing can ever end. */
export function deadlockStop(pc: number): Stop {
  return { kind: 'deadlock', pc: pc >>> 0, message: `deadlock: wfi with no interrupt source at pc 0x${(pc >>> 0).toString(16).padStart(8, '0')}` };
}
