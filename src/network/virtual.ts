// The monitor's network: a learning switch (src/net/switch.ts) with one port
// per VM's virtual NIC and one for the wire, which hangs off the real
// machine's uplink (uplink.ts). It is one object per machine, shared by every
// VM of a host, and a machine device itself so that snapshots and reverse
// stepping carry the switch's table and counters. Frames a VM sends are
// switched inside the trap or exit in which its NIC saw them; frames from the
// wire arrive by the uplink's real interrupt, which every VM's monitor claims.

import { pciBoardDevice } from '../devices/pci/bus.js';
import type { DeviceFactory, MachineDevice } from '../machine/device.js';
import type { Machine } from '../machine/machine.js';
import { relayTo } from '../net/observe.js';
import { Switch, type SwitchState } from '../net/switch.js';
import type { FrameObserver, FrameReceiver, FrameSender } from '../net/types.js';
import { Wire } from '../net/wire.js';
import type { WireConfig } from '../net/wire-options.js';
import type { PcapWriter } from '../net/pcap.js';
import type { Monitor } from '../vmm/monitor.js';
import { nicSlot, type Nic, type NicSpec } from './nic.js';
import { Uplink } from './uplink.js';
import { WireDevice } from './wire-device.js';

export interface VirtualNetworkOptions {
  peer?: WireConfig;
  pcap?: PcapWriter;
  observer?: FrameObserver;
  /**
   * The switch's way out when the host's NIC is an SR-IOV NIC: its PF's own port (as a real
   * host's bridge sits on the PF). The switch then has no uplink and wire of its own.
   */
  pf?: () => FrameSender & FrameReceiver;
}

/** One VM's attachment: its NIC (once its platform is built) and its switch port. */
export interface VmAttachment {
  readonly name: string;
  readonly spec: NicSpec;
  nic: Nic | undefined;
}

/** `port`, counting each frame sent into it as the monitor's work for its VM (framesCopied, bytesCopied). */
function copying(m: Monitor, port: FrameReceiver): FrameReceiver {
  return {
    receive(frame) {
      m.counters.framesCopied++;
      m.counters.bytesCopied += frame.length;
      port.receive(frame);
    },
  };
}

export class VirtualNetwork implements MachineDevice {
  readonly name = 'vswitch';
  observer: FrameObserver | undefined;
  readonly vms: VmAttachment[] = [];
  private uplink: Uplink | undefined;
  private wireRef: Wire | undefined;
  private sw: Switch | undefined;
  private wirePort: FrameReceiver | undefined;

  constructor(private readonly options: VirtualNetworkOptions = {}) {
    this.observer = options.observer;
  }

  /** The real machine's devices for the network: the uplink and the wire. Put them on the machine's board. */
  realDevices(): DeviceFactory[] {
    if (this.options.pf) return []; // the SR-IOV NIC is the host's, with the wire behind it
    return [
      (ctx) => (this.uplink = new Uplink(ctx)),
      (ctx) => {
        const wire = new Wire({
          ...(this.options.peer ?? { mode: 'echo' }), clock: () => ctx.clock(),
          ...(this.options.pcap ? { pcap: this.options.pcap } : {}), observer: relayTo(() => this.observer),
        });
        wire.connect(this.uplink!);
        this.wireRef = wire;
        return new WireDevice(wire);
      },
    ];
  }

  /** The virtual board device (a PCI bus holding its NIC) for VM `name`; its switch port is made by connect(). */
  vmDevice(name: string, spec: NicSpec): DeviceFactory {
    const vm: VmAttachment = { name, spec, nic: undefined };
    this.vms.push(vm);
    return pciBoardDevice([nicSlot(spec, (n) => {
      vm.nic = n;
      n.observer = relayTo(() => this.observer);
    })]);
  }

  /**
   * Once the machine and every VM's platform are built: make the switch and
   * its ports, join itself to the machine's devices, and have each monitor
   * take the uplink's interrupt.
   */
  /** `monitors[i]` is the monitor of the i-th VM attached (vmDevice order). */
  connect(machine: Machine, monitors: readonly Monitor[]): void {
    const pf = this.options.pf?.();
    if (!pf && (!this.uplink || !this.wireRef)) throw new Error('virtual network: its real devices are not on the machine');
    const sw = new Switch({ clock: () => machine.clock(), observer: relayTo(() => this.observer) });
    this.sw = sw;
    this.vms.forEach((vm, i) => {
      if (!vm.nic) throw new Error(`virtual network: VM '${vm.name}' has no NIC on its platform`);
      const port = sw.addPort(vm.name, vm.nic, vm.spec.vlan === undefined ? {} : { vlan: vm.spec.vlan });
      vm.nic.connect(copying(monitors[i]!, port));
    });
    if (pf) {
      // Frames between the switch and the NIC's PF port: switched inside the access that sent them.
      this.wirePort = sw.addPort('wire', pf, { trunk: true });
      pf.connect(this.wirePort);
      machine.addDevice(this);
      return;
    }
    this.wirePort = sw.addPort('wire', this.wireRef!, { trunk: true });
    const uplink = this.uplink!, wirePort = this.wirePort;
    for (const m of monitors) {
      // Frames from the wire are switched by whichever VM's monitor took the uplink's interrupt.
      const fromWire = copying(m, wirePort);
      m.claimRealLine(uplink.line, () => uplink.drain(fromWire));
      // A frame the wire answers at once (echo) is switched before the guest's next instruction,
      // as natively it lands during the access that sent it; later ones (gen, a delay) interrupt.
      m.onEntry(() => {
        if (uplink.pending()) uplink.drain(fromWire);
      });
    }
    machine.addDevice(this);
  }

  get switch(): Switch {
    if (!this.sw) throw new Error('virtual network: not connected');
    return this.sw;
  }

  /** Its own wire; undefined when it hangs off an SR-IOV NIC's PF (the wire is the NIC's). */
  get wire(): Wire | undefined {
    return this.wireRef;
  }

  /** Frames the uplink's queue had no room for. */
  uplinkDrops(): number {
    return this.uplink?.dropped ?? 0;
  }

  reset(): void {
    this.sw?.reset();
  }

  save(): SwitchState | undefined {
    return this.sw?.save();
  }

  restore(state: unknown): void {
    if (state !== undefined) this.sw?.restore(state);
  }
}
