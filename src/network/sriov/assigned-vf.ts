// A VF as the VM it is assigned to sees it: a function at 00:04.0 of the VM's
// own virtual PCI bus (the monitor's, as VFIO presents a VF to a guest). Its
// configuration space is emulated: the IDs a VF's own space does not carry
// (8086:10CA), BAR0 placed by the virtual firmware, and the guest's bus-master
// bit passed on to the real VF. BAR0 itself is the real VF's registers, mapped
// straight into the guest's physical address space (GuestMemory.assign: EPT or
// shadow leaves onto the device), so the data path takes no exit. BAR3, the
// MSI-X table, is emulated: the guest's vectors name its virtual lines, never
// the machine's. Once placed, BAR0 stays where the firmware put it (a write
// that would move it is undone), since the direct mapping was built for it.

import { ConfigSpace, PCI } from '../../devices/pci/config-space.js';
import type { PciFunction, PciFunctionContext } from '../../devices/pci/function.js';
import { Msix } from '../../devices/pci/msix.js';
import { VF_MSIX, VF_MSIX_BAR_SIZE } from '../../devices/sriov-nic/registers.js';
import type { AccessSize, BusDevice } from '../../machine/device.js';
import type { Machine } from '../../machine/machine.js';
import type { GuestMemory } from '../../vmm/guest-memory.js';

export const VF_VENDOR_ID = 0x8086;
export const VF_DEVICE_ID = 0x10ca;
export const VF_BAR0_SIZE = 0x4000;
/** Where the VM finds its VF: 00:04.0 of its own bus. */
export const ASSIGNED_VF_DEVICE = 4;
const MSIX_VECTORS = 3;
const COMMAND_BUS_MASTER = 0x4;
const COMMAND_MEMORY = 0x2;

/** What the stub needs of the real VF behind it. */
export interface VfBacking {
  /** Host-physical address of the real VF's BAR0. */
  bar0(): number | undefined;
  /** Set the real VF's command register (memory decoding, bus mastering). */
  command(value: number): void;
}

export class AssignedVf implements PciFunction {
  readonly name: string;
  readonly config: ConfigSpace;
  readonly msix: Msix;
  private placed: number | undefined;
  private readonly forward: BusDevice;
  private readonly msixView: BusDevice;
  /** Called when the guest changed its MSI-X programming (table or enable): the line its VF interrupts on may have changed. */
  onVectors: (() => void) | undefined;
  /** The monitor took the VF's real interrupt for this VM (without posting): its vector 0 is raised until the guest acknowledges. */
  private latched = false;

  constructor(ctx: PciFunctionContext, private readonly backing: VfBacking, private readonly guestOf: () => GuestMemory, machine: Machine, name = 'vf') {
    this.name = name;
    this.config = new ConfigSpace({ vendorId: VF_VENDOR_ID, deviceId: VF_DEVICE_ID, classCode: 0x020000, interruptPin: 0, bars: [VF_BAR0_SIZE, 0, 0, VF_MSIX_BAR_SIZE] });
    this.msix = new Msix(this.config, { vectors: MSIX_VECTORS, bar: 3, tableOffset: VF_MSIX.TABLE, pbaOffset: VF_MSIX.PBA }, ctx); // adds the capability
    this.config.watch(PCI.COMMAND, 2, () => this.backing.command(this.config.get16(PCI.COMMAND) & (COMMAND_BUS_MASTER | COMMAND_MEMORY)));
    this.config.watch(PCI.BAR0, 4, () => this.place());
    const cap = this.config.findCapability(0x11)!;
    this.config.watch(cap + 2, 2, () => this.onVectors?.());
    this.msixView = {
      read: (offset, size) => this.msix.read(offset, size),
      write: (offset, size, value) => {
        this.msix.write(offset, size, value);
        this.onVectors?.();
      },
    };
    // An access that did reach the monitor (the mapping not built yet): passed on to the device.
    this.forward = {
      read: (offset, size) => {
        const hpa = this.backing.bar0();
        const r = hpa === undefined ? undefined : machine.bus.mmioAt(hpa + offset);
        return r ? r.device.read(hpa! + offset - r.base, size) : 0xffffffff;
      },
      write: (offset: number, size: AccessSize, value: number) => {
        const hpa = this.backing.bar0();
        const r = hpa === undefined ? undefined : machine.bus.mmioAt(hpa + offset);
        if (r) r.device.write(hpa! + offset - r.base, size, value);
      },
    };
  }

  /** The VM's guest memory (its monitor is built after its platform, so it is looked up when needed). */
  private guest(): GuestMemory {
    return this.guestOf();
  }

  bar(n: number): BusDevice | undefined {
    return n === 0 ? this.forward : n === 3 ? this.msixView : undefined;
  }

  /** The virtual line the guest's vector 0 (receive) signals, if it programmed and enabled it. */
  guestLine(): number | undefined {
    return this.msix.route(0);
  }

  /** Raise (or drop) vector 0 on the VM's virtual bus: the monitor's delivery of the VF's interrupt. */
  latch(level: boolean): void {
    if (this.latched === level) return;
    this.latched = level;
    this.msix.raise(0, level);
  }

  get isLatched(): boolean {
    return this.latched;
  }

  /** After the firmware's write: map BAR0 onto the real VF's; afterwards keep it there. */
  private place(): void {
    const raw = this.config.get32(PCI.BAR0);
    if (raw === (~(VF_BAR0_SIZE - 1) & ~0xf) >>> 0) return; // sizing
    // The address the register holds (decoding may still be off: the firmware turns it on last).
    const at = (raw & ~0xf) >>> 0;
    if (this.placed !== undefined) {
      if (at !== this.placed) this.config.set32(PCI.BAR0, this.placed);
      return;
    }
    const hpa = this.backing.bar0();
    if (at === 0 || hpa === undefined) return;
    this.placed = at;
    this.guest().clearAssignments();
    this.guest().assign({ gpa: at, hpa, length: VF_BAR0_SIZE });
  }

  reset(): void {
    this.placed = undefined;
    this.latched = false;
    this.guest().clearAssignments();
    this.msix.reset();
  }

  save(): unknown {
    return { placed: this.placed, msix: this.msix.save(), latched: this.latched };
  }

  restore(state: unknown): void {
    const s = state as { placed: number | undefined; msix: unknown; latched: boolean };
    this.placed = s.placed;
    this.latched = s.latched;
    this.msix.restore(s.msix);
    this.guest().clearAssignments();
    const hpa = this.backing.bar0();
    if (s.placed !== undefined && hpa !== undefined) this.guest().assign({ gpa: s.placed, hpa, length: VF_BAR0_SIZE });
  }
}
