// Options shared by the commands that run a guest (run, trace, debug): the
// step budget, RAM size, console input, the virtualization mode and the cost
// model, and building a loaded VM from them, so all three stay in step.

import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Image } from '../elf/image.js';
import type { Engine } from '../engine/engine.js';
import { ENGINE_FACTORIES, ENGINE_NAMES, type EngineName } from '../engine/registry.js';
import { LoadError, type Machine } from '../machine/index.js';
import { COST_PRESET_NAMES, createVm, LayoutError, MODE_NAMES, type CostPresetName, type ModeName, type Vm } from '../vmm/index.js';
import { CliError, UsageError, type CliContext } from './context.js';
import { addNetOptions, netFromOptions, type NetOptionValues } from './net-options.js';
import { parseWhole } from './numbers.js';

export const DEFAULT_MAX_STEPS = 100_000_000;
export const DEFAULT_MEMORY_MIB = 16;
export const MAX_MEMORY_MIB = 1024;

/** What addMachineOptions() leaves in `cmd.opts()`. */
export interface MachineOptionValues extends NetOptionValues {
  /** Step budget: instructions attempted plus interrupts taken. */
  maxSteps: number;
  /** RAM in MiB. */
  memory: number;
  /** Bytes the guest can read from the console. */
  input?: string;
  /** Take the console input from standard input instead (read whole before the run). */
  stdin?: boolean;
  /** How the guest runs: on the bare machine, or under the monitor. */
  mode: ModeName;
  /** Cost-model preset that prices the counters (--stats, --json). */
  costModel: CostPresetName;
  /** hw: second-level translation (false: --no-ept, shadow paging) and tagged TLB entries (false: --no-vpid). */
  ept: boolean;
  vpid: boolean;
  /** hw: posted interrupts (false: --no-posted-interrupts, an exit and an injection per device interrupt). */
  postedInterrupts?: boolean;
  /** hw: the virtual timer (--virtual-timer: the guest's timer is the CPU's, its accesses and ticks take no exit). */
  virtualTimer?: boolean;
  /** The engine that executes the machine (every mode runs on every engine). */
  engine: EngineName;
}

/** Where the guest's console output goes: a CLI stream, or kept in memory (Console.text()). */
export type ConsoleTarget = 'stdout' | 'stderr' | 'capture';

export interface LoadedMachine {
  machine: Machine;
  /** Runs the guest; under a monitor it goes through the VM, so the monitor is ready before every run. */
  engine: Engine;
  vm: Vm;
  /** The step budget to hand to engine.run(). */
  maxSteps: number;
  /** At the end of the command: close the network's capture (throws a one-line error if it could not be written). */
  closeNet(): void;
}

