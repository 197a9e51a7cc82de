// From a configuration to a machine that runs it, as the CLI builds one: a
// lone VM as `virtlab run`/`debug` do (machine-options.ts), a host of several
// as `virtlab host`/`debug HOST.json` do (host-load.ts, host-session.ts), its
// configuration checked by the host's own schema. Every program is assembled
// from the catalog first; all problems are one-line errors.

import type { Engine } from '../engine/engine.js';
import { ENGINE_FACTORIES, ENGINE_NAMES } from '../engine/registry.js';
import { Host, HostError, type HostOptions, type HostVm, type HostVmConfig } from '../host/index.js';
import { validateHostConfig, vmMac } from '../host/config.js';
import { LoadError } from '../machine/index.js';
import { NetError } from '../net/errors.js';
import { parseWireSpec } from '../net/wire-options.js';
import { NIC_KINDS } from '../network/nic.js';
import { COST_PRESET_NAMES, createVm, LayoutError, MODE_NAMES, type Vm } from '../vmm/index.js';
import { checkPvImage } from '../vmm/pv/image-check.js';
import { assembleProgram, type Assembled } from './assemble.js';
import type { CatalogFiles } from './catalog.js';
import { PlaygroundError } from './errors.js';
import type { Configuration, NicSpec, VmSpec } from './protocol.js';

export const DEFAULT_MAX_STEPS = 100_000_000;
export const MAX_MEMORY_MIB = 1024;
export const MAX_HISTORY = 10_000_000;

export interface LoneBuild {
  kind: 'vm';
  name: string;
  vm: Vm;
  /** vm.run under a monitor (the monitor prepares every run), else the engine itself: what `run` runs. */
  engine: Engine;
  assembled: Assembled;
  /** The defines it was assembled with (a nanobenchmark's baseline is assembled with them too). */
  defines: Record<string, number | string>;
  spec: VmSpec;
}

export interface HostBuild {
  kind: 'host';
  host: Host;
  assembled: Assembled[];
}

export type Build = LoneBuild | HostBuild;

/** A RAM allocation the browser refused (a RangeError from ArrayBuffer) as one line; anything else as it is. */
function outOfMemory(e: unknown, mib: number): unknown {
  if (e instanceof RangeError && /allocat|array buffer/i.test(e.message)) return new PlaygroundError(`cannot allocate ${mib} MiB of guest memory here (${e.message}): give the VMs less`);
  return e;
}

/** `value` is one of `names`, else a one-line error listing them. */
function oneOf<T extends string>(what: string, value: unknown, names: readonly T[]): T {
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  throw new PlaygroundError(`bad ${what} '${String(value)}' (known: ${names.join(', ')})`);
}

