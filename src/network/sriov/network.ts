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
import { relayTo } from '../../net/observe.js';
import type { PcapWriter } from '../../net/pcap.js';
import type { FrameObserver } from '../../net/types.js';
import { Wire } from '../../net/wire.js';
import type { WireConfig } from '../../net/wire-options.js';
import type { Monitor } from '../../vmm/monitor.js';
import { WireDevice } from '../wire-device.js';
import { ASSIGNED_VF_DEVICE, AssignedVf } from './assigned-vf.js';
import { PF_RAR_ENTRIES, RAH_AV, VF_MSIX } from '../../devices/sriov-nic/registers.js';
import { parseMac } from '../../net/mac.js';
import { MSIX_ADDRESS } from '../../devices/pci/msix.js';

/** What a mode that posts interrupts offers (hw: HwMode.postLine, post). */
interface Posting {
  postLine(realLine: number, vline: number): void;
  post(vline: number): void;
}
import { PfDriver, type VfPolicy } from './pf-driver.js';

/** The PF's slot on the real bus: its 64 VFs take the device numbers after it. */
export const PF_DEVICE = 2;
/** The real lines VFs interrupt on: VF VM k gets FIRST_VF_LINE + k (0 is the timer, 1 the console, 2 the PF). */
export const FIRST_VF_LINE = 3;
const LINES = 16;
const MSIX_FUNCTION_MASK = 1 << 14;
const MSIX_ENABLE = 1 << 15;
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
  private readonly stubs: (AssignedVf | undefined)[] = [];
  /** MACs behind the PF's port (the monitor's switch and its VMs): the NIC's switch sends their frames to the PF. */
  private pfMacs: string[] = [];

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
        const make = pciBoardDevice([{ device: PF_DEVICE, make: (c) => (this.nicRef = sriovNicFunction({ observer: relayTo(() => this.observer) })(c)) }]);
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
          ...(this.options.pcap ? { pcap: this.options.pcap } : {}), observer: relayTo(() => this.observer),
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
    const k = this.vms.findIndex((v) => v.vf === vf);
    return pciBoardDevice([{
      device: ASSIGNED_VF_DEVICE,
      make: (ctx) => {
        const stub = new AssignedVf(ctx, {
          bar0: () => this.sriovCap()?.vfBarAddress(0, vf),
          command: (value) => this.realVfCommand(vf, value),
        }, () => monitor().guest, machine, `vf${vf}`);
        stub.onVectors = () => this.routeVectors(k);
        this.stubs[k] = stub;
        return stub;
      },
    }]);
  }

  /** The real line VF VM k's vectors interrupt on; undefined past the machine's lines (its guest must poll). */
  lineOf(k: number): number | undefined {
    const l = FIRST_VF_LINE + k;
    return l < LINES ? l : undefined;
  }

  /** The hw mode's posting interface, if VM k's monitor has one. */
  private posting(k: number): Posting | undefined {
    const mode = this.monitors[k]?.mode as Partial<Posting> | undefined;
    return typeof mode?.postLine === 'function' && typeof mode.post === 'function' ? (mode as Posting) : undefined;
  }

  /** The guest programmed its vectors: under hw, its real line is posted to the virtual line it chose. */
  private routeVectors(k: number): void {
    const line = this.lineOf(k), vline = this.stubs[k]?.guestLine(), hw = this.posting(k);
    if (line === undefined) return;
    // Until the guest has said where its interrupts go, the VF's vectors stay masked: nothing fires.
    if (vline === undefined) return this.maskVf(k, true);
    if (hw) hw.postLine(line, vline);
    if (!this.stubs[k]!.isLatched) this.maskVf(k, false);
  }

  /**
   * VF VM k's real line fired in a monitor that does not post it (another VM's, or the VM's own
   * under trap, bt, pv): under hw its vector is posted to it (delivered at its next entry);
   * otherwise its VF's vectors are masked (the line falls) and its virtual vector raised until
   * the guest acknowledges the VF, when refresh() unmasks them.
   */
  private realInterrupt(k: number): void {
    const hw = this.posting(k), stub = this.stubs[k];
    const vline = stub?.guestLine();
    if (hw) {
      if (vline !== undefined) hw.post(vline);
      return;
    }
    this.maskVf(k, true);
    stub?.latch(true);
  }

  /** Before VM k runs again: once its guest acknowledged the VF (no vector pending), drop the latch and unmask. */
  private refresh(k: number): void {
    const stub = this.stubs[k];
    if (!stub?.isLatched) return;
    if (this.vfPending(k)) return;
    stub.latch(false);
    if (stub.guestLine() !== undefined) this.maskVf(k, false);
  }

  private vfPending(k: number): boolean {
    const v = this.nicRef?.vf(this.vms[k]!.vf);
    return v ? v.msix.read(VF_MSIX.PBA, 4) !== 0 : false;
  }

  /**
   * Program VF VM k's real vectors (all three to its real line, MSI-X on) and mask or unmask them
   * as a whole. Written each time: a reset of the VF (the guest's CTRL.RST, an FLR) clears its table.
   */
  private maskVf(k: number, masked: boolean): void {
    const line = this.lineOf(k), vf = this.vms[k]!.vf, rid = this.nicRef?.vfRoutingId(vf), v = this.nicRef?.vf(vf);
    if (line === undefined || rid === undefined || !v) return;
    for (let vec = 0; vec < 3; vec++) {
      const e = VF_MSIX.TABLE + 16 * vec;
      v.msix.write(e, 4, MSIX_ADDRESS);
      v.msix.write(e + 4, 4, 0);
      v.msix.write(e + 8, 4, line);
      v.msix.write(e + 12, 4, 0);
    }
    const cap = v.config.findCapability(0x11);
    if (cap) this.bus!.configWrite(rid >>> 3, rid & 7, cap + 2, 2, MSIX_ENABLE | (masked ? MSIX_FUNCTION_MASK : 0));
  }

  /** After VF Enable: each VF's vectors to its VM's real line, masked until the guest routes its own. */
  private programRealVectors(): void {
    this.vms.forEach((_, k) => this.maskVf(k, true));
  }

  /** Once the machine and the monitors are built (monitors[i]: the monitor of vms[i]). */
  connect(machine: Machine, monitors: readonly Monitor[]): void {
    if (!this.nicRef || !this.iommuRef || !this.bus) throw new Error('sriov network: its real devices are not on the machine');
    this.machine = machine;
    this.monitors = monitors;
    const cap = this.sriovOffset();
    this.pf = new PfDriver(this.nicRef, this.policies, () => machine.clock(), (offset, size, value) => this.bus!.configWrite(PF_DEVICE, 0, offset, size, value), cap);
    // Each VF VM's real line: taken by whichever monitor runs when it fires (posted lines never reach them).
    this.vms.forEach((_, k) => {
      const line = this.lineOf(k);
      if (line === undefined) return;
      monitors.forEach((m, j) => {
        if (j === k && this.posting(k)) return; // its own hw mode claims it (postLine) when it does not post
        m.claimRealLine(line, () => this.realInterrupt(k));
      });
      monitors[k]!.onEntry(() => this.refresh(k));
    });
  }

  /**
   * The MACs of the VMs behind the PF's port (a host whose switch hangs off the PF): written to
   * the PF's receive-address entries after its own, as a host's bridge adds its ports' addresses
   * to the PF's unicast filter. At most PF_RAR_ENTRIES - 1.
   */
  setPfAddresses(macs: readonly string[]): void {
    if (macs.length > PF_RAR_ENTRIES - 1) throw new Error(`sriov network: the PF has ${PF_RAR_ENTRIES - 1} address entries for the VMs behind it, not ${macs.length}`);
    this.pfMacs = [...macs];
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
    this.pfMacs.forEach((mac, i) => {
      const m = parseMac(mac);
      nic.rar[2 * (i + 1)] = (m[0]! | (m[1]! << 8) | (m[2]! << 16) | (m[3]! << 24)) >>> 0;
      nic.rar[2 * (i + 1) + 1] = (m[4]! | (m[5]! << 8) | RAH_AV) >>> 0;
    });
    this.programRealVectors();
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
