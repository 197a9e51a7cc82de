// Execution history for reverse stepping: keyframes plus a RAM write journal.
//
// A keyframe is Machine.captureState() (registers, control registers, TLB,
// device state, interrupt lines, counters) taken every `interval` steps, with
// the journal's mark at that moment. Going back to step T restores the last
// keyframe at or before T, undoes RAM writes back to its mark, and re-executes
// forward to T. The machine is deterministic (time is the instruction count,
// console input is fixed up front), so the result is bit-identical to the
// state the machine had at T, and going back costs at most `interval` steps
// of re-execution whatever the distance.
//
// Positions are counted in machine steps (counters.steps: instructions
// attempted plus interrupts taken). Keyframes older than the budget are
// dropped together with the journal entries they needed.

import { MemoryJournal, type Machine, type MachineState } from '../machine/index.js';

interface Keyframe {
  steps: number;
  state: MachineState;
  mark: number;
}

export const DEFAULT_HISTORY = 1_000_000;
/** Keyframes are at most this many steps apart (bounds the re-execution of one `back`). */
const MAX_INTERVAL = 1000;

export class History {
  readonly journal: MemoryJournal;
  /** Steps between keyframes. */
  readonly interval: number;
  private frames: Keyframe[] = [];

  /** `budget`: how many steps back must stay reachable (0 turns reverse stepping off). */
  constructor(private readonly machine: Machine, readonly budget: number) {
    if (!Number.isSafeInteger(budget) || budget < 0) throw new RangeError(`history budget ${budget} must be a whole number >= 0`);
    this.interval = Math.max(1, Math.min(MAX_INTERVAL, Math.ceil(budget / 1000)));
    this.journal = new MemoryJournal(machine.mem);
    machine.mem.journal = this.journal;
    this.reset();
  }

  get enabled(): boolean {
    return this.budget > 0;
  }

  /** Forget everything: the current state becomes the oldest reachable one (after loading or restarting). */
  reset(): void {
    this.journal.clear();
    this.journal.discardBefore(this.journal.mark());
    this.frames = this.enabled ? [this.keyframe()] : [];
  }

  private get steps(): number {
    return this.machine.counters.steps;
  }

  /** Steps the engine may run before the next checkpoint() is due (at least 1). */
  room(): number {
    const last = this.frames[this.frames.length - 1];
    return last === undefined ? Number.MAX_SAFE_INTEGER : Math.max(1, this.interval - (this.steps - last.steps));
  }

  /** Call after every engine run: takes a keyframe when one is due and drops what the budget no longer needs. */
  checkpoint(): void {
    if (!this.enabled) {
      this.journal.discardBefore(this.journal.mark());
      return;
    }
    const last = this.frames[this.frames.length - 1]!;
    if (this.steps - last.steps >= this.interval) this.frames.push(this.keyframe());
    const keepFrom = this.steps - this.budget;
    let drop = 0;
    while (drop + 1 < this.frames.length && this.frames[drop + 1]!.steps <= keepFrom) drop++;
    if (drop > 0) this.frames.splice(0, drop);
    this.journal.discardBefore(this.frames[0]!.mark);
  }

  /** How many steps back are reachable now. */
  available(): number {
    if (!this.enabled) return 0;
    return Math.min(this.budget, this.steps - this.frames[0]!.steps);
  }

  /** Step number of the last keyframe at or before step `target`, or undefined before the oldest one. */
  keyframeAtOrBefore(target: number): number | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) if (this.frames[i]!.steps <= target) return this.frames[i]!.steps;
    return undefined;
  }

  /**
   * Return the machine to step `target` (at most available() steps back).
   * `replay(n)` must run exactly n steps with no observer and no breakpoints.
   */
  rewind(target: number, replay: (steps: number) => void): void {
    if (target > this.steps || this.steps - target > this.available()) {
      throw new RangeError(`cannot rewind to step ${target} (at ${this.steps}, ${this.available()} reachable)`);
    }
    let i = this.frames.length - 1;
    while (this.frames[i]!.steps > target) i--;
    const frame = this.frames[i]!;
    this.frames.length = i + 1;
    this.journal.undoTo(frame.mark);
    this.machine.restoreState(frame.state);
    if (target > frame.steps) replay(target - frame.steps);
    if (this.steps !== target) throw new Error(`history: re-execution reached step ${this.steps}, not ${target}`);
    this.checkpoint();
  }

  private keyframe(): Keyframe {
    return { steps: this.steps, state: this.machine.captureState(), mark: this.journal.mark() };
  }
}
