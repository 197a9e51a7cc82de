// A loaded configuration: the machine (a lone VM or a host), under the
// interpreter the debugger's session over it, the views' targets (the
// debugger's own, or made the same way under jit), and how each VM stands.

import { DebugSession } from '../debug/session.js';
import { DEFAULT_HISTORY } from '../debug/history.js';
import { hostTargets, type Target } from '../debug/target.js';
import { SymbolTable, type SourceReader } from '../debug/symbols.js';
import { guestTranslator } from '../debug/views.js';
import { BtRunner } from '../debug/bt.js';
import type { HostVm } from '../host/index.js';
import type { Machine, Stop } from '../machine/index.js';
import { exitCodeOf, stopMessage } from '../cli/outcome.js';
import type { PerIterationReport } from '../cli/per-iteration-report.js';
import { buildConfiguration, DEFAULT_MAX_STEPS, type Build } from './build.js';
import { catalogReader, type CatalogFiles } from './catalog.js';
import { PlaygroundError } from './errors.js';
import type { Configuration, Counters, ModeName, VmStatus } from './protocol.js';
import { guestPc, withTarget } from './state.js';
import { hostVmCounters, loneCounters, measurePerIteration } from './stats.js';

/** One VM as the views and reports see it. */
export interface LoadedVm {
  name: string;
  mode: ModeName;
  target: Target;
  /** On a host, its HostVm; undefined for a lone VM. */
  hostVm: HostVm | undefined;
  /** The program's file name as the protocol names it. */
  file: string;
}

export class Loaded {
  readonly machine: Machine;
  readonly debug: DebugSession | undefined;
  readonly vms: LoadedVm[];
  readonly maxSteps: number;
  /** A nanobenchmark's per-iteration report, once measured for the halt it belongs to. */
  private perIter: { steps: number; report: PerIterationReport | undefined } | undefined;

  private constructor(readonly files: CatalogFiles, readonly config: Configuration, readonly build: Build, debugOn: boolean) {
    this.maxSteps = config.maxSteps ?? DEFAULT_MAX_STEPS;
    const overlay: Record<string, string> = {};
    for (const vm of config.vms) if (vm.program?.kind === 'source') overlay[vm.program.file.replace(/^\//, '')] = vm.program.text;
    const read = catalogReader(files, overlay);
    const readSource: SourceReader = (f) => {
      try {
        const t = read(f);
        return typeof t === 'string' ? t : new TextDecoder().decode(t);
      } catch {
        return undefined;
      }
    };
    const common = { maxSteps: this.maxSteps, history: config.history ?? DEFAULT_HISTORY, readSource };
    if (build.kind === 'vm') {
      const { vm, engine } = build;
      this.machine = vm.machine;
      this.debug = debugOn
        ? new DebugSession({
          machine: vm.machine, engine, image: vm.image, ...common,
          ...(vm.monitor ? { monitor: vm.monitor, reload: () => vm.reset(), directEngine: vm.engine } : {}),
        })
        : undefined;
      const target: Target = this.debug?.targets[0] ?? {
        name: undefined, vm: undefined, image: vm.image, symbols: new SymbolTable(vm.image, readSource), monitor: vm.monitor,
        translate: guestTranslator(vm.machine, vm.monitor), bt: BtRunner.of(vm.machine, engine, vm.monitor, vm.engine),
      };
      this.vms = [{ name: build.name, mode: vm.mode, target, hostVm: undefined, file: build.assembled.file }];
    } else {
      const { host } = build;
      this.machine = host.machine;
      this.debug = debugOn ? DebugSession.forHost({ host, ...common }) : undefined;
      const targets = this.debug?.targets ?? hostTargets(host, readSource);
      this.vms = host.vms.map((vm, i) => ({ name: vm.name, mode: vm.mode, target: targets[i]!, hostVm: vm, file: build.assembled[i]!.file }));
    }
  }

  /** Build `config` (one-line errors; a program that does not assemble carries its diagnostics). */
  static load(files: CatalogFiles, config: Configuration): Loaded {
    let session: DebugSession | undefined;
    // On a host the debugger must hear of every slice's end (as src/cli/debug.ts wires it).
    const build = buildConfiguration(files, config, config.engine === 'interp' ? (vm) => session?.sliceEnded(vm) : undefined);
    const loaded = new Loaded(files, config, build, config.engine === 'interp');
    session = loaded.debug;
    return loaded;
  }

  vm(name: string | undefined): LoadedVm {
    if (name === undefined) return this.vms.find((v) => v.name === this.selected) ?? this.vms[0]!;
    const vm = this.vms.find((v) => v.name === name);
    if (!vm) throw new PlaygroundError(`no VM named '${name}'; the VMs are ${this.vms.map((v) => v.name).join(', ')}`);
    return vm;
  }

  /** The VM the views and steps work on: the debugger's selection on a host, else the only one. */
  get selected(): string {
    return this.debug?.vmName ?? this.jitSelected ?? this.vms[0]!.name;
  }

  /** Under jit on a host: the VM `select` chose. */
  jitSelected: string | undefined;

  /** Whether the CPU holds this VM's vCPU now (always, for a lone VM). */
  running(v: LoadedVm): boolean {
    return v.hostVm === undefined || (this.build.kind === 'host' && this.build.host.running() === v.hostVm);
  }

  stopOf(v: LoadedVm): Stop | undefined {
    return v.hostVm ? v.hostVm.stop : this.machine.stopped;
  }

  allStopped(): boolean {
    return this.vms.every((v) => this.stopOf(v) !== undefined);
  }

  /** On a host, the running VM's slice so far counts too (its counters are summed at the slice's end). */
  instructions(v: LoadedVm): number {
    if (!v.hostVm) return this.machine.counters.instructions;
    return this.build.kind === 'host' ? this.build.host.instructionsOf(v.hostVm) : v.hostVm.counters.instructions;
  }

  status(v: LoadedVm): VmStatus {
    const stop = this.stopOf(v);
    return {
      name: v.name,
      state: stop === undefined ? 'runnable' : stop.kind === 'halted' ? 'halted' : 'stopped',
      haltCode: stop?.kind === 'halted' ? stop.code | 0 : null,
      message: stop === undefined ? null : stopMessage(stop, this.maxSteps) ?? null,
      exitCode: stop === undefined ? null : exitCodeOf(stop),
      pc: withTarget(this.machine, v.target, this.running(v), () => guestPc(v.target, this.machine)),
      instructions: this.instructions(v),
    };
  }

  /** The guest's console output so far. */
  console(v: LoadedVm): string {
    return v.hostVm ? new TextDecoder().decode(v.hostVm.console.output()) : this.machine.console?.text() ?? '';
  }

  counters(v: LoadedVm): Counters {
    const b = this.build;
    if (b.kind === 'host') return hostVmCounters(v.hostVm!, this.config.costModel);
    const steps = this.machine.counters.steps;
    if (this.perIter?.steps !== steps) this.perIter = { steps, report: measurePerIteration(this.files, this.config, b, this.machine.stopped) };
    return loneCounters(b, this.config.costModel, this.perIter.report);
  }
}
