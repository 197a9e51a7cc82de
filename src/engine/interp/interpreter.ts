// The reference interpreter: an outer loop that ticks devices, takes
// interrupts and builds step records, around a generated inner loop (gen.ts)
// that runs straight-line slices of instructions up to the next timer deadline.

import { CR, STATUS } from '../../isa/index.js';
import type { StepRecord } from '../../machine/events.js';
import type { Machine } from '../../machine/machine.js';
import type { RunResult, Stop } from '../../machine/stop.js';
import type { Engine } from '../engine.js';
import { sliceFunction, VARIANT, type JitDispatch } from './gen.js';

/** Longest slice between two looks at devices and stop requests. */
const SLICE_MAX = 1 << 22;
const BUDGET: Stop = { kind: 'budget' };

export class Interpreter implements Engine {
  readonly name: string = 'interp';
  /**
   * @param jit compiled regions to run from plain slices (the jit engine, jit/jit.ts);
   *   observed, journaled and breakpoint runs stay interpreted either way.
   */
  constructor(readonly machine: Machine, protected readonly jit?: JitDispatch) {}

  step(): RunResult {
    return this.run(1);
  }

  run(budget = Infinity): RunResult {
    const m = this.machine;
    const c = m.counters;
    const cr = m.cpu.cr;
    const start = c.steps;
    let left = budget;
    let skipBreakpoint = true;
    let stop: Stop;
    try {
      for (;;) {
        if (m.stopRequest) {
          stop = m.stopRequest;
          m.stopRequest = undefined;
          break;
        }
        if (m.stopped) {
          stop = m.stopped;
          break;
        }
        if (left <= 0) {
          stop = BUDGET;
          break;
        }
        m.tickDevices();
        const observer = m.observer;
        if (m.nonRoot) {
          // VMX: external interrupts and an open interrupt window exit to the monitor.
          if (observer) {
            const rec = this.newRecord();
            const exited = m.vmxEvents();
            m.record = undefined;
            if (exited) { observer(rec); left--; skipBreakpoint = false; continue; }
          } else if (m.vmxEvents()) {
            left--;
            skipBreakpoint = false;
            continue;
          }
        } else if ((cr[CR.status]! & STATUS.IE) !== 0 && m.irqPending !== 0) {
          if (observer) {
            const rec = this.newRecord();
            m.takeInterrupt();
            m.record = undefined;
            observer(rec);
          } else {
            m.takeInterrupt();
          }
          left--;
          skipBreakpoint = false; // the pc run() started at is no longer next
          continue;
        }
        const interpreted = (observer ? VARIANT.OBSERVE : 0) | (m.mem.journal ? VARIANT.JOURNAL : 0)
          | (m.breakpoints.size > 0 ? VARIANT.BREAKPOINTS : 0);
        const jit = interpreted === 0 ? this.jit : undefined;
        const flags = (jit ? VARIANT.JIT : interpreted) | (m.nonRoot ? VARIANT.NONROOT : 0);
        const slice = sliceFunction(flags);
        if (observer) {
          const rec = this.newRecord();
          const before = c.instructions;
          const done = slice(m, 1, skipBreakpoint);
          m.record = undefined;
          if (done > 0) {
            rec.retired = c.instructions > before;
            observer(rec);
          }
          left -= done;
          if (done > 0) skipBreakpoint = false;
        } else {
          const done = slice(m, Math.min(left, m.horizon(), SLICE_MAX), skipBreakpoint, jit);
          left -= done;
          if (done > 0) skipBreakpoint = false;
        }
      }
    } finally {
      m.record = undefined;
      m.flushDevices();
    }
    return { stop, steps: c.steps - start };
  }

  private newRecord(): StepRecord {
    const m = this.machine;
    const rec: StepRecord = {
      step: m.counters.steps + 1,
      pc: m.cpu.pc >>> 0,
      ring: m.cpu.cr[CR.status]! & STATUS.CPL_MASK,
      word: undefined,
      retired: false,
      regs: [],
      mem: [],
      events: [],
    };
    m.record = rec;
    return rec;
  }
}

export function createInterpreter(machine: Machine): Interpreter {
  return new Interpreter(machine);
}
