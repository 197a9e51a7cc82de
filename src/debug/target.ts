// What the session's views look at: the guest being debugged (a lone
// program, or on a host the selected VM) with its own image, symbols,
// monitor, address translation and bt view. On a host every VM is a target
// and the commands work on the selected one; its vCPU may not be the one the
// CPU holds, so its saved context is shown in the CPU's place while the
// views read it (ContextPeek), and put back before anything runs.

import type { Image } from '../elf/image.js';
import type { Host, HostVm } from '../host/index.js';
import type { CpuContext, Machine } from '../machine/index.js';
import type { Counters } from '../machine/counters.js';
import type { Monitor } from '../vmm/index.js';
import { BtRunner } from './bt.js';
import type { Output } from './output.js';
import { SymbolTable, type SourceReader } from './symbols.js';
import { guestTranslator, type Translate } from './views.js';

export interface Target {
  /** The VM's name on a host; undefined for a lone program. */
  name: string | undefined;
  vm: HostVm | undefined;
  image: Image;
  symbols: SymbolTable;
  monitor: Monitor | undefined;
  translate: Translate;
  /** Under bt: its guest instruction boundaries (on a host only the view is used; the host runs the VM). */
  bt: BtRunner | undefined;
}

/** One target per VM of the host, in configuration order. */
export function hostTargets(host: Host, readSource: SourceReader | undefined): Target[] {
  return host.vms.map((vm) => ({
    name: vm.name,
    vm,
    image: vm.image,
    symbols: new SymbolTable(vm.image, readSource),
    monitor: vm.monitor,
    translate: guestTranslator(host.machine, vm.monitor),
    bt: BtRunner.of(host.machine, host.engine, vm.monitor, host.engine),
  }));
}

/**
 * A VM's saved vCPU shown in the CPU's place (registers, control registers,
 * its hooks and root/non-root state, its TLB as its switch-in would leave it:
 * kept if tagged, else empty), and the CPU's own context put back exactly,
 * counters included (the load's TLB flush is not an event of the run).
 */
export class ContextPeek {
  private saved: { ctx: CpuContext; counters: Counters } | undefined;

  constructor(private readonly machine: Machine) {}

  get active(): boolean {
    return this.saved !== undefined;
  }

  show(vm: HostVm): void {
    const m = this.machine;
    this.saved ??= { ctx: m.saveContext(true), counters: { ...m.counters } };
    m.loadContext(vm.context, vm.taggedTlb);
    Object.assign(m.counters, this.saved.counters);
  }

  end(): void {
    const s = this.saved;
    if (!s) return;
    this.saved = undefined;
    this.machine.loadContext(s.ctx, true);
    Object.assign(this.machine.counters, s.counters);
  }
}

/**
 * Each VM's console output as whole lines prefixed by its name (as `virtlab
 * host` prints them), shown once: after `back`, output produced again is not
 * shown a second time. A VM's unfinished last line waits for its newline, or
 * for the VM to stop.
 */
export class HostConsole {
  private readonly shown = new Map<HostVm, number>();
  private readonly decoder = new TextDecoder();

  constructor(private readonly host: Host) {}

  reset(): void {
    this.shown.clear();
  }

  flush(out: Output): void {
    const width = Math.max(...this.host.vms.map((vm) => vm.name.length));
    for (const vm of this.host.vms) {
      const length = vm.console.save().outputLength;
      const from = this.shown.get(vm) ?? 0;
      if (length <= from) continue;
      const bytes = vm.console.output().subarray(from, length);
      const end = vm.stop ? bytes.length : bytes.lastIndexOf(10) + 1;
      if (end === 0) continue;
      const lines = this.decoder.decode(bytes.subarray(0, end)).replace(/\n$/, '').split('\n');
      out.text(lines.map((l) => `${vm.name.padEnd(width)} | ${l}`).join('\n'));
      this.shown.set(vm, from + end);
    }
  }
}
