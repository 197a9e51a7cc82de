// A host: one emulated physical machine (one CPU, one RAM, one bus and its
// real timer) on which one monitor runs several VMs at once, each in its own
// mode. VMs are not separate JS machines: each is a window of the one RAM and
// a monitor that reaches only that window (shadow tables and EPT built from
// it, hypercalls checked against it), and the CPU runs one vCPU at a time.
//
// The vCPU scheduler is round-robin in slices of retired instructions
// (`slice` times the VM's weight), driven by the host's own real timer: the
// guest can mask its virtual interrupts but not the host's. A world switch
// saves the whole CPU context of the running vCPU (registers, control
// registers, root/non-root state, the per-VM hooks) and loads the next one's;
// the TLB survives it only under hw with VPID (tagged), otherwise it is
// flushed and counted. Each VM's time is its own (vm-clock.ts), so a VM on a
// busy host runs exactly as it runs alone; the same configuration gives the
// same interleaving, run after run, on either engine.

import { Timer, TIMER_PORTS } from '../devices/timer.js';
import type { Image } from '../elf/image.js';
import { createInterpreter } from '../engine/interp/index.js';
import type { Engine } from '../engine/engine.js';
import { standardBoard } from '../machine/board.js';
import type { Counters } from '../machine/counters.js';
import type { MachineDevice } from '../machine/device.js';
import { Machine, type CpuContext } from '../machine/machine.js';
import { deadlockStop, isFinal, type Stop } from '../machine/stop.js';
import { VirtualConsole } from '../vmm/devices/virtual-console.js';
import { DEFAULT_GUEST_MEMORY, DEFAULT_MONITOR_MEMORY, DEFAULT_TC_SIZE } from '../vmm/layout.js';
import { BtMode } from '../vmm/modes/bt.js';
import { HwMode, type HwOptions } from '../vmm/modes/hw.js';
import type { MonitorMode } from '../vmm/modes/mode.js';
import { PvMode } from '../vmm/modes/pv.js';
import { TrapMode } from '../vmm/modes/trap.js';
import { Monitor } from '../vmm/monitor.js';
import { checkPvImage } from '../vmm/pv/image-check.js';
import { HostVm, type HostMode, type VmHostCounters } from './host-vm.js';
import type { VmClock } from './vm-clock.js';
import { allocateLayouts } from './layout.js';
import { SLICE_STOP, type Scheduling, type SliceEnd } from './scheduling.js';
import { VmPort } from './vm-port.js';
import type { NicSpec } from '../network/nic.js';
import { VirtualNetwork, type VirtualNetworkOptions } from '../network/virtual.js';
import { IOMMU_AREA, SriovNetwork, type VfVm } from '../network/sriov/network.js';
import { TOTAL_VFS } from '../devices/sriov-nic/registers.js';

export interface HostVmConfig {
  name: string;
  image: Image;
  mode: HostMode;
  /** Guest RAM in bytes (default 16 MiB, as a lone VM). */
  guestMemory?: number;
  /** Monitor memory in bytes (default 1 MiB). */
  monitorMemory?: number;
  /** bt's translation cache in bytes (default 256 KiB). */
  tcSize?: number;
  /** Share of the CPU: its slices are `weight` times the host's slice (default 1). */
  weight?: number;
  /** Under hw: EPT and VPID (default both on). */
  hw?: HwOptions;
  /** Its console input. */
  input?: string | Uint8Array;
  /**
   * Where its console output goes, instead of being captured (then consoleText() is empty):
   * in chunks, at each newline, every 4096 bytes, and at the end of each of its slices.
   */
  consoleSink?: (bytes: Uint8Array) => void;
  shadowCache?: number;
  /** Its network card, on the host's switch (src/network). */
  nic?: NicSpec;
}

