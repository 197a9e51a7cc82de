// A VF's configuration space (PCIe Base Specification §9.3.4): vendor and
// device ID read 0xFFFF (software learns the VF device ID from the PF's SR-IOV
// capability), the header BARs read 0 and its BARs are its slices of the PF's
// VF BARs, decoded under the PF's VF MSE (the command register's memory bit is
// read-only 0; bus mastering is the VF's own and gates its DMA). No INTx: pin 0
// and an interrupt line of 0xFF, read-only, so that the bus never drives a line
// for it with MSI-X off. A PCI Express capability offers function-level reset:
// writing Device Control bit 15 resets the VF (the bit reads 0).

import { COMMAND, ConfigSpace, PCI } from '../pci/config-space.js';
import type { SriovCapability } from '../pci/sriov.js';
import { NIC_CLASS } from './registers.js';

export const CAP_PCIE = 0x10;
/** Offsets in the PCI Express capability. */
export const PCIE = { CAPABILITIES: 0x02, DEVICE_CAPABILITIES: 0x04, DEVICE_CONTROL: 0x08, LENGTH: 0x3c } as const;
/** Device Capabilities bit 28: function-level reset capable. */
export const DEVCAP_FLR = 1 << 28;
/** Device Control bit 15: initiate function-level reset. */
export const DEVCTL_FLR = 1 << 15;

export class VfConfigSpace extends ConfigSpace {
  /** The PCI Express capability's offset. */
  readonly pcie: number;

  constructor(private readonly sriov: SriovCapability, readonly index: number, flr: () => void) {
    super({ vendorId: 0xffff, deviceId: 0xffff, classCode: NIC_CLASS, interruptPin: 0 });
    this.setWritable(PCI.COMMAND, 2, COMMAND.BUS_MASTER);
    this.setWritable(PCI.INTERRUPT_LINE, 1, 0);
    this.set8(PCI.INTERRUPT_LINE, 0xff);
    const p = this.addCapability(CAP_PCIE, PCIE.LENGTH);
    this.pcie = p;
    this.set16(p + PCIE.CAPABILITIES, 0x0002); // version 2, endpoint
    this.set32(p + PCIE.DEVICE_CAPABILITIES, DEVCAP_FLR);
    this.setWritable(p + PCIE.DEVICE_CONTROL, 2, DEVCTL_FLR);
    this.watch(p + PCIE.DEVICE_CONTROL, 2, () => {
      const ctl = this.get16(p + PCIE.DEVICE_CONTROL);
      if ((ctl & DEVCTL_FLR) === 0) return;
      this.set16(p + PCIE.DEVICE_CONTROL, ctl & ~DEVCTL_FLR);
      flr();
    });
  }

  override barAddress(n: number): number | undefined {
    return this.sriov.vfBarAddress(n, this.index);
  }

  override barSize(n: number): number {
    return this.sriov.vfBarSize(n);
  }
}
