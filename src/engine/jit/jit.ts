// The JIT engine: the reference interpreter's outer loop (devices, interrupts,
// VMX events, budgets) around the interpreter's generated slice in its JIT
// variant, which, before interpreting an instruction, runs the compiled region
// entered at its physical address if there is one (gen.ts, JIT_DISPATCH).
// Regions (region.ts, compile.ts) are compiled, or reused (region-cache.ts),
// once their entry has been reached JIT_THRESHOLD times. Anything unusual stays interpreted: observed runs (trace,
// debug step records), the write journal (reverse stepping) and breakpoints
// use the interpreter's own variants, so `jit` is bit-identical to `interp` by
// construction there, and by the differential tests elsewhere.

import type { Machine } from '../../machine/machine.js';
import type { RunResult } from '../../machine/stop.js';
import { JIT_HOT_MASK, type JitDispatch, type JitEntry } from '../interp/gen.js';
import { Interpreter } from '../interp/interpreter.js';
import { regionFor } from './region-cache.js';

/** Counters of the compiler's work, for tests and `bench/jit-check.ts` (not machine state). */
export interface JitStats {
  /** Regions installed (compiled, or reused from the same code compiled before: `reused`). */
  compiled: number;
  reused: number;
  /** Blocks in them. */
  blocks: number;
  /** Regions dropped because their code changed. */
  stale: number;
}

/** Most compile requests ignored after a change (each comes JIT_THRESHOLD visits after the last). */
const BACKOFF_MAX = 15;

class Dispatch implements JitDispatch {
  readonly pages: (JitEntry | undefined)[][];
  readonly hot = new Int32Array(JIT_HOT_MASK + 1);
  readonly out = new Int32Array(4);
  readonly env: Record<string, unknown>;
  /** Physical pages holding compiled code: a region stops before a store to one. */
  readonly code: Uint8Array;
  /** Per physical page: regions found changed so far (saturating), and compile requests still to ignore. */
  readonly changes: Uint8Array;
  readonly backoff: Uint8Array;
  readonly stats: JitStats = { compiled: 0, reused: 0, blocks: 0, stale: 0 };

  constructor(private readonly m: Machine) {
    const mem = m.mem;
    const pageCount = mem.size >>> 12;
    this.pages = new Array<(JitEntry | undefined)[] | undefined>(pageCount).fill(undefined) as (JitEntry | undefined)[][];
    this.code = new Uint8Array(pageCount);
    this.changes = new Uint8Array(pageCount);
    this.backoff = new Uint8Array(pageCount);
    this.env = {
      R: m.cpu.regs, CR: m.cpu.cr, M32: mem.i32, MU16: mem.u16, MI16: mem.i16, MU8: mem.u8, MI8: mem.i8,
      TR: m.tlb.read, TW: m.tlb.write, TF: m.tlb.frame, CODE: this.code, S: this.out,
    };
  }

  /** Forget every region, count and backoff: after a machine reset a run starts as the first did. */
  clear(): void {
    this.pages.fill(undefined as unknown as (JitEntry | undefined)[]);
    this.hot.fill(0);
    this.code.fill(0);
    this.changes.fill(0);
    this.backoff.fill(0);
  }

  compile(wi: number, mode: number, w: number): JitEntry | undefined {
    const m = this.m;
    // A page whose code keeps changing (a binary translator patching its exits) waits longer before each recompile.
    if (this.backoff[wi >>> 10]! > 0) { this.backoff[wi >>> 10]!--; return undefined; }
    const pageWord = wi & ~1023;
    const hot = this.hot;
    const ran = (o: number) => hot[(pageWord + o) & JIT_HOT_MASK] !== 0;
    const { region, reused } = regionFor(m.mem.i32.subarray(pageWord, pageWord + 1024), pageWord, wi & 1023, mode, m.mem.size, ran);
    if (region.fn !== null) {
      this.stats.compiled++;
      if (reused) this.stats.reused++;
      this.stats.blocks += region.blocks;
      this.code[wi >>> 10] = 1;
    }
    const block: JitEntry = { mode, w0: w, fn: region.fn };
    (this.pages[wi >>> 10] ??= new Array<JitEntry | undefined>(1024).fill(undefined))[wi & 1023] = block;
    return block;
  }

  drop(wi: number): void {
    this.stats.stale++;
    const p = wi >>> 10;
    this.backoff[p] = Math.min(2 * this.changes[p]! + 1, BACKOFF_MAX);
    if (this.changes[p]! < BACKOFF_MAX) this.changes[p]!++;
    const page = this.pages[wi >>> 10];
    if (page) page[wi & 1023] = undefined;
  }
}

/** The interpreter's run loop (devices, interrupts, VMX events, budgets), its plain slices running compiled regions. */
export class JitEngine extends Interpreter {
  override readonly name = 'jit';
  private readonly dispatch: Dispatch;
  private resets: number;

  constructor(machine: Machine) {
    const dispatch = new Dispatch(machine);
    super(machine, dispatch);
    this.dispatch = dispatch;
    this.resets = machine.resets;
  }

  /**
   * After a machine reset the JIT starts over (compiled functions are still
   * reused, region-cache.ts): otherwise what a run compiles, and how long a
   * page whose code keeps changing waits (a binary translator's cache, rebuilt
   * by every run), would depend on the runs before it.
   */
  override run(budget?: number): RunResult {
    if (this.machine.resets !== this.resets) {
      this.resets = this.machine.resets;
      this.dispatch.clear();
    }
    return super.run(budget);
  }

  get stats(): JitStats {
    return this.dispatch.stats;
  }
}

export function createJit(machine: Machine): JitEngine {
  return new JitEngine(machine);
}
