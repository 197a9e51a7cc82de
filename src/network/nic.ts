// A VM's network card as a configuration names it: which model, its MAC and
// VLAN. The models are PCI functions (src/devices/e1000, src/devices/virtio-net);
// this file builds the one a NicSpec asks for and sits it in the slot every
// platform uses, so a guest's enumeration finds it at the same place natively,
// under every monitor and on a host.

import type { PciSlot } from '../devices/pci/bus.js';
import type { PciFunction } from '../devices/pci/function.js';
import { E1000 } from '../devices/e1000/e1000.js';
import { VirtioNet } from '../devices/virtio-net/net.js';
import type { FrameObserver, FrameReceiver, FrameSender } from '../net/types.js';

export const NIC_KINDS = ['emulated', 'virtio', 'vf'] as const;
export type NicKind = (typeof NIC_KINDS)[number];

/** PCI device number of a VM's NIC: 00:03.0, where QEMU puts its first NIC. */
export const NIC_PCI_DEVICE = 3;
/** The MAC a lone VM's NIC gets unless told otherwise (locally administered). */
export const DEFAULT_NIC_MAC = '02:00:00:00:00:01';

export interface NicSpec {
  kind: NicKind;
  /** aa:bb:cc:dd:ee:ff. Default DEFAULT_NIC_MAC. */
  mac?: string;
  /** The switch port's VLAN (an access port): the VM sends and receives untagged frames of it. For a VF: its port VLAN. */
  vlan?: number;
  /** kind 'vf': which VF of the SR-IOV NIC (default: the next free one). */
  vf?: number;
  /** kind 'vf': the PF driver lets it set any MAC (default false). */
  trusted?: boolean;
}

/** The counters every NIC model keeps where the events happen (the e1000's and virtio's have more). */
export interface NicCounters {
  regReads: number;
  regWrites: number;
  txFrames: number;
  rxFrames: number;
  txBytes: number;
  rxBytes: number;
  dmaBytes: number;
  interruptsRaised: number;
  rxDropped: number;
  deviceErrors: number;
  /** Queue notifications (virtio's kicks). */
  notifications?: number;
}

/** What the platform needs of any NIC model. */
export interface Nic extends PciFunction, FrameSender, FrameReceiver {
  readonly mac: Uint8Array;
  readonly counters: Readonly<NicCounters>;
  observer: FrameObserver | undefined;
}

/** The model's name in counters, trace records and --devices. */
export function nicModelName(kind: NicKind): string {
  return kind === 'emulated' ? 'e1000' : kind === 'virtio' ? 'virtio-net' : 'sriov-vf';
}

/** The PCI slot holding the NIC `spec` asks for; `made` receives the model once the bus builds it. */
export function nicSlot(spec: NicSpec, made: (nic: Nic) => void): PciSlot {
  const mac = spec.mac ?? DEFAULT_NIC_MAC;
  return {
    device: NIC_PCI_DEVICE,
    make: (ctx) => {
      if (spec.kind === 'vf') throw new Error('a VF is not a switch NIC: the SR-IOV network assigns it (src/network/sriov)');
      const nic: Nic = spec.kind === 'emulated' ? new E1000(ctx, { mac }) : new VirtioNet(ctx, { mac });
      made(nic);
      return nic;
    },
  };
}
