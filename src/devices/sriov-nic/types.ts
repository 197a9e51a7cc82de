// What the SR-IOV NIC tells its PF driver (the monitor's software) besides
// its registers, and the per-VF counters the PF side reads.

/** Why a VF was reset. */
export type VfResetCause = 'flr' | 'ctrl-rst' | 'pf-reset';

export type SriovNicEvent =
  /** VF `vf` posted a mailbox message (MBVFICR REQ bit, ICR.VMMB). */
  | { kind: 'mailbox-request'; vf: number }
  /** VF `vf` acknowledged a PF message (MBVFICR ACK bit). */
  | { kind: 'mailbox-ack'; vf: number }
  /** VF `vf` went through a function-level reset (VFLRE bit): its queues, filters, mailbox and interrupts are cleared, VFRE/VFTE off. */
  | { kind: 'vf-reset'; vf: number; cause: VfResetCause }
  /** A frame of VF `vf` was dropped by anti-spoofing (WVBR bit, ICR.MDD). */
  | { kind: 'spoof'; vf: number; what: 'mac' | 'vlan'; src: string; vlan?: number }
  /** VF `vf` stopped on a malformed ring (its STATUS.DERR). */
  | { kind: 'device-error'; vf: number; error: string }
  /** VF `vf`'s DMA was refused (by the bus or the IOMMU domain of its requester ID): the descriptor was dropped. */
  | { kind: 'dma-fault'; vf: number; addr: number; write: boolean }
  /** VF Enable changed: `count` VFs exist now. */
  | { kind: 'vfs'; count: number };

export type SriovNicListener = (e: SriovNicEvent) => void;

/** Per-VF counters as the PF (host) sees them: they survive the VF's resets. */
export interface VfCounters {
  /** Frames the VF sent that the embedded switch took, and their bytes. */
  txFrames: number;
  txBytes: number;
  /** Frames delivered into the VF's receive ring, and their bytes. */
  rxFrames: number;
  rxBytes: number;
  /** Frames the VF sent that anti-spoofing dropped (source MAC, VLAN). */
  spoofMac: number;
  spoofVlan: number;
  /** Frames the VF sent that were dropped otherwise (VFTE off, malformed, nowhere to go). */
  txDropped: number;
  /** Frames for the VF that it could not take (VFRE or the queue off, no descriptor, stopped, DMA refused). */
  rxDropped: number;
  /** DMA the VF's context refused (each drops a descriptor). */
  dmaFaults: number;
  deviceErrors: number;
  /** Mailbox: messages the VF posted (REQ), acknowledgements it gave (ACK), messages the PF sent it, lock attempts refused. */
  mailboxRequests: number;
  mailboxAcks: number;
  mailboxReplies: number;
  mailboxBusy: number;
  /** Function-level resets. */
  resets: number;
  /** BAR0 accesses. */
  regReads: number;
  regWrites: number;
  /** Bytes the VF moved by DMA (descriptors and buffers). */
  dmaBytes: number;
  /** Rising edges of its MSI-X vectors. */
  interruptsRaised: number;
}

export function zeroVfCounters(): VfCounters {
  return {
    txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0, spoofMac: 0, spoofVlan: 0, txDropped: 0, rxDropped: 0,
    dmaFaults: 0, deviceErrors: 0, mailboxRequests: 0, mailboxAcks: 0, mailboxReplies: 0, mailboxBusy: 0,
    resets: 0, regReads: 0, regWrites: 0, dmaBytes: 0, interruptsRaised: 0,
  };
}
