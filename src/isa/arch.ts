// Architectural constants of ISA v1: everything a program, the machine and the
// monitor must agree on that is not an instruction. docs/isa.md explains each.

export const WORD_BYTES = 4;
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const NUM_REGS = 16;

/** STATUS register fields (also what `rdflags` returns). */
export const STATUS = {
  CPL_MASK: 0x3, // bits 1:0 current ring, read-only: changed only by traps and `rett`
  IE: 1 << 2, // interrupt enable
  PPL_SHIFT: 3, // bits 4:3 ring before the last trap
  PPL_MASK: 0x3 << 3,
  PIE: 1 << 5, // IE before the last trap
  PG: 1 << 6, // paging enabled
  USER_MASK: 0xff00, // bits 15:8 free flags any ring may write with `wrflags`
  /** Fields `mtcr status` may write (CPL is not among them). */
  WRITABLE: 0x3 << 3 | 1 << 2 | 1 << 5 | 1 << 6 | 0xff00,
} as const;

/** Control-register numbers, as encoded in the b field of mfcr/mtcr. */
export const CR = {
  status: 0,
  tvec: 1,
  ptbr: 2,
  faultaddr: 3,
  cause: 4,
  epc: 5,
  scratch: 6,
} as const;
export type CrName = keyof typeof CR;
export const CR_NAMES: readonly CrName[] = ['status', 'tvec', 'ptbr', 'faultaddr', 'cause', 'epc', 'scratch'];

/** Exception codes: the low 8 bits of CAUSE when bit 31 is clear. */
export const EXC = {
  UNDEFINED: 1,
  PROTECTION: 2,
  PAGE_FAULT: 3,
  MISALIGNED: 4,
  DIVIDE_BY_ZERO: 5,
  BREAKPOINT: 6,
  SYSCALL: 7,
} as const;
export type ExcName = keyof typeof EXC;
export const EXC_NAMES: Record<number, string> = {
  1: 'undefined instruction',
  2: 'protection fault',
  3: 'page fault',
  4: 'misaligned access',
  5: 'divide by zero',
  6: 'breakpoint',
  7: 'system call',
};

/** CAUSE detail bits for page faults and misaligned accesses. */
export const CAUSE = {
  INTERRUPT: 0x80000000, // set for interrupts; low bits are then the line number
  CODE_MASK: 0xff,
  WRITE: 1 << 8, // the access was a store
  FETCH: 1 << 9, // the access was an instruction fetch
  USER: 1 << 10, // the access came from ring 3
  PRESENT: 1 << 11, // the page was present: a protection violation, not a missing page
} as const;

/** Interrupt lines: 0 is the timer, 1..15 external devices. */
export const IRQ = { TIMER: 0, LINES: 16 } as const;

/** Page-table entry bits (x86 layout), the same in directory and table entries. */
export const PTE = {
  P: 1 << 0,
  W: 1 << 1,
  U: 1 << 2,
  A: 1 << 5,
  D: 1 << 6,
  FRAME_MASK: 0xfffff000,
} as const;

/** Rings 0..2 are supervisor for page protection, as on x86. */
export const USER_RING = 3;

/** ELF e_machine value for virtlab images: unassigned by the gABI, spells "VL". */
export const EM_VIRTLAB = 0x564c;
