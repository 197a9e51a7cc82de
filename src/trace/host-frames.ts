// Frames on a host (docs/trace.md, "On a host"): every VM's NIC, the
// switch's ports and the wire report to the host network's one observer. A
// trace gives each frame to the VM it belongs to: a NIC's to its VM (every
// e1000 is `where: "e1000"`, so the NIC is told apart by which one reported),
// a switch port's to the VM of that name, the wire's (its device and its
// port) to none. On a host with VFs the SR-IOV NIC reports its frames: a VF's
// own (`sriov-nic-vf3`) and its embedded switch port's (`sriov-nic.vf3`) go to
// the VM that VF is assigned to, the PF's, the uplink's and the wire's to none.

import type { FrameEvent, FrameObserver } from '../net/types.js';
import type { SriovNetwork } from '../network/sriov/network.js';
import type { VirtualNetwork } from '../network/virtual.js';

export interface OwnedFrame {
  frame: FrameEvent;
  /** The VM whose NIC or switch port saw it; null for the wire. */
  owner: string | null;
}

/** What the tap needs of a host's network: its observer slot and the VMs attached (their names and NICs). */
export type HostNetTap = Pick<VirtualNetwork, 'observer' | 'vms'>;

/** Send every frame event of `net` to `take` with its owner until the returned function undoes the tap. */
export function tapHostFrames(net: HostNetTap, take: (f: OwnedFrame) => void): () => void {
  const names = new Set(net.vms.map((vm) => vm.name));
  const before = net.observer;
  // Set while a NIC reports: its event reaches net.observer through the NIC's own observer.
  let nicOwner: string | undefined;
  const nics = net.vms.flatMap((vm) => (vm.nic ? [{ name: vm.name, nic: vm.nic, observer: vm.nic.observer }] : []));
  for (const { name, nic, observer } of nics) {
    nic.observer = (e) => {
      nicOwner = name;
      try {
        observer?.(e);
      } finally {
        nicOwner = undefined;
      }
    };
  }
  const observer: FrameObserver = (e) => {
    before?.(e);
    const owner = nicOwner ?? (names.has(e.where) ? e.where : null);
    // Copied now: the record is written at the end of the step.
    take({ frame: { ...e, ...(e.to ? { to: [...e.to] } : {}) }, owner });
  };
  net.observer = observer;
  return () => {
    net.observer = before;
    for (const { nic, observer: o } of nics) nic.observer = o;
  };
}

/** What the tap needs of a host's SR-IOV network: its observer slot and which VM has which VF. */
export type SriovNetTap = Pick<SriovNetwork, 'observer' | 'vms'>;

/** As tapHostFrames, for the frames of a host's SR-IOV NIC and wire. */
export function tapSriovFrames(net: SriovNetTap, take: (f: OwnedFrame) => void): () => void {
  const before = net.observer;
  net.observer = (e) => {
    before?.(e);
    const vf = /[-.]vf(\d+)$/.exec(e.where);
    const owner = vf ? net.vms.find((v) => v.vf === Number(vf[1]))?.name ?? null : null;
    take({ frame: { ...e, ...(e.to ? { to: [...e.to] } : {}) }, owner });
  };
  return () => { net.observer = before; };
}
