// One network run of the net suite, built once and run many times: a lone VM
// on the wire (createVm, as `run --nic`) or a pair of VMs on one host (Host).
// Its totals can be read at any moment (between runs, or from a frame
// observer in the middle of one): the counts of every VM together and the
// modelled cycles of the one CPU they share.
//
// Modelled cycles = guest instructions (all VMs) priced by the preset, plus
// each monitor's overhead as the cost model prices its counters
// (src/vmm/cost-model.ts), plus on a host the fixed price of its world switches
// (bench/host-cost.ts: the exits that end the slices are in the monitors' counts already).

import type { EngineName } from '../src/engine/registry.js';
import { ENGINE_FACTORIES } from '../src/engine/registry.js';
import { Host, type HostVmConfig } from '../src/host/index.js';
import type { Machine } from '../src/machine/machine.js';
import type { FrameObserver } from '../src/net/types.js';
import type { Nic, NicKind } from '../src/network/nic.js';
import type { MonitorCounters } from '../src/vmm/counters.js';
import { costPreset, createVm, priceCounters, type CostPresetName, type Vm } from '../src/vmm/index.js';
import { fixedSwitchPrice } from './host-cost.js';
import type { NetModeColumn, NetPath } from './net-workloads.js';
import { netImage } from './net-workloads.js';

/** Everything the VMs did so far, all together. */
export interface NetTotals {
  instructions: number;
  /** Traps into the monitors and VM exits (hypercalls included: each is a trap). */
  exits: number;
  /** ...of which real interrupts that entered a monitor (its timer, the host's ending a slice, the uplink's): not the NIC's data path. */
  interruptExits: number;
  /** bt: calls of translated code into the monitor (no trap). */
  callouts: number;
  hypercalls: number;
  /** Interrupts the NICs raised (rising edges of their lines). */
  interrupts: number;
  /** Modelled cycles of the CPU (see above). */
  cycles: number;
  /** Frames that reached their destination: the wire's sink, the receiving VM's NIC, or the client's NIC (replies). */
  delivered: number;
  /** Frames the receiving NICs dropped. */
  dropped: number;
  worldSwitches: number;
}

export interface NetScenario {
  /** Run from the start to every VM's halt; throws (one line) if one does not halt with 0 or says other than expected. */
  run(): void;
  /** Back to the start: every VM reloaded, the devices and counters reset. */
  reset(): void;
  totals(): NetTotals;
  /** Guest instructions so far, all VMs (cheap: for telling events of one instruction apart). */
  clock(): number;
  /**
   * Frame events of the first VM's NIC only (the client or the sender; a VF's: the whole SR-IOV NIC's), for
   * timing: observing the whole network would have every NIC, switch and wire describe every frame (MAC
   * strings, event objects), host time the data path does not spend when nobody observes. Undefined puts the
   * NIC back on the network's observer.
   */
  observeFirstNic(o: FrameObserver | undefined): void;
}

/** MACs of the VMs: the client or sender is 1, the server or receiver 2 (pingpong -D PEER=2). */
export const FIRST_MAC = '02:00:00:00:00:01';
export const SECOND_MAC = '02:00:00:00:00:02';
/** Guest RAM of each VM: the programs keep their stack below 1 MiB. */
const GUEST_MEMORY = 2 << 20;
const MAX_STEPS = 500_000_000;
/** Host slice (guest instructions) of the VM-to-VM runs, and the stream receiver's weight: see docs/benchmarks.md, the net suite. */
export const PAIR_SLICE = 1000;
export const RECEIVER_WEIGHT = 4;

export interface ScenarioSpec {
  program: 'stream' | 'pingpong';
  path: NetPath;
  nic: NicKind;
  col: NetModeColumn;
  engine: EngineName;
  costModel: CostPresetName;
  /** stream: frames; pingpong: round trips. */
  count: number;
  /** stream: frame bytes. */
  size?: number;
}

interface NicView { rxFrames: number; rxDropped: number; interruptsRaised: number }

export function buildScenario(s: ScenarioSpec): NetScenario {
  return s.path === 'wire' ? loneScenario(s) : pairScenario(s);
}

function priced(s: ScenarioSpec) {
  const p = costPreset(s.costModel);
  return (machine: Machine, monitors: readonly MonitorCounters[], switches: number, fixedPerSwitch: number): number =>
    machine.counters.instructions * p.instruction.cycles + switches * fixedPerSwitch +
    monitors.reduce((n, m) => n + priceCounters({ machine: machine.counters, monitor: m }, p).overheadCycles, 0);
}

