// The host's SR-IOV network: the SR-IOV NIC on the real machine's PCI bus
// (its PF at 00:02.0, cabled to the wire), the IOMMU in front of it, the PF's
// driver in the monitor, and one VF per VM that asks for one, assigned
// directly: the VF appears on the VM's own virtual bus (AssignedVf), its
// registers are mapped straight into the VM, and its DMA goes through an
// IOMMU domain that maps the VM's guest-physical RAM and nothing else. The
// monitor is off the data path: it is there at reset (enabling VFs, building
// domains), for mailbox requests (the PF driver) and for faults.
//
// One object per machine, and a machine device: at every reset, after the
// buses and the IOMMU reset, it enables the VFs again, rebuilds the domains
// in its own area of host RAM and attaches each VF's requester ID.

import { pciBoardDevice, type PciBus } from '../../devices/pci/bus.js';
import { EXT_CAP } from '../../devices/pci/config-space.js';
import { IommuDriver } from '../../devices/iommu/driver.js';
import { Iommu, iommuBoardDevice } from '../../devices/iommu/iommu.js';
import { SriovNic, sriovNicFunction } from '../../devices/sriov-nic/pf.js';
import type { BoardDevice, BusMapping, DeviceFactory } from '../../machine/device.js';
import type { Machine } from '../../machine/machine.js';
import type { PcapWriter } from '../../net/pcap.js';
import type { FrameObserver } from '../../net/types.js';
import { Wire } from '../../net/wire.js';
import type { WireConfig } from '../../net/wire-options.js';
import type { Monitor } from '../../vmm/monitor.js';
import { WireDevice } from '../wire-device.js';
import { ASSIGNED_VF_DEVICE, AssignedVf } from './assigned-vf.js';
import { PfDriver, type VfPolicy } from './pf-driver.js';

/** The PF's slot on the real bus: its 64 VFs take the device numbers after it. */
export const PF_DEVICE = 2;
/** Host RAM the IOMMU's tables live in (root, context and each domain's tables). */
export const IOMMU_AREA = 0x80000;

export interface SriovNetworkOptions {
  peer?: WireConfig;
  pcap?: PcapWriter;
  observer?: FrameObserver;
}

/** A VM's VF: which one, and the policy the PF driver gives it. */
export interface VfVm extends VfPolicy {
  name: string;
  vf: number;
}

/** The MAC of a VF no VM was given (enabled because a higher one is used). */
function spareMac(vf: number): string {
  return `02:00:00:00:20:${vf.toString(16).padStart(2, '0')}`;
}

export class SriovNetwork implements BoardDevice {
  readonly name = 'sriov';
  readonly mappings: readonly BusMapping[] = [];
  observer: FrameObserver | undefined;
  private bus: PciBus | undefined;
  private nicRef: SriovNic | undefined;
  private iommuRef: Iommu | undefined;
  private wireRef: Wire | undefined;
  private driverRef: IommuDriver | undefined;
  private pf: PfDriver | undefined;
  private machine: Machine | undefined;
  private monitors: readonly Monitor[] = [];
  private areaNext = 0;

  /** Per VF number, its policy (VFs below the highest one assigned are all enabled). */
  private readonly policies: VfPolicy[];

  constructor(readonly vms: readonly VfVm[], private readonly options: SriovNetworkOptions = {}, private readonly areaBase = 0) {
    this.observer = options.observer;
    const count = Math.max(0, ...vms.map((v) => v.vf + 1));
    this.policies = Array.from({ length: count }, (_, i) => vms.find((v) => v.vf === i) ?? { mac: spareMac(i) });
  }

