// Where a virtual machine lives in host-physical memory:
//
//   [0, base)                      guard: never mapped, never written
//   [base, base + guestSize)       guest-physical RAM (guest-physical 0 = host base)
//   [base + guestSize, ramSize)    the monitor's own memory: frames for shadow tables,
//                                  then the translation cache (bt only; empty otherwise)
//
// The guest starts at a non-zero base so that a guest-physical address used as a
// host-physical one by mistake lands a megabyte off and shows. The monitor sits
// above the guest so that none of its host-physical addresses can equal a
// guest-physical address of guest RAM (rdptbr under trap-and-emulate then never
// returns, by coincidence, a value the guest could have installed itself).

import { PAGE_SIZE } from '../isa/index.js';
import { DEFAULT_MEMORY_SIZE, MAX_MEMORY_SIZE } from '../machine/memory.js';

export const GUEST_BASE = 0x0010_0000;
export const DEFAULT_GUEST_MEMORY = DEFAULT_MEMORY_SIZE;
export const DEFAULT_MONITOR_MEMORY = 0x0010_0000;
/** The binary translator's cache: 256 KiB holds tinyos's whole kernel many times over. */
export const DEFAULT_TC_SIZE = 0x0004_0000;
/** The translation cache runs from a 4 MiB fetch window at the top of the address space. */
export const MAX_TC_SIZE = 0x0040_0000;

export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

export interface VmLayout {
  /** Host-physical address of guest-physical 0. */
  readonly base: number;
  /** Bytes of guest-physical RAM. */
  readonly guestSize: number;
  /** Host-physical start of the monitor's memory (frames, then the translation cache). */
  readonly monitorBase: number;
  readonly monitorSize: number;
  /** Host-physical start and size of the translation cache (size 0 outside bt), the last part of monitor memory. */
  readonly tcBase: number;
  readonly tcSize: number;
  /** Host RAM up to the end of this VM's memory: guard (and VMs before it) + guest + monitor. */
  readonly ramSize: number;
}

function checkSize(what: string, n: number): void {
  if (!Number.isInteger(n) || n < PAGE_SIZE || n % PAGE_SIZE !== 0) {
    throw new LayoutError(`${what} ${n} must be a positive multiple of ${PAGE_SIZE} bytes`);
  }
}

/**
 * `monitorSize`: frames for shadow tables; `tcSize`: translation cache bytes
 * added after them (0: none); `base`: where guest-physical 0 lies in host RAM
 * (a host of several VMs places each after the one before: src/host/layout.ts).
 */
export function makeLayout(guestSize = DEFAULT_GUEST_MEMORY, monitorSize = DEFAULT_MONITOR_MEMORY, tcSize = 0, base = GUEST_BASE): VmLayout {
  checkSize('guest memory', guestSize);
  checkSize('monitor memory', monitorSize);
  if (tcSize !== 0) checkSize('translation cache', tcSize);
  if (tcSize > MAX_TC_SIZE) throw new LayoutError(`translation cache ${tcSize} exceeds its ${MAX_TC_SIZE}-byte fetch window`);
  if (monitorSize < 2 * PAGE_SIZE) {
    throw new LayoutError(`monitor memory ${monitorSize} must be at least ${2 * PAGE_SIZE} bytes (one shadow directory and one shadow table)`);
  }
  const ramSize = base + guestSize + monitorSize + tcSize;
  if (ramSize > MAX_MEMORY_SIZE) {
    throw new LayoutError(`guest memory ${guestSize} + monitor memory ${monitorSize + tcSize} at host address ${base} exceed the machine's ${MAX_MEMORY_SIZE} bytes`);
  }
  const monitorBase = base + guestSize;
  return { base, guestSize, monitorBase, monitorSize: monitorSize + tcSize, tcBase: monitorBase + monitorSize, tcSize, ramSize };
}
