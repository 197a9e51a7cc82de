// Running a generated program and comparing the runs: interp against jit
// (bit-identical: registers, pc, control registers, counters, console and RAM,
// after every one of a random sequence of step budgets), and native against
// each monitor mode the program's profile allows (what the guest can observe:
// console, how it stopped, exit code; and where the mode promises it, the
// timer ticks and the instruction count). See docs/fuzzing.md.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../asm/index.js';
import type { Image } from '../elf/image.js';
import { createInterpreter } from '../engine/interp/index.js';
import { createJit, JitEngine } from '../engine/jit/index.js';
import { Machine, type RunResult } from '../machine/index.js';
import { createVm, type Vm, type VmCounters, type VmOptions } from '../vmm/index.js';
import type { ModeName } from '../vmm/modes/mode.js';
import type { Profile } from './program.js';
import { Rng } from './rng.js';

/** guests/lib, found upward from this file (src/fuzz or dist/src/fuzz). */
export function guestsLib(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const lib = join(dir, 'guests', 'lib');
    if (existsSync(join(lib, 'priv.inc'))) return lib;
  }
  throw new Error('guests/lib not found above src/fuzz');
}

export interface Built { native: Image; pv?: Image }

/** Assemble the source as if it lay at `file` (its .include lines resolve from there); the PV build too if asked. */
export function buildImages(source: string, file: string, withPv: boolean): Built {
  const one = (defines: Record<string, number>) => {
    const r = assemble(source, { file, defines });
    if (!r.image) {
      const d = r.diagnostics.find((x) => x.severity === 'error');
      throw new Error(`generated program does not assemble${defines.PV ? ' with -D PV' : ''}: ${d ? `${d.line}:${d.column}: ${d.message}` : 'no image'}`);
    }
    return r.image;
  };
  return withPv ? { native: one({}), pv: one({ PV: 1 }) } : { native: one({}) };
}

/** A mode as the comparisons name it: hw-noept is hw without EPT, hw-vtimer hw with the virtual timer (ticks posted, no exit). */
export type RunMode = ModeName | 'hw-noept' | 'hw-vtimer';

/** The monitor modes a profile's programs must agree with native in. */
export function modesFor(profile: Profile): RunMode[] {
  switch (profile) {
    case 'full': return ['bt', 'hw', 'hw-noept', 'hw-vtimer'];
    case 'trap': return ['trap', 'bt', 'hw', 'hw-noept', 'hw-vtimer'];
    case 'pv': return ['bt', 'hw', 'hw-noept', 'pv', 'hw-vtimer'];
  }
}

/** Modes whose guest retires exactly the native instructions, so that ticks land on the same ones (docs/virtualization.md). */
const SAME_CLOCK: ReadonlySet<RunMode> = new Set(['trap', 'hw', 'hw-noept', 'hw-vtimer']);

export const GUEST_MEMORY = 1 << 20;
/** What the guest's console reads (PRIV_GETC), the same in every run. */
export const CONSOLE_INPUT = 'fuzz\n';
export const TOTAL_BUDGET = 3_000_000;

export interface RunSpec {
  mode: RunMode;
  jit: boolean;
  /** Seed of the budget sequence; undefined: one run with the whole budget. */
  chunks?: number;
}

function vmOptions(image: Image, spec: RunSpec): VmOptions {
  const mode: ModeName = spec.mode === 'hw-noept' || spec.mode === 'hw-vtimer' ? 'hw' : spec.mode;
  return {
    image, mode, guestMemory: GUEST_MEMORY, console: { input: CONSOLE_INPUT },
    engine: spec.jit ? createJit : createInterpreter,
    ...(spec.mode === 'hw-noept' ? { hw: { ept: false } } : spec.mode === 'hw-vtimer' ? { hw: { virtualTimer: true } } : {}),
  };
}

/** Everything interp and jit must agree on at a stop. */
function fullState(vm: Vm) {
  const m = vm.machine;
  return {
    regs: Array.from(m.cpu.regs), pc: m.cpu.pc >>> 0, cr: Array.from(m.cpu.cr), stopped: m.stopped,
    counters: vm.counters(), console: vm.consoleText(),
  };
}

function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

export interface Observed {
  console: string;
  stop: string;
  code: number | undefined;
  ticks: number;
  instructions: number;
  /** The machine's jumps (jal, jalr): the guest's own in every mode, bt's translated ones included. */
  jumps: number;
}

