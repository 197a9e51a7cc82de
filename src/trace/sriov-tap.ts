// What a trace sees of an SR-IOV network (src/network/sriov): the PF
// driver's answers to VF mailbox messages (PfDriver.onMailbox) and the
// IOMMU's translations, faults and invalidations (Iommu.observer). Each
// event goes with the VM it belongs to: a mailbox message to the VM of its
// VF (SriovNetwork.vms), an IOMMU event to the VM whose VF is its requester
// (nic.vfRoutingId); an invalidation has no requester and belongs to none.
// The tap only reads: the hooks it installs call the ones it found first,
// and the returned function puts those back.

import type { IommuEvent } from '../devices/iommu/iommu.js';
import { MSG } from '../devices/sriov-nic/registers.js';
import type { MailboxEvent } from '../network/sriov/pf-driver.js';
import type { SriovNetwork } from '../network/sriov/network.js';
import type { EventKind, IommuRecord, MailboxRecord } from './records.js';

export type SriovEvent = { kind: 'mailbox'; mailbox: MailboxEvent } | { kind: 'iommu'; iommu: IommuEvent };

export interface OwnedSriovEvent {
  event: SriovEvent;
  /** The VM whose VF it concerns; null when it concerns none (an invalidation). */
  owner: string | null;
}

/** What the tap needs of an SR-IOV network: its NIC (routing IDs), IOMMU, PF driver and VF assignments. */
export type SriovTap = Pick<SriovNetwork, 'nic' | 'iommu' | 'pfDriver' | 'vms'>;

const MESSAGE_NAMES: ReadonlyMap<number, string> = new Map(
  (['VF_RESET', 'SET_MAC_ADDR', 'SET_MULTICAST', 'SET_VLAN', 'SET_LPE', 'SET_PROMISC'] as const).map((n) => [MSG[n], n]),
);

/** A mailbox message type's name, or 0xNNNN for one the PF does not know. */
export function mailboxMessageName(type: number): string {
  return MESSAGE_NAMES.get(type) ?? `0x${type.toString(16).padStart(4, '0')}`;
}

/** A routing ID (bus << 8 | device << 3 | function) as lspci writes it: `00:02.1`. */
export function formatRequester(rid: number): string {
  const hex2 = (n: number) => n.toString(16).padStart(2, '0');
  return `${hex2((rid >>> 8) & 0xff)}:${hex2((rid >>> 3) & 0x1f)}.${rid & 7}`;
}

/**
 * Send the events `kinds` keeps (sriov: mailbox messages, IOMMU faults and
 * invalidations; dma: IOMMU translations) to `take`, each with its owner,
 * until the returned function undoes the tap. With neither kind it installs nothing.
 */
export function tapSriov(s: SriovTap, kinds: ReadonlySet<EventKind>, take: (e: OwnedSriovEvent) => void): () => void {
  const sriov = kinds.has('sriov'), dma = kinds.has('dma');
  if (!sriov && !dma) return () => {};
  const owners = new Map<number, string | null>();
  const ownerOfRequester = (rid: number): string | null => {
    let o = owners.get(rid);
    if (o === undefined) {
      // VFs appear at VF Enable (each reset): looked up at the first event of each requester.
      o = s.vms.find((v) => s.nic.vfRoutingId(v.vf) === rid)?.name ?? null;
      owners.set(rid, o);
    }
    return o;
  };
  const driver = s.pfDriver, iommu = s.iommu;
  const beforeMailbox = driver.onMailbox, beforeIommu = iommu.observer;
  if (sriov) {
    driver.onMailbox = (e) => {
      beforeMailbox?.(e);
      take({ event: { kind: 'mailbox', mailbox: { ...e } }, owner: s.vms.find((v) => v.vf === e.vf)?.name ?? null });
    };
  }
  iommu.observer = (e) => {
    beforeIommu?.(e);
    if (e.kind === 'translate' ? !dma : !sriov) return;
    take({ event: { kind: 'iommu', iommu: e }, owner: 'requester' in e ? ownerOfRequester(e.requester) : null });
  };
  return () => {
    if (sriov) driver.onMailbox = beforeMailbox;
    iommu.observer = beforeIommu;
  };
}

export function convertMailboxEvent(e: MailboxEvent, step: number): MailboxRecord {
  return { type: 'mailbox', step, vf: e.vf, message: mailboxMessageName(e.type), code: e.type, reply: e.reply };
}

export function convertIommuEvent(e: IommuEvent, step: number): IommuRecord {
  const r: IommuRecord = {
    type: 'iommu', step, event: e.kind, requester: null, domain: e.domain ?? null, address: null, hpa: null, access: null,
    iotlb: null, reason: null, recorded: null, scope: null, dropped: null,
  };
  switch (e.kind) {
    case 'translate':
      Object.assign(r, { requester: formatRequester(e.requester), address: e.addr >>> 0, hpa: e.hpa >>> 0, access: e.access, iotlb: e.iotlb });
      break;
    case 'fault':
      Object.assign(r, { requester: formatRequester(e.requester), address: e.addr >>> 0, access: e.access, reason: e.reason, recorded: e.recorded });
      break;
    case 'invalidate':
      Object.assign(r, { address: e.addr === undefined ? null : e.addr >>> 0, scope: e.scope, dropped: e.dropped });
      break;
  }
  return r;
}

export function convertSriovEvent(e: SriovEvent, step: number): MailboxRecord | IommuRecord {
  return e.kind === 'mailbox' ? convertMailboxEvent(e.mailbox, step) : convertIommuEvent(e.iommu, step);
}