/** A commander parser for a whole-number option in [min, max] (the grammar of numbers.ts). */
export function wholeNumberOption(what: string, min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    try {
      return parseWhole(text, what, min, max);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

/** Hides options a command never accepts from its --help (they still parse, to be refused with a reason). */
export function hideOptions(cmd: Command, ...longs: string[]): void {
  for (const opt of cmd.options) if (opt.long !== undefined && longs.includes(opt.long)) opt.hideHelp();
}

const ENGINE_HELP = 'what executes guest instructions: interp, the reference interpreter; jit, which compiles hot code to JavaScript (docs/machine.md, Engines)';

/**
 * `engine`: the command's default engine (run: jit; the tools that step: interp, the reference);
 * `engineHelp`: what --engine means for this command.
 */
export function addMachineOptions(cmd: Command, defaults: { engine?: EngineName; engineHelp?: string } = {}): Command {
  return addNetOptions(cmd)
    .option('--max-steps <n>', 'stop after this many steps (instructions and interrupts)',
      wholeNumberOption('a number of steps', 1), DEFAULT_MAX_STEPS)
    .option('--memory <MiB>', 'RAM size in MiB', wholeNumberOption('a number of MiB', 1, MAX_MEMORY_MIB), DEFAULT_MEMORY_MIB)
    .option('--input <text>', 'bytes the guest reads from the console (port 0x10)')
    .option('--stdin', 'the guest reads its console input from standard input (read whole before the run, so runs stay deterministic)')
    .addOption(new Option('--mode <mode>', 'native: the bare machine; trap: trap-and-emulate under the monitor; bt: binary translation of the guest kernel; pv: a paravirtualized guest (assembled with -D PV); hw: the VMX-like extension')
      .choices(MODE_NAMES).default('native'))
    .addOption(new Option('--cost-model <preset>', 'prices the event counts in modelled cycles (docs/cost-model.md)')
      .choices(COST_PRESET_NAMES).default('p4-2006'))
    .addOption(new Option('--engine <name>', defaults.engineHelp ?? ENGINE_HELP)
      .choices(ENGINE_NAMES).default(defaults.engine ?? 'interp'))
    .option('--no-ept', 'hw: no nested paging; the monitor shadows the guest page tables (first-generation VT-x)')
    .option('--no-vpid', 'hw: flush the TLB at every VM entry and exit instead of tagging the guest\'s entries')
    .option('--no-posted-interrupts', 'hw: an assigned device\'s interrupt exits to the monitor, which injects it, instead of reaching the guest as a posted interrupt')
    .option('--virtual-timer', 'hw: the guest\'s timer is virtualized by the CPU (as APIC-timer virtualization): its register accesses and its ticks take no exit');
}

/** A machine with the image loaded and an engine for it; console output goes to `target`. */
export function machineFromOptions(
  ctx: CliContext,
  image: Image,
  opts: MachineOptionValues,
  target: ConsoleTarget = 'stdout',
): LoadedMachine {
  const decoder = new TextDecoder();
  const write = target === 'stdout' ? ctx.io.out : target === 'stderr' ? ctx.io.err : undefined;
  if (opts.stdin && opts.input !== undefined) throw new UsageError('--stdin and --input both give console input: choose one');
  const input = opts.stdin ? ctx.readStdin() : opts.input;
  if (opts.mode !== 'hw' && (opts.ept === false || opts.vpid === false)) {
    throw new UsageError(`--no-ept and --no-vpid apply to --mode hw only (the mode is ${opts.mode})`);
  }
  if (opts.mode !== 'hw' && opts.postedInterrupts === false) {
    throw new UsageError(`--no-posted-interrupts applies to --mode hw only (the mode is ${opts.mode})`);
  }
  if (opts.mode !== 'hw' && opts.virtualTimer === true) {
    throw new UsageError(`--virtual-timer applies to --mode hw only (the mode is ${opts.mode})`);
  }
  const net = netFromOptions(ctx.cwd, opts);
  let vm: Vm;
  try {
    vm = createVm({
      image,
      mode: opts.mode,
      guestMemory: opts.memory * 1024 * 1024,
      hw: { ept: opts.ept !== false, vpid: opts.vpid !== false, posted: opts.postedInterrupts !== false, virtualTimer: opts.virtualTimer === true },
      engine: ENGINE_FACTORIES[opts.engine ?? 'interp'],
      ...(net ? { net: net.net } : {}),
      console: {
        ...(input === undefined ? {} : { input }),
        ...(write ? { sink: (bytes: Uint8Array) => write(decoder.decode(bytes, { stream: true })) } : {}),
      },
    });
  } catch (e) {
    if (e instanceof LoadError || e instanceof LayoutError) throw new CliError(`cannot load the image: ${e.message}`);
    throw e;
  }
  const engine: Engine = vm.monitor
    ? { name: vm.engine.name, machine: vm.machine, step: () => vm.step(), run: (budget?: number) => vm.run(budget) }
    : vm.engine;
  return { machine: vm.machine, engine, vm, maxSteps: opts.maxSteps, closeNet: () => net?.close() };
}