export function symbol(image: Image, name: string): number {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name} in the generated program`);
  return s.value;
}

/** Run one image in one mode; with `trace`, the full state after each budget (for interp against jit). */
export function runSpec(image: Image, spec: RunSpec, trace = false): { obs: Observed; states: unknown[]; ram: number; counters: VmCounters; compiled: number } {
  const vm = createVm(vmOptions(image, spec));
  const states: unknown[] = [];
  let stop: RunResult['stop'];
  if (spec.chunks === undefined) {
    stop = vm.run(TOTAL_BUDGET).stop;
    if (trace) states.push(fullState(vm));
  } else {
    const r = new Rng(spec.chunks);
    let total = 0;
    stop = { kind: 'budget' };
    while (total < TOTAL_BUDGET && !vm.machine.stopped) {
      const res = vm.run(1 + (r.chance(0.2) ? r.int(8) : r.int(4000)));
      stop = res.stop;
      total += res.steps;
      if (trace) states.push({ stop: res.stop.kind, steps: res.steps, ...fullState(vm) });
      if (res.steps === 0) break;
    }
  }
  const ticksAt = symbol(image, 'fz_ticks');
  const ticks = vm.monitor ? vm.monitor.guest.read(ticksAt, 4) : vm.machine.mem.read32(ticksAt) >>> 0;
  const obs: Observed = {
    console: vm.consoleText(), stop: Machine.describeStop(stop), code: stop.kind === 'halted' ? stop.code : undefined,
    ticks, instructions: vm.machine.counters.instructions, jumps: vm.machine.counters.jumps,
  };
  const compiled = vm.engine instanceof JitEngine ? vm.engine.stats.compiled : 0;
  return { obs, states, ram: trace ? fnv(vm.machine.mem.u8) : 0, counters: vm.counters(), compiled };
}

export interface Divergence {
  /** Which comparison: `interp-jit/<mode>` or `native-<mode>`. */
  check: string;
  /** The first thing that differs, one line. */
  detail: string;
}

/** The first difference between two values, as a path and both sides (short). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // Long texts (the console) differ somewhere in the middle: show both around the first difference.
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 20), i + 30));
    return `${path || 'value'} from offset ${i}: ${around(a)} vs ${around(b)}`;
  }
  const show = (v: unknown) => { const s = JSON.stringify(v) ?? String(v); return s.length > 80 ? `${s.slice(0, 77)}...` : s; };
  return `${path || 'value'}: ${show(a)} vs ${show(b)}`;
}

/** The comparisons a profile's program gets: that it halts natively, interp against jit natively and in one monitor mode (chosen by seed, independently of the draws that made the program), native against each mode. */
export function checksFor(profile: Profile, seed: number): string[] {
  const modes = modesFor(profile);
  return ['native', 'interp-jit/native', `interp-jit/${modes[new Rng(seed ^ 0x1e7a51c3).int(modes.length)]}`, ...modes.map((m) => `native-${m}`)];
}

const RUN_MODES: readonly RunMode[] = ['native', 'trap', 'bt', 'pv', 'hw', 'hw-noept', 'hw-vtimer'];

function parseCheck(check: string): { kind: 'interp-jit' | 'native' | 'halts'; mode: RunMode } {
  if (check === 'native') return { kind: 'halts', mode: 'native' };
  const m = /^(interp-jit\/|native-)(.+)$/.exec(check);
  const mode = m?.[2] as RunMode | undefined;
  if (!m || !mode || !RUN_MODES.includes(mode)) throw new CheckSetupError(`unknown comparison '${check}' (native, interp-jit/<mode> or native-<mode>)`);
  return { kind: m[1] === 'native-' ? 'native' : 'interp-jit', mode };
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Run one comparison. Its random choices (budget sequences, engine) come from the seed and
 * the comparison's name alone, so a replay or a shrink step runs it exactly as the campaign did.
 */
export function runCheck(built: Built, check: string, seed: number, native?: () => Observed): Divergence | undefined {
  // An exception out of the machine, an engine or the monitor is a bug whatever the comparison.
  try {
    return compare(built, check, seed, native);
  } catch (e) {
    if (e instanceof CheckSetupError) throw e;
    return { check, detail: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}

/** A comparison that cannot be made (a bad name, a missing build): the caller's mistake, not a finding. */
class CheckSetupError extends Error {}

function compare(built: Built, check: string, seed: number, native?: () => Observed): Divergence | undefined {
  const { kind, mode } = parseCheck(check);
  const r = new Rng(seed ^ hashString(check));
  const image = mode === 'pv' ? built.pv : built.native;
  if (!image) throw new CheckSetupError(`${check} needs the -D PV build`);
  if (kind === 'halts') {
    const stop = (native ? native() : runSpec(built.native, { mode: 'native', jit: false }).obs).stop;
    return stop.startsWith('halted') ? undefined : { check, detail: `the program did not halt natively: ${stop}` };
  }
  if (kind === 'interp-jit') {
    const chunks = r.u32();
    const a = runSpec(image, { mode, jit: false, chunks }, true);
    const b = runSpec(image, { mode, jit: true, chunks }, true);
    const d = firstDifference({ states: a.states, ram: a.ram }, { states: b.states, ram: b.ram });
    return d ? { check, detail: d } : undefined;
  }
  const ref = native ? native() : runSpec(built.native, { mode: 'native', jit: false }).obs;
  // A run cut by the budget has nothing to compare (its counts depend on what a step costs
  // in each mode); the `native` check reports it, and a shrink must not drift into it.
  if (!ref.stop.startsWith('halted')) return undefined;
  const other = runSpec(image, { mode, jit: r.chance(0.5), chunks: r.u32() }).obs;
  // bt's clock runs ahead of native's (docs/virtualization.md), so ticks may land elsewhere; with none
  // in either run the guest takes the same path, and makes the same jumps, translated or not.
  const sameJumps = mode === 'bt' && ref.ticks === 0 && other.ticks === 0;
  const pick = (o: Observed) => (SAME_CLOCK.has(mode) ? o
    : { console: o.console, stop: o.stop, code: o.code, ...(sameJumps ? { jumps: o.jumps } : {}) });
  const d = firstDifference(pick(ref), pick(other));
  return d ? { check, detail: d } : undefined;
}

export interface CheckOptions {
  seed: number;
  /** These comparisons instead of the profile's (names as in checksFor). */
  checks?: readonly string[];
}

/** The comparisons of a program; the divergences found (empty: all agree). */
export function checkProgram(built: Built, profile: Profile, opts: CheckOptions): Divergence[] {
  let native: Observed | undefined;
  const ref = () => (native ??= runSpec(built.native, { mode: 'native', jit: false }).obs);
  const out: Divergence[] = [];
  const checks = opts.checks ?? checksFor(profile, opts.seed);
  for (const c of checks) {
    const d = runCheck(built, c, opts.seed, ref);
    if (d) out.push(d);
  }
  return out;
}
