// What `virtlab host` and `virtlab trace --host` share: reading the VMs (a
// configuration file or --vm shorthands), building the host with one-line
// errors, and printing each VM's console lines prefixed by its name, a slice's
// complete lines when it ends.

import { Host, HostError, type HostOptions } from '../host/index.js';
import { LoadError } from '../machine/index.js';
import { LayoutError } from '../vmm/index.js';
import type { AssemblerInputs } from './assembler-options.js';
import { CliError, UsageError, type CliContext } from './context.js';
import { loadHostVms, readConfigFile, shorthandConfig, type LoadedHost } from './host-load.js';
import { parseVmShorthand } from './host-shorthand.js';

/** The VMs of `file` (a configuration) or of `specs` (--vm NAME=FILE:MODE,...), loaded and assembled. */
export function loadHost(ctx: CliContext, file: string | undefined, specs: readonly string[], asm: AssemblerInputs): LoadedHost {
  if (file !== undefined && specs.length) throw new UsageError('give the VMs in a configuration file or with --vm NAME=FILE:MODE, not both');
  if (file === undefined && !specs.length) throw new UsageError('no VMs: give a configuration file or --vm NAME=FILE:MODE');
  if (file !== undefined) {
    const { config, positions } = readConfigFile(ctx, file);
    return loadHostVms(ctx, { file }, config, asm, positions);
  }
  return loadHostVms(ctx, { shorthand: specs }, shorthandConfig(ctx, specs, specs.map(parseVmShorthand)), asm);
}

/** The host, or one CliError line saying why it cannot be built. */
export function buildHost(options: HostOptions): Host {
  try {
    return new Host(options);
  } catch (e) {
    if (e instanceof HostError || e instanceof LayoutError || e instanceof LoadError) throw new CliError(`cannot build the host: ${e.message}`);
    throw e;
  }
}

/**
 * Each VM's complete console lines, prefixed by its name, as they appear: the
 * bytes come from the VM's console sink, and the host ends each slice with
 * onSlice, when the lines that slice completed are printed.
 */
export class ConsoleLines {
  any = false;
  private readonly pending = new Map<string, number[]>();
  private readonly decoder = new TextDecoder();

  constructor(private readonly write: (text: string) => void, private readonly width: number) {}

  /** The console sink of VM `name`. */
  sink(name: string): (bytes: Uint8Array) => void {
    const bytes: number[] = [];
    this.pending.set(name, bytes);
    return (chunk) => {
      for (const b of chunk) bytes.push(b);
    };
  }

  /** Print the lines VM `name` completed since the last flush; `all`: also an unfinished last line. */
  flush(name: string, all: boolean): void {
    const bytes = this.pending.get(name)!;
    const end = all ? bytes.length : bytes.lastIndexOf(10) + 1;
    if (end === 0) return;
    const lines = this.decoder.decode(Uint8Array.from(bytes.splice(0, end))).replace(/\n$/, '').split('\n');
    this.any = true;
    this.write(lines.map((l) => `${name.padEnd(this.width)} | ${l}\n`).join(''));
  }

  /** At the end of a run: every VM's last bytes (a run cut short ends inside a slice), unfinished lines too. */
  flushAll(host: Host): void {
    for (const vm of host.vms) {
      vm.console.flush();
      this.flush(vm.name, true);
    }
  }
}
