// From a host configuration (a file, or --vm shorthands) to the VMs the host
// library runs: every problem (schema, unreadable program, assembler errors,
// a pv VM whose image is not a PV build) is one `virtlab:` line naming where
// it lies, all of them reported before the command gives up.

import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { formatDiagnostic } from '../asm/index.js';
import type { Image } from '../elf/image.js';
import { isSourcePath, parseHostConfig, vmMac, positionOf, validateHostConfig, type ConfigIssue, type HostConfig, type JsonPosition } from '../host/config.js';
import type { HostVmConfig } from '../host/index.js';
import { LoadError } from '../machine/index.js';
import { parseWireSpec } from '../net/wire-options.js';
import type { VirtualNetworkOptions } from '../network/virtual.js';
import { checkPvImage } from '../vmm/pv/image-check.js';
import type { AssemblerInputs } from './assembler-options.js';
import { CliError, ExitStatus, UsageError, readInput, type CliContext } from './context.js';
import { assembleSource, loadProgram } from './program.js';

/** A host configuration file is small; this bounds the parse. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedHost {
  config: HostConfig;
  vms: HostVmConfig[];
  /** Each VM's program as the user can open it (relative to the working directory). */
  programs: string[];
  /** The wire, when a VM has a NIC (the configuration's `network`, else an echo peer). */
  net?: VirtualNetworkOptions;
}

/** Where the configuration came from: a file (its paths relative to its directory) or the --vm options. */
export type ConfigOrigin = { file: string } | { shorthand: readonly string[] };

/** `host.json:3:12: vms[1].mode` or `--vm 'a=x.s:native': mode`: where an issue lies, for its message. */
function where(origin: ConfigOrigin, issue: Pick<ConfigIssue, 'path' | 'position'>): string {
  if ('file' in origin) {
    const at = issue.position ? `${origin.file}:${issue.position.line}:${issue.position.column}` : origin.file;
    return issue.path === '' ? at : `${at}: ${issue.path}`;
  }
  const m = /^vms\[(\d+)\](?:\.(.*))?$/.exec(issue.path);
  if (!m) return '--vm';
  const spec = `--vm '${origin.shorthand[Number(m[1])]}'`;
  return m[2] ? `${spec}: ${m[2]}` : spec;
}

function fail(ctx: CliContext, origin: ConfigOrigin, issues: readonly ConfigIssue[]): never {
  for (const issue of issues) ctx.io.err(`virtlab: ${where(origin, issue)}: ${issue.message}\n`);
  throw new ExitStatus(1);
}

/** Read and check a configuration file; `positions` locate its values for later messages. */
export function readConfigFile(ctx: CliContext, file: string): { config: HostConfig; positions: Map<string, JsonPosition> } {
  const bytes = readInput(ctx, file);
  if (bytes.length > MAX_CONFIG_BYTES) throw new CliError(`cannot read '${file}': larger than the ${MAX_CONFIG_BYTES / 1024} KiB a host configuration may hold`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${file}: not UTF-8 text`);
  }
  const r = parseHostConfig(text);
  if (!r.ok) fail(ctx, { file }, r.issues);
  return { config: r.config, positions: r.positions ?? new Map() };
}

/** Check the configuration the --vm options and --slice make. */
export function shorthandConfig(ctx: CliContext, specs: readonly string[], vms: Record<string, unknown>[]): HostConfig {
  const r = validateHostConfig({ vms });
  if (!r.ok) fail(ctx, { shorthand: specs }, r.issues);
  return r.config;
}

/**
 * The images of the VMs: sources assembled with the command line's -D, then
 * PV under pv (as `run -D PV --mode pv`), then the VM's own defines.
 */
export function loadHostVms(ctx: CliContext, origin: ConfigOrigin, config: HostConfig, asm: AssemblerInputs, positions?: Map<string, JsonPosition>): LoadedHost {
  const base = 'file' in origin ? dirname(resolve(ctx.cwd, origin.file)) : ctx.cwd;
  const programs = config.vms.map((vm) => {
    const full = resolve(base, vm.program);
    const rel = relative(ctx.cwd, full);
    return rel === '' || isAbsolute(rel) || rel.startsWith('..') ? full : rel; // outside the working directory: absolute
  });
  const given = [Object.keys(asm.defines).length && '-D', asm.includeDirs.length > 1 && '-I', asm.maxExpansion !== undefined && '--max-expansion'].filter(Boolean);
  if (given.length && !config.vms.some((vm) => isSourcePath(vm.program))) {
    throw new UsageError(`${given.join(', ')} appl${given.length === 1 ? 'ies' : 'y'} to assembler sources (.s), and no VM's program is one`);
  }
  const issues: ConfigIssue[] = [];
  const vms: HostVmConfig[] = [];
  config.vms.forEach((vm, i) => {
    const path = `vms[${i}].program`;
    let image: Image | undefined;
    try {
      if (isSourcePath(vm.program)) {
        const defines = { ...asm.defines, ...(vm.mode === 'pv' ? { PV: 1 } : {}), ...vm.defines };
        const r = assembleSource(ctx, programs[i]!, defines, asm);
        for (const d of r.diagnostics) ctx.io.err(formatDiagnostic(d).replace(/\n?$/, '\n'));
        const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
        if (errors > 0 || !r.image) throw new CliError(`'${programs[i]}' does not assemble (${Math.max(errors, 1)} error${errors === 1 ? '' : 's'})`);
        image = r.image;
      } else {
        readInput(ctx, programs[i]!); // a clear 'cannot read' first
        image = loadProgram(ctx, programs[i]!);
      }
      if (vm.mode === 'pv') checkPvImage(image);
    } catch (e) {
      if (!(e instanceof CliError || e instanceof LoadError)) throw e;
      const position = positionOf(positions, ['vms', i, 'program']);
      issues.push({ path, message: e.message, ...(position ? { position } : {}) });
      return;
    }
    vms.push({
      name: vm.name, image, mode: vm.mode, guestMemory: vm.memory * 1024 * 1024, weight: vm.weight,
      ...(vm.hw ? { hw: vm.hw } : {}), ...(vm.input === undefined ? {} : { input: vm.input }),
      ...(vm.nic ? {
        nic: {
          kind: vm.nic.kind, mac: vmMac(vm, i), ...(vm.nic.vlan === undefined ? {} : { vlan: vm.nic.vlan }),
          ...(vm.nic.vf === undefined ? {} : { vf: vm.nic.vf }), ...(vm.nic.trusted === undefined ? {} : { trusted: vm.nic.trusted }),
        },
      } : {}),
    });
  });
  if (issues.length) fail(ctx, origin, issues);
  const net = config.network ? { peer: parseWireSpec(config.network.peer) } : vms.some((vm) => vm.nic) ? {} : undefined;
  return { config, vms, programs, ...(net ? { net } : {}) };
}