  /** The real machine's devices: the PCI bus with the SR-IOV NIC, the IOMMU, the wire. */
  realDevices(): DeviceFactory[] {
    return [
      (ctx) => {
        const make = pciBoardDevice([{ device: PF_DEVICE, make: (c) => (this.nicRef = sriovNicFunction({ observer: (e) => this.observer?.(e) })(c)) }]);
        const bus = make(ctx) as PciBus;
        this.bus = bus;
        return bus;
      },
      (ctx) => {
        const iommu = iommuBoardDevice()(ctx) as Iommu;
        this.iommuRef = iommu;
        this.bus!.iommu = iommu.dmaFor; // every DMA of the NIC's functions is translated by its requester's domain
        return iommu;
      },
      (ctx) => {
        const wire = new Wire({
          ...(this.options.peer ?? { mode: 'echo' }), clock: () => ctx.clock(),
          ...(this.options.pcap ? { pcap: this.options.pcap } : {}), observer: (e) => this.observer?.(e),
        });
        wire.connect(this.nicRef!);
        this.nicRef!.connect(wire);
        this.wireRef = wire;
        return new WireDevice(wire);
      },
      // Itself last: its reset (VFs enabled, domains built) comes after the bus's and the
      // IOMMU's and before any monitor's, whose EPT or shadow maps the VFs' registers.
      () => this,
    ];
  }

  /** The virtual board device of the VM given VF `vf`: its own bus with the VF at 00:04.0. */
  vmDevice(vf: number, monitor: () => Monitor, machine: Machine): DeviceFactory {
    return pciBoardDevice([{
      device: ASSIGNED_VF_DEVICE,
      make: (ctx) => new AssignedVf(ctx, {
        bar0: () => this.sriovCap()?.vfBarAddress(0, vf),
        command: (value) => this.realVfCommand(vf, value),
      }, () => monitor().guest, machine, `vf${vf}`),
    }]);
  }

  /** Once the machine and the monitors are built (monitors[i]: the monitor of vms[i]). */
  connect(machine: Machine, monitors: readonly Monitor[]): void {
    if (!this.nicRef || !this.iommuRef || !this.bus) throw new Error('sriov network: its real devices are not on the machine');
    this.machine = machine;
    this.monitors = monitors;
    const cap = this.sriovOffset();
    this.pf = new PfDriver(this.nicRef, this.policies, () => machine.clock(), (offset, size, value) => this.bus!.configWrite(PF_DEVICE, 0, offset, size, value), cap);
  }

  get nic(): SriovNic {
    return this.nicRef!;
  }

  get iommu(): Iommu {
    return this.iommuRef!;
  }

  get wire(): Wire {
    return this.wireRef!;
  }

  get pfDriver(): PfDriver {
    return this.pf!;
  }

  private sriovOffset(): number {
    const off = this.nicRef!.config.findExtendedCapability(EXT_CAP.SRIOV);
    if (!off) throw new Error('sriov network: the NIC has no SR-IOV capability');
    return off;
  }

  private sriovCap() {
    return this.nicRef?.sriov;
  }

  private realVfCommand(index: number, value: number): void {
    const vf = this.nicRef?.vf(index);
    vf?.config.write(0x04, 2, value);
  }

  // --- MachineDevice: at every reset, the VFs, the domains and the policies again -----

  reset(): void {
    if (!this.machine) return; // the machine's first reset, before connect()
    const m = this.machine, nic = this.nicRef!, iommu = this.iommuRef!;
    m.mem.u8.fill(0, this.areaBase, this.areaBase + IOMMU_AREA);
    this.areaNext = this.areaBase;
    const driver = new IommuDriver(iommu, {
      alloc: () => {
        if (this.areaNext >= this.areaBase + IOMMU_AREA) return undefined;
        const f = this.areaNext;
        this.areaNext += 0x1000;
        return f;
      },
    });
    this.driverRef = driver;
    this.pf!.start();
    driver.enable();
    // One domain per VM: its guest-physical RAM onto its window of host RAM, nothing else.
    this.vms.forEach((v, i) => {
      const l = this.monitors[i]!.layout;
      const domain = i + 1;
      driver.buildDomain(domain, [{ iova: 0, hpa: l.base, length: l.guestSize }]);
      const rid = nic.vfRoutingId(v.vf);
      if (rid !== undefined) driver.attach(rid, domain);
    });
  }

  save(): unknown {
    return { pf: this.pf?.save(), iommu: this.driverRef?.save(), next: this.areaNext };
  }

  restore(state: unknown): void {
    const s = state as { pf: unknown; iommu: unknown; next: number };
    if (s.pf !== undefined) this.pf?.restore(s.pf);
    if (s.iommu !== undefined) this.driverRef?.restore(s.iommu as Parameters<IommuDriver['restore']>[0]);
    this.areaNext = s.next;
  }
}
