// The split virtqueue's shape in guest memory (virtio 1.x §2.6), and the event
// index rule. Everything is little-endian; indexes are free-running 16-bit
// counters taken modulo the queue size.

/** Largest queue virtlab's devices offer (the spec allows 32768). */
export const MAX_QUEUE_SIZE = 256;

/** Descriptor: addr (8), len (4), flags (2), next (2). */
export const DESC_SIZE = 16;
export const DESC_F_NEXT = 1;
export const DESC_F_WRITE = 2;
/** Not offered (no VIRTIO_F_INDIRECT_DESC): a descriptor carrying it is a device error. */
export const DESC_F_INDIRECT = 4;

/** Available ring: flags (2), idx (2), ring[size] (2 each), used_event (2). */
export const AVAIL_F_NO_INTERRUPT = 1;
/** Used ring: flags (2), idx (2), ring[size] of {id (4), len (4)}, avail_event (2). */
export const USED_F_NO_NOTIFY = 1;
export const USED_ELEM_SIZE = 8;

/** Alignments the spec requires of each part (§2.6: 16, 2, 4). */
export const DESC_ALIGN = 16;
export const AVAIL_ALIGN = 2;
export const USED_ALIGN = 4;

export const descTableBytes = (size: number): number => DESC_SIZE * size;
/** With the trailing used_event (always counted: the driver may not know whether EVENT_IDX will be negotiated). */
export const availRingBytes = (size: number): number => 6 + 2 * size;
export const usedRingBytes = (size: number): number => 6 + USED_ELEM_SIZE * size;

/**
 * The event index rule (§2.6.7.2, Linux's vring_need_event): having moved an
 * index from `old` to `now`, signal the other side iff `event` (the index the
 * other side asked to hear about) was crossed, i.e. lies in [old, now).
 */
export function needEvent(event: number, now: number, old: number): boolean {
  return ((now - event - 1) & 0xffff) < ((now - old) & 0xffff);
}

export const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