function sumMonitors(ms: readonly MonitorCounters[], f: (m: MonitorCounters) => number): number {
  return ms.reduce((n, m) => n + f(m), 0);
}

/** The NIC-side counts at a reset: the NIC models keep their counters over a machine reset (as a real NIC's survive a warm reboot). */
interface NicBase { interrupts: number; delivered: number; dropped: number }

function nicBase(nics: readonly NicView[], delivered: number, receiving: NicView = nics[0]!): NicBase {
  return { interrupts: nics.reduce((n, c) => n + c.interruptsRaised, 0), delivered, dropped: receiving.rxDropped };
}

function totalsOf(machine: Machine, monitors: readonly MonitorCounters[], nics: readonly NicView[], receiving: NicView, delivered: number, cycles: number, worldSwitches: number, base: NicBase): NetTotals {
  return {
    instructions: machine.counters.instructions,
    exits: sumMonitors(monitors, (m) => m.traps + m.vmExits),
    interruptExits: sumMonitors(monitors, (m) => (m['trapInterrupt'] ?? 0) + (m['exitExternalInterrupt'] ?? 0)),
    callouts: sumMonitors(monitors, (m) => m.callouts),
    hypercalls: sumMonitors(monitors, (m) => m.hypercalls),
    interrupts: nics.reduce((n, c) => n + c.interruptsRaised, 0) - base.interrupts,
    cycles, delivered: delivered - base.delivered, dropped: receiving.rxDropped - base.dropped, worldSwitches,
  };
}

function expectOutput(label: string, out: string, want: RegExp): void {
  if (!want.test(out)) throw new Error(`${label} printed ${JSON.stringify(out.trim())}, not ${want.source}`);
}

/** What the program must print: all frames sent or received, all round trips done without a resend. */
function expected(s: ScenarioSpec, role: 'first' | 'second'): RegExp {
  if (s.program === 'stream') return role === 'first' ? new RegExp(`^stream: sent ${s.count} frames of ${s.size} bytes in \\d+ ticks\\n$`) : new RegExp(`^stream: received ${s.count} frames\\n$`);
  return role === 'first' ? new RegExp(`^ping: ${s.count} round trips, mean \\d+ ticks each\\n$`) : new RegExp(`^pong: answered ${s.count} frames\\n$`);
}

function firstImage(s: ScenarioSpec, peer: boolean) {
  const pv = s.col.mode === 'pv';
  return s.program === 'stream'
    ? netImage('stream', { COUNT: s.count, SIZE: s.size! }, pv)
    : netImage('pingpong', { COUNT: s.count, ...(peer ? { PEER: 2 } : {}) }, pv);
}

function secondImage(s: ScenarioSpec) {
  const pv = s.col.mode === 'pv';
  return s.program === 'stream' ? netImage('stream', { COUNT: s.count, RECEIVER: 1 }, pv) : netImage('pingpong', { COUNT: s.count, SERVER: 1 }, pv);
}

/** One VM: stream.s into the wire's sink, or pingpong.s against its echo. */
function loneScenario(s: ScenarioSpec): NetScenario {
  const label = `${s.program} ${s.nic} ${s.col.name}`;
  let out = '';
  const decoder = new TextDecoder();
  const vm: Vm = createVm({
    image: firstImage(s, false), mode: s.col.mode, guestMemory: GUEST_MEMORY, engine: ENGINE_FACTORIES[s.engine],
    ...(s.col.hw ? { hw: { ept: s.col.hw.ept, vpid: true } } : {}),
    console: { sink: (b: Uint8Array) => { out += decoder.decode(b, { stream: true }); } },
    net: { nic: { kind: s.nic, mac: FIRST_MAC }, peer: { mode: s.program === 'stream' ? 'sink' : 'echo' } },
  });
  const net = vm.net!;
  const nic = (): NicView => {
    const sriov = net.sriov;
    return sriov ? sriov.nic.vfCounters(sriov.vms[0]!.vf) : net.nics()[0]!.nic.counters as unknown as NicView;
  };
  const price = priced(s);
  const monitors = () => (vm.monitor ? [vm.monitor.counters] : []);
  // The sink counts what reached the wire; the echo's replies are what the client's NIC received.
  const frames = () => (s.program === 'stream' ? net.wire().counters().framesIn : nic().rxFrames);
  let base = nicBase([nic()], frames());
  return {
    run() {
      out = '';
      const { stop } = vm.run(MAX_STEPS);
      if (stop.kind !== 'halted' || stop.code !== 0) throw new Error(`${label}: stopped with ${stop.kind}${stop.kind === 'halted' ? ` ${stop.code}` : ''}: ${out.trim()}`);
      expectOutput(label, out, expected(s, 'first'));
    },
    reset() {
      vm.reset();
      base = nicBase([nic()], frames());
    },
    totals() {
      const n = nic();
      return totalsOf(vm.machine, monitors(), [n], n, frames(), price(vm.machine, monitors(), 0, 0), 0, base);
    },
    clock: () => vm.machine.counters.instructions,
    observeFirstNic: net.sriov ? (o) => net.setObserver(o) : firstNicObserver(net.nics()[0]!.nic),
  };
}

