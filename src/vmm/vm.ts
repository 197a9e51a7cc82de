// A virtual machine: a machine, an engine, and (except natively) a monitor
// running the guest image in one of the modes. This is the library entry the
// CLI's --mode uses.
//
// native: no monitor at all; the image runs on the bare machine exactly as
//         `virtlab run` always ran it (the baseline).
// trap:   the guest's RAM is a window of host RAM at a non-zero base, the
//         monitor's memory lies above it, and the monitor (src/vmm/monitor.ts)
//         runs the guest by trap-and-emulate with shadow paging.
// bt:     the same, but the guest's kernel runs from a translation cache
//         (src/vmm/modes/bt.ts).

import type { ConsoleOptions } from '../devices/console.js';
import type { Image } from '../elf/image.js';
import { createInterpreter } from '../engine/interp/index.js';
import type { Engine } from '../engine/engine.js';
import { standardBoard } from '../machine/board.js';
import type { Switch } from '../net/switch.js';
import type { FrameObserver } from '../net/types.js';
import type { Wire } from '../net/wire.js';
import { nativeNet } from '../network/native.js';
import type { Nic } from '../network/nic.js';
import type { NetOptions } from '../network/options.js';
import { VirtualNetwork } from '../network/virtual.js';
import { DEFAULT_NIC_MAC } from '../network/nic.js';
import { IOMMU_AREA, SriovNetwork } from '../network/sriov/network.js';
import { loadImage, Machine, type Counters, type RunResult } from '../machine/index.js';
import { priceCounters, type CostPreset, type CostPresetName, type CostReport } from './cost-model.js';
import type { MonitorCounters } from './counters.js';
import { DEFAULT_GUEST_MEMORY, DEFAULT_TC_SIZE, LayoutError, makeLayout, type VmLayout } from './layout.js';
import { isModeName, MODE_NAMES, type ModeName, type MonitorMode } from './modes/mode.js';
import { BtMode } from './modes/bt.js';
import { HwMode, type HwOptions } from './modes/hw.js';
import { PvMode } from './modes/pv.js';
import { checkPvImage } from './pv/image-check.js';
import { TrapMode } from './modes/trap.js';
import { Monitor } from './monitor.js';

export interface VmOptions {
  image: Image;
  /** Default 'native'. */
  mode?: ModeName;
  /** Guest RAM in bytes (a multiple of 4096). Default 16 MiB, as the bare machine. */
  guestMemory?: number;
  /** The monitor's own memory in bytes (shadow tables). Default 1 MiB. Ignored natively. */
  monitorMemory?: number;
  /** Console input and output sink, or false for no console (as MachineOptions.console). */
  console?: ConsoleOptions | false;
  /** Under hw: EPT and VPID on or off (default both on). */
  hw?: HwOptions;
  /** Translation cache bytes under bt (default 256 KiB, at most 4 MiB). */
  tcSize?: number;
  /** Shadow address spaces the monitor keeps (default 8; 1 rebuilds on every switch). */
  shadowCache?: number;
  /** The engine to run the machine with (default: the reference interpreter). */
  engine?: (machine: Machine) => Engine;
  /** A NIC and the wire (src/network): natively on the machine's PCI bus, under a monitor through its switch. */
  net?: NetOptions;
}

/** A VM's network, for counters, --devices and trace records. */
export interface VmNet {
  nics(): { vm: string; nic: Nic }[];
  wire(): Wire;
  /** The monitor's switch; undefined natively (the NIC is cabled to the wire). */
  switch(): Switch | undefined;
  setObserver(observer: FrameObserver | undefined): void;
  /** The SR-IOV NIC, the IOMMU and the PF driver, when the VM was given a VF. */
  sriov?: SriovNetwork;
}

export interface VmCounters {
  machine: Counters;
  /** Undefined natively (no monitor). */
  monitor: MonitorCounters | undefined;
}

export interface VmStats extends VmCounters {
  mode: ModeName;
  cost: CostReport;
}

export interface Vm {
  readonly mode: ModeName;
  readonly image: Image;
  readonly machine: Machine;
  readonly engine: Engine;
  /** Undefined natively. */
  readonly monitor: Monitor | undefined;
  /** Where guest and monitor memory lie in host RAM; undefined natively (guest-physical = host-physical). */
  readonly layout: VmLayout | undefined;
  /** Run until the guest stops or `budget` steps are used (Engine.run). */
  run(budget?: number): RunResult;
  step(): RunResult;
  /** Reload the image and start over. */
  reset(): void;
  /** Copies of the machine's and the monitor's counters. */
  counters(): VmCounters;
  /** Counters and their modelled cycles under a cost-model preset (default p4-2006). */
  stats(preset?: CostPreset | CostPresetName): VmStats;
  /** Console output so far, when it is captured (no sink). */
  consoleText(): string;
  /** The network, when the VM has a NIC. */
  readonly net: VmNet | undefined;
}

function modeFactories(hwOptions: HwOptions): Record<Exclude<ModeName, 'native'>, (m: Monitor) => MonitorMode> {
  return {
  trap: (m) => new TrapMode(m),
  bt: (m) => new BtMode(m),
  pv: (m) => new PvMode(m),
  hw: (m) => new HwMode(m, hwOptions),
  };
}