export interface HostOptions {
  vms: readonly HostVmConfig[];
  /** Guest instructions in a slice of weight 1 (default 10,000). */
  slice?: number;
  /** The engine to run the machine with (default: the reference interpreter). */
  engine?: (machine: Machine) => Engine;
  /** Called at the end of each slice with the VM that ran it (its console output flushed). */
  onSlice?: (vm: HostVm) => void;
  /** The wire and its capture, when VMs have NICs (default: an echo peer). */
  net?: VirtualNetworkOptions;
}

export interface HostRunResult {
  /** Steps taken by this call, all VMs together. */
  steps: number;
  /** 'stopped': every VM has stopped; 'budget': the step budget ran out first; otherwise the run stop that ended it. */
  end: 'stopped' | 'budget' | Stop;
}

export interface HostCounters {
  /** World switches into a vCPU (one per slice). */
  worldSwitches: number;
}

export const DEFAULT_SLICE = 10_000;

interface HostState {
  /** Index of the VM running when the snapshot was taken, or -1 between slices. */
  current: number;
  nonRoot: boolean;
  nextIndex: number;
  sliceEnd: number;
  worldSwitches: number;
  before: Counters | undefined;
  vms: {
    context: CpuContext; clock: ReturnType<VmClock['save']>; console: unknown; stop: Stop | undefined; blockedAt: number | undefined;
    counters: Counters; host: VmHostCounters; monitor: unknown;
  }[];
}

const MODES: Record<HostMode, (m: Monitor, hw: HwOptions) => MonitorMode> = {
  trap: (m) => new TrapMode(m),
  bt: (m) => new BtMode(m),
  pv: (m) => new PvMode(m),
  hw: (m, hw) => new HwMode(m, hw),
};

/** The VMs with VFs, each given its VF: the one it names, else the lowest free one. */
function assignVfs(configs: readonly HostVmConfig[]): VfVm[] {
  const taken = new Set(configs.map((c) => (c.nic?.kind === 'vf' ? c.nic.vf : undefined)).filter((v): v is number => v !== undefined));
  let next = 0;
  const out: VfVm[] = [];
  configs.forEach((c, i) => {
    const nic = c.nic;
    if (nic?.kind !== 'vf') return;
    let vf = nic.vf;
    if (vf === undefined) {
      while (taken.has(next)) next++;
      vf = next;
      taken.add(vf);
    }
    if (vf < 0 || vf >= TOTAL_VFS) throw new HostError(`VM '${c.name}': VF ${vf} does not exist (the NIC has ${TOTAL_VFS})`);
    if (out.some((o) => o.vf === vf)) throw new HostError(`VM '${c.name}': VF ${vf} is assigned to another VM already`);
    out.push({
      name: c.name, vf, mac: nic.mac ?? `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`,
      ...(nic.vlan === undefined ? {} : { vlan: nic.vlan }), ...(nic.trusted === undefined ? {} : { trusted: nic.trusted }),
    });
  });
  return out;
}

/** Interrupts posted to a VM (hw: an assigned VF's) also wake it from a blocking wait. */
function postedPending(mode: object): boolean {
  const m = mode as { pendingPosted?: () => number };
  return typeof m.pendingPosted === 'function' && m.pendingPosted() !== 0;
}

export class HostError extends Error {
  override readonly name = 'HostError';
}

export class Host implements MachineDevice, Scheduling {
  readonly name = 'host';
  readonly machine: Machine;
  readonly engine: Engine;
  readonly vms: readonly HostVm[];
  readonly slice: number;
  readonly counters: HostCounters = { worldSwitches: 0 };
  /** The switch, its ports and the wire, when VMs have emulated or virtio NICs. */
  readonly net: VirtualNetwork | undefined;
  /** The SR-IOV NIC, its PF driver and the IOMMU, when VMs have VFs. */
  readonly sriov: SriovNetwork | undefined;
  sliceEnd = Infinity;
  /** The VM whose vCPU runs now. */
  private current: HostVm | undefined;
  /** Where round-robin looks next. */
  private nextIndex = 0;
  private before: Counters | undefined;
  private readonly onSlice: ((vm: HostVm) => void) | undefined;