/**
 * Two VMs of the column's mode on one host, the receiving one (stream
 * receiver, pingpong server) first so that its NIC is up before the first
 * frame arrives, the stream receiver with RECEIVER_WEIGHT times the slice so
 * that it empties its receive ring (8 descriptors) before the sender's next slice.
 */
function pairScenario(s: ScenarioSpec): NetScenario {
  const label = `${s.program} ${s.nic} ${s.col.name} VM to VM`;
  if (s.col.mode === 'native') throw new Error(`${label}: VMs on one host need a monitor`);
  const mode = s.col.mode;
  const common = { mode, guestMemory: GUEST_MEMORY, ...(s.col.hw ? { hw: { ept: s.col.hw.ept, vpid: true } } : {}) };
  const configs: HostVmConfig[] = [
    { name: 'second', image: secondImage(s), ...common, nic: { kind: s.nic, mac: SECOND_MAC }, ...(s.program === 'stream' ? { weight: RECEIVER_WEIGHT } : {}) },
    { name: 'first', image: firstImage(s, true), ...common, nic: { kind: s.nic, mac: FIRST_MAC } },
  ];
  const host = new Host({ vms: configs, slice: PAIR_SLICE, engine: ENGINE_FACTORIES[s.engine], net: { peer: { mode: 'sink' } } });
  const fixed = fixedSwitchPrice(mode, s.costModel).reduce((n, r) => n + r.cycles, 0);
  const nics = (): NicView[] => {
    const sriov = host.sriov;
    if (sriov) return sriov.vms.map((v) => sriov.nic.vfCounters(v.vf));
    return host.net!.vms.map((v) => v.nic!.counters as unknown as NicView);
  };
  const price = priced(s);
  const monitors = () => host.vms.map((vm) => vm.monitor.counters);
  // stream: what the receiver's NIC took; pingpong: the replies the client's NIC took.
  const receiving = (all: readonly NicView[]) => (s.program === 'stream' ? all[0]! : all[1]!);
  let base = nicBase(nics(), receiving(nics()).rxFrames, receiving(nics()));
  return {
    run() {
      const r = host.run(MAX_STEPS);
      if (r.end !== 'stopped') throw new Error(`${label}: the host's run ended with ${typeof r.end === 'string' ? r.end : r.end.kind} (${nics()[0]!.rxDropped} frames dropped at the receiving VM)`);
      host.vms.forEach((vm, i) => {
        if (vm.stop?.kind !== 'halted' || vm.stop.code !== 0) throw new Error(`${label}: ${vm.name} stopped with ${vm.stop?.kind ?? 'nothing'}`);
        expectOutput(`${label}: ${i === 0 ? 'the receiving VM' : 'the sending VM'}`, vm.consoleText(), expected(s, i === 0 ? 'second' : 'first'));
      });
    },
    reset() {
      host.machine.reset(0);
      base = nicBase(nics(), receiving(nics()).rxFrames, receiving(nics()));
    },
    totals() {
      const all = nics();
      const switches = host.counters.worldSwitches;
      return totalsOf(host.machine, monitors(), all, receiving(all), receiving(all).rxFrames, price(host.machine, monitors(), switches, fixed), switches, base);
    },
    clock: () => host.machine.counters.instructions,
    observeFirstNic: host.sriov ? (o) => { host.sriov!.observer = o; } : firstNicObserver(host.net!.vms.find((v) => v.name === 'first')!.nic!),
  };
}

/** Sets `nic`'s own observer, or puts back the one it had (its relay to the network's). */
function firstNicObserver(nic: Nic): (o: FrameObserver | undefined) => void {
  const own = nic.observer;
  return (o) => { nic.observer = o ?? own; };
}
