// What the virtio-style NIC counts: the cost of paravirtual I/O is read off
// these (kicks and interrupts per frame fall below one with batching).

export interface VirtioNetCounters {
  /** BAR0 accesses by the driver (common config, doorbells, ISR, device config, MSI-X table). */
  regReads: number;
  regWrites: number;
  /** Queue notifications (kicks): doorbell writes and notify() calls (the pv hypercall), to any queue. */
  notifications: number;
  /** Interrupts the device raised (queue and configuration change): a vector going up. One still up (the driver has not read the ISR) is not raised again. */
  interruptsRaised: number;
  /** Used-ring updates the driver's used_event (or NO_INTERRUPT) said not to interrupt for. */
  suppressedInterrupts: number;
  txFrames: number;
  txBytes: number;
  rxFrames: number;
  rxBytes: number;
  /** Bytes moved by DMA: rings (descriptors, indexes, used elements) and buffers, both ways. */
  dmaBytes: number;
  /** Frames that arrived and were not delivered (no buffer, device off or stopped, too long). */
  rxDropped: number;
  /** Malformed rings or buffers that stopped the device (DEVICE_NEEDS_RESET). */
  deviceErrors: number;
}

export function createVirtioNetCounters(): VirtioNetCounters {
  return {
    regReads: 0, regWrites: 0, notifications: 0, interruptsRaised: 0, suppressedInterrupts: 0,
    txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0, dmaBytes: 0, rxDropped: 0, deviceErrors: 0,
  };
}
