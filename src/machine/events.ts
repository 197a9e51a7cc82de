// What an observer sees: one record per step (an instruction retired or
// faulted, or an interrupt taken). Records are built only while an observer
// is attached; without one the engine runs a loop that has no trace code.

/** How an access used the MMU: the `access` argument of translations. */
export const ACCESS = { READ: 0, WRITE: 1, FETCH: 2 } as const;
export type AccessKind = (typeof ACCESS)[keyof typeof ACCESS];
export const ACCESS_NAMES = ['read', 'write', 'fetch'] as const;

export interface RegWrite {
  reg: number;
  value: number;
}

export interface MemAccess {
  kind: 'read' | 'write';
  vaddr: number;
  paddr: number;
  size: 1 | 2 | 4;
  /** The value read or written, zero-extended to the access size. */
  value: number;
}

export type MachineEvent =
  /** An exception; `delivered` says where it went: the guest's TVEC, a trap hook, or nowhere (machine stopped). */
  | { kind: 'exception'; cause: number; pc: number; epc: number; faultaddr?: number; delivered: TrapDelivery }
  | { kind: 'interrupt'; line: number; cause: number; epc: number; delivered: TrapDelivery }
  | { kind: 'io'; dir: 'in' | 'out'; port: number; value: number; device?: string }
  | { kind: 'mmio'; dir: 'read' | 'write'; paddr: number; size: number; value: number; device?: string }
  /** A page-table walk; `pde`/`pte` are the entries read (before A/D updates), `fault` the CAUSE if it failed. */
  | { kind: 'walk'; vaddr: number; access: 'read' | 'write' | 'fetch'; pde: number; pte?: number; paddr?: number; fault?: number }
  | { kind: 'tlb-flush'; vaddr?: number }
  /** VMX: non-root operation exited to the monitor (vmx.ts). */
  | { kind: 'vmexit'; reason: string; pc: number }
  | { kind: 'cr'; cr: number; value: number }
  | { kind: 'irq'; line: number; level: boolean }
  | { kind: 'rett'; pc: number; ring: number }
  | { kind: 'halt'; code: number }
  | { kind: 'idle'; ticks: number };

export type TrapDelivery = 'vector' | 'hook' | 'unhandled';

export interface StepRecord {
  /** 1-based step number since reset (equals counters.steps after this step). */
  step: number;
  /** Virtual pc of the instruction, or for an interrupt the pc it interrupted. */
  pc: number;
  /** CPL when the step began. */
  ring: number;
  /** The instruction word; undefined for an interrupt or when the fetch itself faulted. */
  word: number | undefined;
  /** True when an instruction retired (false for faults and interrupts). */
  retired: boolean;
  regs: RegWrite[];
  mem: MemAccess[];
  events: MachineEvent[];
}

export type Observer = (record: StepRecord) => void;