  constructor(options: HostOptions) {
    const configs = options.vms;
    if (configs.length === 0) throw new HostError('a host needs at least one VM');
    const names = new Set<string>();
    for (const c of configs) {
      if (names.has(c.name)) throw new HostError(`two VMs are named '${c.name}'`);
      names.add(c.name);
      if (c.mode === 'pv') checkPvImage(c.image);
    }
    this.onSlice = options.onSlice;
    this.slice = options.slice ?? DEFAULT_SLICE;
    if (!Number.isInteger(this.slice) || this.slice < 1) throw new HostError(`slice ${this.slice} must be a positive whole number of instructions`);
    const { layouts, ramSize } = allocateLayouts(configs.map((c) => ({
      guestSize: c.guestMemory ?? DEFAULT_GUEST_MEMORY,
      monitorSize: c.monitorMemory ?? DEFAULT_MONITOR_MEMORY,
      tcSize: c.mode === 'bt' ? c.tcSize ?? DEFAULT_TC_SIZE : 0,
    })));
    // The host's own board: its real timer (the scheduler's and every monitor's), no console of
    // its own, and with VMs that have NICs its uplink to the wire (one switch for all of them).
    const switched = configs.some((c) => c.nic && c.nic.kind !== 'vf');
    const vfVms = assignVfs(configs);
    const sriov = vfVms.length ? new SriovNetwork(vfVms, options.net ?? {}, ramSize) : undefined;
    // With both, the monitor's switch hangs off the SR-IOV NIC's PF port, as a host's bridge does.
    const vnet = switched ? new VirtualNetwork({ ...options.net, ...(sriov ? { pf: () => sriov.nic.pfPort } : {}) }) : undefined;
    if (sriov && vnet) {
      const macs = configs.filter((c) => c.nic && c.nic.kind !== 'vf').map((c) => c.nic!.mac ?? `02:00:00:00:00:${(configs.indexOf(c) + 1).toString(16).padStart(2, '0')}`);
      if (macs.length > 15) throw new HostError(`${macs.length} VMs with emulated or virtio NICs beside VFs: the SR-IOV NIC's PF has address entries for 15`);
      sriov.setPfAddresses(macs);
    }
    this.net = vnet;
    this.sriov = sriov;
    const machine = new Machine({
      memorySize: ramSize + (sriov ? IOMMU_AREA : 0),
      devices: [...standardBoard({ console: false }), ...(vnet?.realDevices() ?? []), ...(sriov?.realDevices() ?? [])],
    });
    this.machine = machine;
    this.vms = configs.map((c, i) => {
      const weight = c.weight ?? 1;
      if (!Number.isInteger(weight) || weight < 1) throw new HostError(`VM '${c.name}': weight ${weight} must be a positive whole number`);
      const vm = new HostVm(c.name, c.mode, c.image, layouts[i]!, weight, c.mode === 'hw' && c.hw?.vpid !== false, machine, c.input, c.consoleSink);
      machine.trapHook = undefined;
      machine.fetchWindow = undefined;
      machine.vmx = undefined;
      vm.monitor = new Monitor(machine, vm.layout, (m) => MODES[c.mode](m, c.hw ?? {}), {
        ...(c.shadowCache === undefined ? {} : { shadowCache: c.shadowCache }),
        hosted: {
          port: new VmPort(this, () => vm),
          clock: () => vm.clock.now(),
          board: [
            (ctx) => new Timer(ctx), () => new VirtualConsole(vm.backend),
            ...(c.nic && c.nic.kind !== 'vf' && vnet ? [vnet.vmDevice(c.name, c.nic)] : []),
            ...(c.nic?.kind === 'vf' && sriov ? [sriov.vmDevice(vfVms.find((v) => v.name === c.name)!.vf, () => vm.monitor, machine)] : []),
          ],
        },
      });
      vm.hooks = { trapHook: vm.monitor.trapHook, fetchWindow: machine.fetchWindow, vmx: machine.vmx };
      return vm;
    });
    vnet?.connect(machine, this.vms.filter((_, i) => configs[i]!.nic && configs[i]!.nic!.kind !== 'vf').map((vm) => vm.monitor));
    sriov?.connect(machine, vfVms.map((v) => this.vms.find((vm) => vm.name === v.name)!.monitor));
    machine.addDevice(this);
    machine.reset(0);
    this.engine = (options.engine ?? createInterpreter)(machine);
  }

