// The IOMMU's formats (docs/iommu.md): its registers and the DMA-remapping
// structures software builds in host memory. Intel VT-d's shapes (spec
// chapters 9 and 10) narrowed to a 32-bit machine: 128-bit root and context
// entries become 64-bit ones (two dwords), the second-level tables take the
// CPU's two-level walk (docs/isa.md "Paging") with VT-d's R and W bits, and
// 64-bit registers keep the dword that carries their fields.

/** Where the register page sits in physical address space (x86 boards put a DMAR unit near here). */
export const IOMMU_BASE = 0xfed9_0000;
export const IOMMU_MMIO_SIZE = 0x1000;

/** Register offsets (VT-d §10.4), each a 32-bit register. */
export const REG = {
  VER: 0x000,
  CAP: 0x008,
  ECAP: 0x010,
  GCMD: 0x018,
  GSTS: 0x01c,
  RTADDR: 0x020,
  CCMD: 0x02c,
  FSTS: 0x034,
  FECTL: 0x038,
  FEDATA: 0x03c,
  /** IVA_REG, low dword: the page a page-selective invalidation drops. */
  IVA: 0x100,
  /** IOTLB_REG, high dword (the dword holding IVT, IIRG, IAIG and DID). */
  IOTLB: 0x10c,
  /** First fault-recording register; record i is at FRCD + 16 * i. */
  FRCD: 0x200,
} as const;

export const VERSION = 0x10; // 1.0
/** Domain IDs are 16 bits (CAP.ND = 6). */
export const DOMAIN_ID_LIMIT = 0x10000;
export const ND_16_BITS = 6;
export const DEFAULT_FAULT_RECORDS = 8;
export const MAX_FAULT_RECORDS = 16;

/** Global command and status (VT-d §10.4.4-10.4.5): one bit each, same place in both. */
export const GCMD = { TE: 1 << 31, SRTP: 1 << 30 } as const;
export const GSTS = { TES: 1 << 31, RTPS: 1 << 30 } as const;
/** Context command (the dword of CCMD_REG holding ICC, §10.4.7): we cache no context entries, so it completes at once. */
export const CCMD_ICC = 1 << 31;
/** Fault status (§10.4.9): PFO is write-1-to-clear, PPF and FRI are read-only. */
export const FSTS = { PFO: 1 << 0, PPF: 1 << 1, FRI_SHIFT: 8 } as const;
/** Fault event control (§10.4.10): IM is set at reset. */
export const FECTL = { IM: 1 << 31, IP: 1 << 30 } as const;
/** IOTLB invalidate (§10.4.8.1, high dword). */
export const IOTLB = { IVT: 1 << 31, IIRG_SHIFT: 28, IAIG_SHIFT: 25, DID_MASK: 0xffff } as const;
export const GRANULARITY = { GLOBAL: 1, DOMAIN: 2, PAGE: 3 } as const;
/** Fault record, dword 3 (§10.4.14: bits 127:96): reason, type (1 = read), fault. */
export const FRCD = { T: 1 << 30, F: 1 << 31, FR_MASK: 0xff } as const;

/** Root entry (§9.1), 8 bytes: dword 0 = context-table pointer | P; dword 1 reserved. 256 entries, one per bus. */
export const ROOT_ENTRY_SIZE = 8;
/** Context entry (§9.3), 8 bytes: dword 0 = second-level pointer | TT << 2 | P; dword 1 = DID << 8. 256 per bus, by devfn. */
export const CONTEXT_ENTRY_SIZE = 8;
export const ENTRY_P = 1;
export const FRAME_MASK = 0xffff_f000;
export const CONTEXT_TT_SHIFT = 2;
export const CONTEXT_DID_SHIFT = 8;
/** Translation types: through the second-level tables, or pass-through (untranslated, ECAP.PT). 1 and 3 are reserved. */
export const TT = { TRANSLATE: 0, PASSTHROUGH: 2 } as const;
/** Second-level entries (§9.8): R and W; an entry with neither is not present. */
export const SL = { R: 1, W: 2 } as const;

/** Non-recoverable fault reasons (VT-d appendix A), the ones this model raises. */
export const FAULT = {
  ROOT_NOT_PRESENT: 0x1,
  CONTEXT_NOT_PRESENT: 0x2,
  CONTEXT_INVALID: 0x3,
  ADDRESS_BEYOND: 0x4,
  NO_WRITE: 0x5,
  NO_READ: 0x6,
  TABLE_ERROR: 0x7,
  ROOT_TABLE_ERROR: 0x8,
  CONTEXT_TABLE_ERROR: 0x9,
} as const;

export type FaultReason =
  | 'root-not-present' | 'context-not-present' | 'context-invalid' | 'address-beyond'
  | 'no-write' | 'no-read' | 'table-error' | 'root-table-error' | 'context-table-error';

export const FAULT_REASONS: Readonly<Record<number, FaultReason>> = {
  [FAULT.ROOT_NOT_PRESENT]: 'root-not-present',
  [FAULT.CONTEXT_NOT_PRESENT]: 'context-not-present',
  [FAULT.CONTEXT_INVALID]: 'context-invalid',
  [FAULT.ADDRESS_BEYOND]: 'address-beyond',
  [FAULT.NO_WRITE]: 'no-write',
  [FAULT.NO_READ]: 'no-read',
  [FAULT.TABLE_ERROR]: 'table-error',
  [FAULT.ROOT_TABLE_ERROR]: 'root-table-error',
  [FAULT.CONTEXT_TABLE_ERROR]: 'context-table-error',
};

export type Access = 'read' | 'write';

/** Bus number, and device/function, of a routing ID (bus << 8 | device << 3 | function). */
export function splitRoutingId(routingId: number): { bus: number; devfn: number } {
  return { bus: (routingId >>> 8) & 0xff, devfn: routingId & 0xff };
}

export function isRoutingId(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffff;
}

export function isDomainId(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < DOMAIN_ID_LIMIT;
}

/** `00:03.1`-style name of a routing ID (as lspci prints it). */
export function requesterName(routingId: number): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${h((routingId >>> 8) & 0xff, 2)}:${h((routingId >>> 3) & 0x1f, 2)}.${routingId & 7}`;
}