export function createVm(opts: VmOptions): Vm {
  const mode = opts.mode ?? 'native';
  if (!isModeName(mode)) throw new RangeError(`unknown mode '${String(mode)}' (known: ${MODE_NAMES.join(', ')})`);
  const guestMemory = opts.guestMemory ?? DEFAULT_GUEST_MEMORY;
  const consoleOpt = opts.console === undefined ? {} : { console: opts.console };
  let machine: Machine, monitor: Monitor | undefined, layout: VmLayout | undefined;
  let load: () => void;
  let net: VmNet | undefined;
  const board = standardBoard(opts.console === undefined ? {} : { console: opts.console });
  if (opts.net?.nic.kind === 'vf') {
    if (mode === 'native') throw new LayoutError('a VF is assigned to a VM by a monitor: --nic vf needs --mode trap, bt, pv or hw');
    if (mode === 'pv') checkPvImage(opts.image);
    const l = makeLayout(guestMemory, opts.monitorMemory, mode === 'bt' ? opts.tcSize ?? DEFAULT_TC_SIZE : 0);
    layout = l;
    const spec = opts.net.nic;
    const sriov = new SriovNetwork([{
      name: 'guest', vf: spec.vf ?? 0, mac: spec.mac ?? DEFAULT_NIC_MAC,
      ...(spec.vlan === undefined ? {} : { vlan: spec.vlan }), ...(spec.trusted === undefined ? {} : { trusted: spec.trusted }),
    }], {
      ...(opts.net.peer ? { peer: opts.net.peer } : {}), ...(opts.net.pcap ? { pcap: opts.net.pcap } : {}),
      ...(opts.net.observer ? { observer: opts.net.observer } : {}),
    }, l.ramSize);
    const m = new Machine({ memorySize: l.ramSize + IOMMU_AREA, devices: [...board, ...sriov.realDevices()] });
    machine = m;
    let mon: Monitor | undefined;
    mon = new Monitor(m, l, modeFactories(opts.hw ?? {})[mode], {
      ...(opts.shadowCache === undefined ? {} : { shadowCache: opts.shadowCache }),
      devices: [sriov.vmDevice(spec.vf ?? 0, () => mon!, m)],
    });
    sriov.connect(m, [mon]);
    monitor = mon;
    const only = mon;
    net = {
      nics: () => [], wire: () => sriov.wire, switch: () => undefined, setObserver: (o) => { sriov.observer = o; }, sriov,
    };
    load = () => only.load(opts.image);
  } else if (mode === 'native') {
    const nn = opts.net && nativeNet(opts.net);
    machine = new Machine({ memorySize: guestMemory, devices: [...board, ...(nn?.devices ?? [])] });
    if (nn) net = { nics: () => [{ vm: 'guest', nic: nn.nic() }], wire: nn.wire, switch: () => undefined, setObserver: (o) => { nn.observer = o; } };
    load = () => loadImage(machine, opts.image);
  } else {
    if (mode === 'pv') checkPvImage(opts.image);
    layout = makeLayout(guestMemory, opts.monitorMemory, mode === 'bt' ? opts.tcSize ?? DEFAULT_TC_SIZE : 0);
    const vnet = opts.net && new VirtualNetwork({
      ...(opts.net.peer ? { peer: opts.net.peer } : {}), ...(opts.net.pcap ? { pcap: opts.net.pcap } : {}),
      ...(opts.net.observer ? { observer: opts.net.observer } : {}),
    });
    machine = new Machine({ memorySize: layout.ramSize, devices: [...board, ...(vnet?.realDevices() ?? [])] });
    const mon = new Monitor(machine, layout, modeFactories(opts.hw ?? {})[mode], {
      ...(opts.shadowCache === undefined ? {} : { shadowCache: opts.shadowCache }),
      ...(vnet && opts.net ? { devices: [vnet.vmDevice('guest', opts.net.nic)] } : {}),
    });
    if (vnet) {
      vnet.connect(machine, [mon]);
      net = { nics: () => vnet.vms.map((v) => ({ vm: v.name, nic: v.nic! })), wire: () => vnet.wire!, switch: () => vnet.switch, setObserver: (o) => { vnet.observer = o; } };
    }
    monitor = mon;
    load = () => mon.load(opts.image);
  }
  load();
  const engine = (opts.engine ?? createInterpreter)(machine);
  const counters = (): VmCounters => ({ machine: { ...machine.counters }, monitor: monitor ? { ...monitor.counters } : undefined });
  return {
    mode, image: opts.image, machine, engine, monitor, layout,
    run(budget?: number): RunResult {
      monitor?.beforeRun();
      return engine.run(budget);
    },
    step(): RunResult {
      monitor?.beforeRun();
      return engine.step();
    },
    reset: load,
    counters,
    stats(preset: CostPreset | CostPresetName = 'p4-2006'): VmStats {
      const c = counters();
      return { mode, ...c, cost: priceCounters(c, preset) };
    },
    consoleText: () => machine.console?.text() ?? '',
    net,
  };
}
