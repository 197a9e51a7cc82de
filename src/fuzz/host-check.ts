// A host of random programs: several generated programs, each in a mode its
// profile allows, on one host with a random slice length and random weights.
// A VM's time is its own (docs/host.md), so each must end exactly as the same
// program ends alone in the same mode: console, stop, exit code, timer ticks,
// instructions retired and jumps. One VM alone against the same VM on a busy host,
// with the host's interleaving drawn at random.

import { join } from 'node:path';
import { Host, type HostMode } from '../host/index.js';
import { createInterpreter } from '../engine/interp/index.js';
import { createJit } from '../engine/jit/index.js';
import { Machine } from '../machine/index.js';
import { generateProgram, type GenOptions, type Program } from './program.js';
import { renderProgram } from './render.js';
import { Rng } from './rng.js';
import {
  buildImages, CONSOLE_INPUT, firstDifference, GUEST_MEMORY, guestsLib, modesFor, runSpec, symbol, TOTAL_BUDGET,
  type Divergence, type Observed, type RunMode,
} from './run-program.js';

export interface HostCaseVm {
  program: Program;
  mode: RunMode;
  weight: number;
  /** Under hw with EPT: the virtual timer (ticks posted with no exit), against the same program alone under plain hw. */
  virtualTimer?: boolean;
}

export interface HostCase {
  seed: number;
  vms: HostCaseVm[];
  /** Instructions in a slice of weight 1. */
  slice: number;
  jit: boolean;
}

/** 2 to 5 programs, each in one of its profile's modes; slices short enough (20 to 5,000 instructions) to interleave them. */
export function hostCase(seed: number, gen: GenOptions = {}): HostCase {
  const r = new Rng(seed ^ 0x5ca1ab1e);
  const n = r.range(2, 5);
  const vms = Array.from({ length: n }, (_, i) => {
    const program = generateProgram((seed * 7 + i * 0x9e3779b1) >>> 0, gen);
    // The virtual timer is drawn apart (below), so that hosts drawn before it existed stay as they were.
    const modes = modesFor(program.profile).filter((m) => m !== 'hw-vtimer');
    return { program, mode: r.pick(modes), weight: r.chance(0.3) ? r.range(2, 4) : 1 };
  });
  const c = { seed, vms, slice: r.chance(0.7) ? r.range(20, 600) : r.range(600, 5000), jit: r.chance(0.5) };
  // Drawn from a stream of its own, so every case drawn before this choice existed stays as it was.
  const vt = new Rng(seed ^ 0x7173e2);
  for (const v of vms) if (v.mode === 'hw' && vt.chance(0.5)) (v as HostCaseVm).virtualTimer = true;
  return c;
}

export interface HostCaseResult {
  divergences: Divergence[];
  /** World switches the host made: more than its VMs, or nothing interleaved. */
  worldSwitches: number;
}

/** The divergences of a host case: each VM on the host against the same image alone in its mode. */
export function checkHostCase(c: HostCase): HostCaseResult {
  const lib = guestsLib();
  const images = c.vms.map((v) => {
    const built = buildImages(renderProgram(v.program, { lib: '' }), join(lib, 'fuzz-case.s'), v.mode === 'pv');
    return v.mode === 'pv' ? built.pv! : built.native;
  });
  const alone: Observed[] = c.vms.map((v, i) => runSpec(images[i]!, { mode: v.mode, jit: c.jit }).obs);
  const host = new Host({
    slice: c.slice,
    engine: c.jit ? createJit : createInterpreter,
    vms: c.vms.map((v, i) => ({
      name: `vm${i}`, image: images[i]!, mode: (v.mode === 'hw-noept' ? 'hw' : v.mode) as HostMode, weight: v.weight,
      guestMemory: GUEST_MEMORY, input: CONSOLE_INPUT,
      ...(v.mode === 'hw-noept' ? { hw: { ept: false } } : v.virtualTimer ? { hw: { virtualTimer: true } } : {}),
    })),
  });
  try {
    host.run(TOTAL_BUDGET * c.vms.length * 2);
  } catch (e) {
    return { divergences: [{ check: 'host', detail: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` }], worldSwitches: host.counters.worldSwitches };
  }
  const out: Divergence[] = [];
  host.vms.forEach((vm, i) => {
    const ref = alone[i]!;
    // A run cut by the budget alone has nothing exact to compare (the host's budget is another).
    if (!ref.stop.startsWith('halted')) return;
    const stop = vm.stop ?? { kind: 'budget' as const };
    const seen: Observed = {
      console: vm.consoleText(), stop: Machine.describeStop(stop), code: stop.kind === 'halted' ? stop.code : undefined,
      ticks: vm.monitor.guest.read(symbol(images[i]!, 'fz_ticks'), 4), instructions: vm.counters.instructions, jumps: vm.counters.jumps,
    };
    const d = firstDifference(ref, seen);
    if (d) out.push({ check: `host/${c.vms[i]!.mode}${c.vms[i]!.virtualTimer ? '+vtimer' : ''}`, detail: `vm${i} (program seed ${c.vms[i]!.program.seed}): ${d}` });
  });
  return { divergences: out, worldSwitches: host.counters.worldSwitches };
}
