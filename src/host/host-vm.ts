// One VM of a host: its monitor (in its mode), its window of host RAM, its
// own clock and console, and what a world switch saves of its vCPU. Its
// counters are its own: the machine's counters accumulated over its slices
// (plus its idle ticks), and its monitor's.

import { Console } from '../devices/console.js';
import type { Image } from '../elf/image.js';
import { createCounters, type Counters } from '../machine/counters.js';
import { WindowDma } from '../machine/dma.js';
import type { CpuContext, Machine } from '../machine/machine.js';
import type { Stop } from '../machine/stop.js';
import type { Monitor } from '../vmm/monitor.js';
import type { ModeName } from '../vmm/modes/mode.js';
import type { VmLayout } from '../vmm/layout.js';
import type { ConsoleBackend } from '../vmm/devices/virtual-console.js';
import { VmClock } from './vm-clock.js';

export type HostMode = Exclude<ModeName, 'native'>;

/** The per-VM hooks of the machine, set by the VM's monitor and mode; a world switch installs them. */
export type VmHooks = Pick<CpuContext, 'trapHook' | 'fetchWindow' | 'vmx'>;

export interface VmHostCounters {
  /** Slices the vCPU was given (each one a world switch into it). */
  slices: number;
  /** Slices that ended because the host's timer took the CPU back. */
  preempted: number;
  /** Slices the VM gave up by waiting for an interrupt (wfi, pv's block). */
  yields: number;
  /** TLB flushes at switches into it (none under hw with VPID: its entries are tagged). */
  switchFlushes: number;
}

function newHostCounters(): VmHostCounters {
  return { slices: 0, preempted: 0, yields: 0, switchFlushes: 0 };
}

export class HostVm {
  readonly clock: VmClock;
  /** Its console: the backend of its virtual console, output captured (or given to the sink the VM was configured with). */
  readonly console: Console;
  readonly backend: ConsoleBackend;
  monitor!: Monitor;
  hooks!: VmHooks;
  context!: CpuContext;
  /** Why it stopped (halt, triple fault, deadlock), once it has: the others run on. */
  stop: Stop | undefined;
  /** The pc of the wait it blocks in (wfi with no deadline, on a host with a network), until a line rises. */
  blockedAt: number | undefined;
  /** The machine's counters over its slices, and its own idle ticks. */
  readonly counters: Counters = createCounters();
  readonly host: VmHostCounters = newHostCounters();

  constructor(
    readonly name: string,
    readonly mode: HostMode,
    readonly image: Image,
    readonly layout: VmLayout,
    readonly weight: number,
    /** Whether its TLB entries survive switches (hw with VPID). */
    readonly taggedTlb: boolean,
    machine: Machine,
    input: string | Uint8Array | undefined,
    sink?: (bytes: Uint8Array) => void,
  ) {
    this.clock = new VmClock(machine);
    // A console model of its own, off every bus: only the VM's virtual console reaches it.
    this.console = new Console({ clock: () => this.clock.now(), setIrq: () => {}, dma: new WindowDma(machine.mem, 0, 0) },
      { ...(input === undefined ? {} : { input }), ...(sink ? { sink } : {}) });
    const pio = this.console.pio;
    this.backend = { read: (reg) => pio.read(reg, 4) | 0, write: (reg, value) => pio.write(reg, 4, value) };
  }

  /** Its console output, when captured: empty with a consoleSink. */
  consoleText(): string {
    return this.console.text();
  }

  /** Add the machine's counter changes since `before` (a slice of this VM) to its own. */
  accumulate(machine: Counters, before: Counters): void {
    const c = this.counters as unknown as Record<string, number>;
    const now = machine as unknown as Record<string, number>, then = before as unknown as Record<string, number>;
    for (const k in now) c[k] = c[k]! + now[k]! - then[k]!;
  }

  resetCounters(): void {
    Object.assign(this.counters, createCounters());
    Object.assign(this.host, newHostCounters());
    this.stop = undefined;
    this.blockedAt = undefined;
  }
}