  // --- MachineDevice: the machine's reset reloads every VM ------------------------

  /** Every VM back at its image's entry point, its window of RAM cleared and loaded, its clock at 0. */
  reset(): void {
    const m = this.machine;
    this.current = undefined;
    this.nextIndex = 0;
    this.counters.worldSwitches = 0;
    for (const vm of this.vms) {
      const l = vm.layout;
      m.mem.u8.fill(0, l.monitorBase, l.monitorBase + l.monitorSize);
      vm.monitor.guest.load(vm.image);
      vm.console.reset();
      vm.clock.reset();
      vm.resetCounters();
      m.tlb.reset();
      m.loadContext({ ...m.saveContext(), nonRoot: false, ...vm.hooks }, true);
      m.cpu.reset(vm.image.entry);
      vm.monitor.reset(); // the guest's reset state, as the machine's reset gives a lone VM
      vm.context = m.saveContext(vm.taggedTlb);
    }
    this.disarm();
  }

  /**
   * Everything of the VMs the machine's own snapshot does not hold (it holds
   * the live CPU, RAM through the journal, and the real timer): each VM's saved
   * vCPU context, clock, console, counters, stop and monitor, and where the
   * scheduler stands. With Machine.captureState()/restoreState() and the RAM
   * journal this takes a whole host back bit for bit (reverse stepping).
   */
  save(): HostState {
    return {
      current: this.current ? this.vms.indexOf(this.current) : -1,
      nonRoot: this.machine.nonRoot,
      nextIndex: this.nextIndex, sliceEnd: this.sliceEnd, worldSwitches: this.counters.worldSwitches,
      before: this.before && { ...this.before },
      vms: this.vms.map((vm) => ({
        context: vm.context, clock: vm.clock.save(), console: vm.console.save(), stop: vm.stop, blockedAt: vm.blockedAt,
        counters: { ...vm.counters }, host: { ...vm.host }, monitor: vm.monitor.save(),
      })),
    };
  }

  restore(state: unknown): void {
    const s = state as HostState;
    this.vms.forEach((vm, i) => {
      const v = s.vms[i]!;
      vm.context = v.context;
      vm.clock.restore(v.clock);
      vm.console.restore(v.console);
      vm.stop = v.stop;
      vm.blockedAt = v.blockedAt;
      Object.assign(vm.counters, v.counters);
      Object.assign(vm.host, v.host);
      vm.monitor.restore(v.monitor); // a mode's restore may set machine state of its own (hw: root or not)
    });
    this.nextIndex = s.nextIndex;
    this.sliceEnd = s.sliceEnd;
    this.counters.worldSwitches = s.worldSwitches;
    this.before = s.before && { ...s.before };
    this.current = s.current < 0 ? undefined : this.vms[s.current];
    // The live CPU is the machine's own snapshot; its hooks and root/non-root state are the running VM's.
    const m = this.machine;
    if (this.current) m.loadContext({ ...m.saveContext(), ...this.current.hooks, nonRoot: s.nonRoot }, true);
  }

  // --- running ----------------------------------------------------------------------