function whole(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PlaygroundError(`bad ${what} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

/** The configuration's own fields checked (the VMs' are checked by what builds them). */
export function checkConfiguration(raw: unknown): Configuration {
  if (typeof raw !== 'object' || raw === null) throw new PlaygroundError('a configuration must be an object');
  const c = raw as Configuration;
  if (!Array.isArray(c.vms) || c.vms.length === 0) throw new PlaygroundError('a configuration needs at least one VM in vms');
  oneOf('engine', c.engine, ENGINE_NAMES);
  oneOf('cost model', c.costModel, COST_PRESET_NAMES);
  if (c.maxSteps !== undefined) whole('maxSteps', c.maxSteps, 1, Number.MAX_SAFE_INTEGER);
  // The history journals every memory write of its steps: bounded, for a browser tab's memory.
  if (c.history !== undefined) whole('history', c.history, 0, MAX_HISTORY);
  for (const [i, vm] of c.vms.entries()) if (typeof vm !== 'object' || vm === null) throw new PlaygroundError(`vms[${i}] must be an object`);
  return c;
}

/** The defines a VM is assembled with: under pv, PV = 1 unless given (`run -D PV --mode pv`; a host adds it too). */
function definesOf(spec: VmSpec): Record<string, number | string> {
  const given = spec.defines ?? {};
  if (typeof given !== 'object' || given === null) throw new PlaygroundError(`${spec.name}: defines must be an object of NAME: value`);
  return { ...(spec.mode === 'pv' ? { PV: 1 } : {}), ...given };
}

/** An image for the VM, or a one-line error naming the VM (the diagnostics are kept for the page). */
function assembleVm(files: CatalogFiles, spec: VmSpec, defines: Record<string, number | string>): Assembled & { image: NonNullable<Assembled['image']> } {
  const a = assembleProgram(files, spec.program, defines);
  if (!a.image) {
    const errors = a.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    const where = first ? `: ${first.file}:${first.line}:${first.column}: ${first.message}` : '';
    throw new PlaygroundError(`${spec.name}: '${a.file}' does not assemble (${errors.length} error${errors.length === 1 ? '' : 's'})${where}`, a);
  }
  return a as Assembled & { image: NonNullable<Assembled['image']> };
}

export function loneVm(files: CatalogFiles, config: Configuration, spec: VmSpec): LoneBuild {
  const mode = oneOf('mode', spec.mode, MODE_NAMES);
  const memory = whole('memoryMiB', spec.memoryMiB ?? 16, 1, MAX_MEMORY_MIB);
  const hw = spec.hw ?? {};
  if (mode !== 'hw' && (hw.ept === false || hw.vpid === false || hw.posted === false)) {
    throw new PlaygroundError(`hw options (no EPT, no VPID, no posted interrupts) apply to mode hw only (the mode is ${mode})`);
  }
  if (spec.input !== undefined && typeof spec.input !== 'string') throw new PlaygroundError('input must be text');
  let net;
  if (spec.nic !== undefined) {
    const kind = oneOf('nic kind', spec.nic.kind, NIC_KINDS);
    const hostOnly = (['vlan', 'vf', 'trusted'] as const).filter((k) => spec.nic![k] !== undefined);
    if (hostOnly.length) throw new PlaygroundError(`nic ${hostOnly.join(', ')} appl${hostOnly.length === 1 ? 'ies' : 'y'} to a host's VMs (a lone VM's NIC is cabled to the wire, as with run --nic)`);
    const mac = spec.nic.mac;
    if (mac !== undefined && (typeof mac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac) || (parseInt(mac.slice(0, 2), 16) & 1) !== 0)) {
      throw new PlaygroundError(`bad MAC '${String(mac)}': expected a unicast address aa:bb:cc:dd:ee:ff`);
    }
    try {
      net = {
        nic: { kind, ...(mac === undefined ? {} : { mac: mac.toLowerCase() }) },
        ...(spec.nic.peer === undefined ? {} : { peer: parseWireSpec(spec.nic.peer) }),
      };
    } catch (e) {
      if (e instanceof NetError) throw new PlaygroundError(`bad peer '${spec.nic.peer}': ${e.message}`);
      throw e;
    }
  }
  const defines = definesOf(spec);
  const assembled = assembleVm(files, spec, defines);
  let vm: Vm;
  try {
    vm = createVm({
      image: assembled.image, mode, guestMemory: memory * 1024 * 1024,
      hw: { ept: hw.ept !== false, vpid: hw.vpid !== false, posted: hw.posted !== false },
      engine: ENGINE_FACTORIES[config.engine],
      ...(net ? { net } : {}),
      console: spec.input === undefined ? {} : { input: spec.input },
    });
  } catch (e) {
    if (e instanceof LoadError || e instanceof LayoutError) throw new PlaygroundError(`cannot load the image: ${e.message}`);
    throw outOfMemory(e, memory);
  }
  // As machineFromOptions: under a monitor every run goes through the VM.
  const engine: Engine = vm.monitor
    ? { name: vm.engine.name, machine: vm.machine, step: () => vm.step(), run: (budget?: number) => vm.run(budget) }
    : vm.engine;
  return { kind: 'vm', name: typeof spec.name === 'string' && spec.name !== '' ? spec.name : 'vm', vm, engine, assembled, defines, spec };
}

/** A VM's NIC as a host configuration writes it (its `peer` is the host's, in Configuration.peer). */
function hostNic(nic: NicSpec): Record<string, unknown> {
  const { peer, ...rest } = nic;
  if (peer !== undefined) throw new PlaygroundError(`a host's VMs share one wire: give its peer as the configuration's peer, not nic.peer ('${peer}')`);
  return rest;
}

/** The host configuration `virtlab host` would read for these VMs, checked by its schema (paths into the catalog). */
function hostVms(files: CatalogFiles, config: Configuration): { vms: HostVmConfig[]; assembled: Assembled[]; slice: number; peer: string | undefined } {
  const raw = {
    ...(config.slice === undefined ? {} : { slice: config.slice }),
    ...(config.peer === undefined ? {} : { network: { peer: config.peer } }),
    vms: config.vms.map((vm) => ({
      name: vm.name,
      program: vm.program?.kind === 'source' ? vm.program.file : vm.program?.path,
      mode: vm.mode,
      ...(vm.memoryMiB === undefined ? {} : { memory: vm.memoryMiB }),
      ...(vm.weight === undefined ? {} : { weight: vm.weight }),
      ...(vm.hw === undefined ? {} : { hw: vm.hw }),
      ...(vm.defines === undefined ? {} : { defines: vm.defines }),
      ...(vm.input === undefined ? {} : { input: vm.input }),
      ...(vm.nic === undefined ? {} : { nic: hostNic(vm.nic) }),
    })),
  };
  const r = validateHostConfig(raw);
  if (!r.ok) {
    const issue = r.issues[0]!;
    throw new PlaygroundError(`${issue.path === '' ? 'configuration' : issue.path}: ${issue.message}`);
  }
  const assembled: Assembled[] = [];
  const vms = r.config.vms.map((vm, i): HostVmConfig => {
    // As loadHostVms: PV under pv, then the VM's own defines.
    const a = assembleVm(files, config.vms[i]!, { ...(vm.mode === 'pv' ? { PV: 1 } : {}), ...vm.defines });
    assembled.push(a);
    if (vm.mode === 'pv') {
      try {
        checkPvImage(a.image);
      } catch (e) {
        if (e instanceof LoadError) throw new PlaygroundError(`${vm.name}: ${e.message}`);
        throw e;
      }
    }
    return {
      name: vm.name, image: a.image, mode: vm.mode, guestMemory: vm.memory * 1024 * 1024, weight: vm.weight,
      ...(vm.hw ? { hw: vm.hw } : {}), ...(vm.input === undefined ? {} : { input: vm.input }),
      ...(vm.nic ? {
        nic: {
          kind: vm.nic.kind, mac: vmMac(vm, i), ...(vm.nic.vlan === undefined ? {} : { vlan: vm.nic.vlan }),
          ...(vm.nic.vf === undefined ? {} : { vf: vm.nic.vf }), ...(vm.nic.trusted === undefined ? {} : { trusted: vm.nic.trusted }),
        },
      } : {}),
    };
  });
  return { vms, assembled, slice: r.config.slice, peer: r.config.network?.peer };
}

/** The machine of a configuration; `onSlice` is called at the end of every host slice (the debugger's hook). */
export function buildConfiguration(files: CatalogFiles, config: Configuration, onSlice?: (vm: HostVm) => void): Build {
  if (config.vms.length === 1 && !config.host) return loneVm(files, config, config.vms[0]!);
  const { vms, assembled, slice, peer } = hostVms(files, config);
  const net = peer !== undefined ? { peer: parseWireSpec(peer) } : vms.some((vm) => vm.nic) ? {} : undefined;
  const options: HostOptions = { vms, slice, engine: ENGINE_FACTORIES[config.engine], ...(net ? { net } : {}), ...(onSlice ? { onSlice } : {}) };
  try {
    return { kind: 'host', host: new Host(options), assembled };
  } catch (e) {
    if (e instanceof HostError || e instanceof LayoutError || e instanceof LoadError) throw new PlaygroundError(`cannot build the host: ${e.message}`);
    throw outOfMemory(e, vms.reduce((n, vm) => n + (vm.guestMemory ?? 0), 0) / (1024 * 1024));
  }
}