  /**
   * Run the VMs, slice after slice, until every one has stopped or `budget`
   * steps are used. A run that ends inside a slice (the budget, a breakpoint)
   * leaves that vCPU running: the next run continues its slice, so cutting a
   * host's run into pieces (a debugger's steps) changes no interleaving.
   */
  run(budget = Infinity): HostRunResult {
    let steps = 0;
    while (steps < budget) {
      let vm = this.current;
      if (!vm) {
        vm = this.pick();
        if (!vm) return { steps, end: 'stopped' };
        this.switchIn(vm);
      }
      const r = this.engine.run(budget - steps);
      steps += r.steps;
      const stop = r.stop;
      const sliceOver = stop.kind === 'requested' && stop.reason === SLICE_STOP;
      if (sliceOver || isFinal(stop)) this.switchOut(vm); // a final stop is the VM's alone
      else return { steps, end: stop.kind === 'budget' ? 'budget' : stop };
    }
    return { steps, end: 'budget' };
  }

  /** The VM whose vCPU runs now, if any. */
  running(): HostVm | undefined {
    return this.current;
  }

  /** A VM's guest instructions so far: its slices' and, while it runs, the running slice's (a debugger's `vm` list). */
  instructionsOf(vm: HostVm): number {
    const live = vm === this.current ? this.machine.counters.instructions - this.before!.instructions : 0;
    return vm.counters.instructions + live;
  }

  endSlice(why: SliceEnd): void {
    const vm = this.current;
    if (!vm) return;
    if (why === 'preempt') vm.host.preempted++;
    else vm.host.yields++;
    this.machine.requestStop(SLICE_STOP);
  }

  get wakeable(): boolean {
    return this.net !== undefined || this.sriov !== undefined;
  }

  /**
   * Round-robin over the VMs still running, in configuration order, passing
   * over those blocked until a line of theirs rises. When every VM left is
   * blocked, nothing can wake any of them: each stops in deadlock.
   */
  private pick(): HostVm | undefined {
    const n = this.vms.length;
    for (let i = 0; i < n; i++) {
      const vm = this.vms[(this.nextIndex + i) % n]!;
      if (vm.stop) continue;
      if (vm.blockedAt !== undefined) {
        if (vm.monitor.platform.pendingLines() === 0 && !postedPending(vm.monitor.mode)) continue;
        vm.blockedAt = undefined;
      }
      this.nextIndex = (this.nextIndex + i + 1) % n;
      return vm;
    }
    for (const vm of this.vms) {
      if (vm.stop || vm.blockedAt === undefined) continue;
      vm.stop = deadlockStop(vm.blockedAt);
    }
    return undefined;
  }

  private switchIn(vm: HostVm): void {
    const m = this.machine;
    this.counters.worldSwitches++;
    vm.host.slices++;
    const flushesBefore = m.counters.tlbFlushes;
    m.loadContext(vm.context, vm.taggedTlb);
    vm.host.switchFlushes += m.counters.tlbFlushes - flushesBefore;
    this.current = vm;
    this.before = { ...m.counters };
    vm.clock.start();
    this.sliceEnd = m.clock() + this.slice * vm.weight;
    vm.monitor.resume();
  }

  private switchOut(vm: HostVm): void {
    const m = this.machine;
    vm.monitor.suspend();
    vm.accumulate(m.counters, this.before!);
    vm.clock.stop();
    if (m.stopped) {
      vm.stop = m.stopped; // it stops alone; the machine goes on for the others
      m.stopped = undefined;
    }
    m.stopRequest = undefined;
    vm.context = m.saveContext(vm.taggedTlb); // untagged, its TLB is flushed at the switch back: nothing to keep
    this.current = undefined;
    this.sliceEnd = Infinity;
    this.disarm();
    vm.console.flush(); // the slice's output is out when it ends
    this.onSlice?.(vm);
  }

  /** The host's timer off and its line low between slices: nothing of one slice reaches the next VM. */
  private disarm(): void {
    const m = this.machine;
    m.timer!.write(TIMER_PORTS.period, 4, 0);
    m.timer!.write(TIMER_PORTS.ack, 4, 1);
  }
}
