// Trace records: what `virtlab trace` writes, one per retired (or faulting)
// instruction and one per machine event. Field names and meanings are a
// public, documented format (docs/trace.md); add fields, never rename them.
// Every number is a plain JSON number; addresses, words and register values
// are unsigned 32-bit.

/** The kinds --events selects; each record belongs to exactly one (kindOf): its type's, but an iommu translation's is dma. */
export const EVENT_KINDS = ['insn', 'exception', 'interrupt', 'io', 'mmu', 'monitor', 'net', 'sriov', 'dma'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface RegValue {
  /** ABI name (a0, sp, ...). */
  reg: string;
  value: number;
}

export interface CrValue {
  /** Control-register name (status, tvec, ...). */
  cr: string;
  value: number;
}

export interface MemRecord {
  kind: 'read' | 'write';
  vaddr: number;
  paddr: number;
  size: 1 | 2 | 4;
  /** Zero-extended to the access size. */
  value: number;
}

export interface InsnRecord {
  type: 'insn';
  step: number;
  pc: number;
  ring: number;
  word: number;
  disasm: string;
  /** `symbol` or `symbol+0xoff` for pc, or null outside every symbol. */
  sym: string | null;
  /** `file:line` of the source line that produced pc, or null. */
  src: string | null;
  /** False when the instruction trapped instead of completing (see the exception record that follows). */
  retired: boolean;
  regs: RegValue[];
  cr: CrValue[];
  mem: MemRecord[];
  // Under --mode bt only (absent otherwise, so native and trap traces keep their form):
  // where the real CPU was in the translation cache. Outside it (guest code run
  // directly) they are null, and `overhead` is false.
  /** Translation-cache address the CPU executed (the real pc), or null when the guest's code ran directly. */
  tc?: number | null;
  /** The word executed there (the translation), or null. */
  tcWord?: number | null;
  /** Its disassembly at the TC address, or null. */
  tcDisasm?: string | null;
  /** What the word is for its guest instruction (src/trace/bt-view.ts TcRole), or null. */
  tcRole?: string | null;
  /**
   * True when the step is translation overhead (a later word of the guest
   * instruction's translation, or the entry-fault stub); false for the step
   * that began the guest instruction, and for guest code run directly.
   */
  overhead?: boolean;
}

export interface HaltRecord { type: 'halt'; step: number; code: number }

export interface ExceptionRecord {
  type: 'exception';
  step: number;
  /** The whole CAUSE register value. */
  cause: number;
  /** Exception code (CAUSE bits 7:0) and its name. */
  code: number;
  name: string;
  /** Detail bits of CAUSE that are set: `write`, `fetch`, `user`, `present`. */
  detail: string[];
  pc: number;
  epc: number;
  faultaddr: number | null;
  /** `vector` (guest TVEC), `hook` (a monitor handled it) or `unhandled` (TVEC 0: the machine stopped). */
  delivered: 'vector' | 'hook' | 'unhandled';
  /** Under --mode bt only: the real pc when it was a translation-cache address (pc and epc are then the guest's), else null. */
  tc?: number | null;
}

export interface InterruptRecord {
  type: 'interrupt';
  step: number;
  line: number;
  cause: number;
  /** The pc that was interrupted (it runs again after rett). */
  epc: number;
  delivered: 'vector' | 'hook' | 'unhandled';
  /** Under --mode bt only: the interrupted real pc when it was a translation-cache address (epc is then the guest's), else null. */
  tc?: number | null;
  /**
   * Under --mode hw only: `posted` when the CPU delivered it from the VMCS's
   * posted-interrupt descriptor straight into the guest (no exit; `line` is then
   * the virtual line), `line` when it took a real line in root operation. An
   * interrupt the monitor injects has no interrupt record: it is a `monitor`
   * record (event `inject`).
   */
  delivery?: 'posted' | 'line';
}

/** `wfi` skipped `ticks` clock ticks waiting for the next device deadline. */
export interface IdleRecord { type: 'idle'; step: number; ticks: number }

export interface IoRecord {
  type: 'io';
  step: number;
  dir: 'in' | 'out';
  port: number;
  value: number;
  /** Device owning the port, or null for an unmapped port. */
  device: string | null;
}

export interface MmioRecord {
  type: 'mmio';
  step: number;
  dir: 'read' | 'write';
  paddr: number;
  size: number;
  value: number;
  device: string | null;
}

/** A page-table walk: after a TLB miss, or a store through a TLB entry whose D bit is clear. */
export interface WalkRecord {
  type: 'walk';
  step: number;
  vaddr: number;
  access: 'read' | 'write' | 'fetch';
  /** Directory entry read (before A/D updates). */
  pde: number;
  /** Table entry read, or null when the directory entry was not present. */
  pte: number | null;
  /** The translation, or null when the walk faulted. */
  paddr: number | null;
  /** CAUSE of the page fault, or null when the walk succeeded. */
  fault: number | null;
}

/** A TLB flush: one page (`vaddr`) or, with vaddr null, the whole TLB. */
export interface TlbFlushRecord { type: 'tlb-flush'; step: number; vaddr: number | null }

/**
 * What a monitor did (--mode trap, bt): one record per monitor event. Every event
 * kind has the same fields; those an event does not have are null. Addresses
 * are the guest's (virtual unless named gpa).
 */
export interface MonitorRecord {
  type: 'monitor';
  step: number;
  event: 'trap' | 'emulate' | 'reflect' | 'inject' | 'shadow-fill' | 'shadow-invalidate' | 'traced-write' | 'shadow-switch'
    | 'translate' | 'callout' | 'chain' | 'tc-invalidate' | 'tc-flush' | 'vmexit'
    // hypercall (pv): pc of the hcall, name = the hypercall's, value = the result (null: a0 untouched), what = its error name.
    | 'hypercall';
  /** Guest pc: of the trapping or emulated instruction (trap, emulate, traced-write), of a unit (translate, tc-invalidate), of the instruction a callout or chained exit stands for (callout, chain). */
  pc: number | null;
  /** Guest EPC of a delivered exception or interrupt (reflect, inject). */
  epc: number | null;
  /** `symbol+0xoff` of pc, else of epc, else of vaddr; null outside every symbol. */
  sym: string | null;
  /** CAUSE of the trap or reflected exception. */
  cause: number | null;
  /** Name of the trap (`page fault`, `interrupt line 0`, ...). */
  name: string | null;
  /** The emulated instruction's mnemonic. */
  mnemonic: string | null;
  faultaddr: number | null;
  /** Virtual interrupt line injected. */
  line: number | null;
  /** Guest-virtual page (shadow-fill, shadow-invalidate). */
  vaddr: number | null;
  /** Guest-physical address (shadow-fill, traced-write). */
  gpa: number | null;
  /** Value stored (traced-write). */
  value: number | null;
  /** The shadow entry allows writes / user access (shadow-fill). */
  write: boolean | null;
  user: boolean | null;
  /** A whole 4 MiB region dropped (shadow-invalidate). */
  region: boolean | null;
  /** Why shadow entries were dropped (shadow-invalidate). */
  reason: string | null;
  /** Guest directory frame of the new shadow address space, -1 for paging off (shadow-switch). */
  key: number | null;
  /** The shadow address space was built anew (shadow-switch). */
  created: boolean | null;
  /** Translation-cache address: of a new unit (translate), or the real pc of a trap taken there (trap, under bt). */
  tc: number | null;
  /** Guest instructions and translated words of a new unit (translate). */
  insns: number | null;
  words: number | null;
  /** Callout kind: `emulate`, `exit` or `fault` (callout). */
  callout: string | null;
  /** What the callout did: the emulated mnemonic, the exit kind (`taken`, `not-taken`, `jump`, `indirect`, `fallthrough`) or the fault. */
  what: string | null;
  /** Guest pc control went to (callout exits, chain). */
  target: number | null;
  /** Units dropped by a whole-cache flush (tc-flush). */
  units: number | null;
}

export type MonitorEventName = MonitorRecord['event'];

/**
 * A frame seen by a NIC, a switch port or the wire (src/net/types.ts
 * FrameEvent): sent (tx), taken in (rx), forwarded to known ports, flooded, or
 * dropped with a reason. MACs as aa:bb:cc:dd:ee:ff.
 */
export interface FrameRecord {
  type: 'frame';
  /** The step during which it happened (a frame a device sent between steps: the step that follows). */
  step: number;
  event: 'tx' | 'rx' | 'forward' | 'flood' | 'drop';
  /** The device (`e1000`, `virtio-net`, `wire`) or the switch port (a VM's name, `wire`). */
  where: string;
  dst: string;
  src: string;
  /** The 802.1Q VLAN ID, or null when untagged (at a switch port: the frame's VLAN, null for the untagged network). */
  vlan: number | null;
  ethertype: number;
  /** Bytes from the destination MAC to the end of the payload (no FCS). */
  length: number;
  /** Why it was dropped (drop), else null. */
  reason: string | null;
  /** Egress ports (forward, flood), else null. */
  to: string[] | null;
}

/**
 * A message a VF posted to the PF's mailbox and the PF driver's answer
 * (src/network/sriov/pf-driver.ts): `rate-limited` when the VF had used up
 * its budget (the VF is then answered NACK without the request being looked at).
 */
export interface MailboxRecord {
  type: 'mailbox';
  /** The step during which the VF posted it (as frame records). */
  step: number;
  /** The VF's index on the SR-IOV NIC. */
  vf: number;
  /** The message type's name (VF_RESET, SET_MAC_ADDR, SET_MULTICAST, SET_VLAN, SET_LPE, SET_PROMISC), or 0xNNNN for an unknown one. */
  message: string;
  /** The message type's number. */
  code: number;
  reply: 'ack' | 'nack' | 'rate-limited';
}

/**
 * What the IOMMU did (src/devices/iommu): a DMA page translated through a
 * domain's tables, a DMA refused (fault), or IOTLB entries dropped
 * (invalidate). Every event has the same fields; those it does not have are null.
 */
export interface IommuRecord {
  type: 'iommu';
  step: number;
  event: 'translate' | 'fault' | 'invalidate';
  /** The DMA's requester as bus:device.function (hex), e.g. `00:02.1`; null for invalidate. */
  requester: string | null;
  /** The domain the requester is attached to (null when there is none, or for a global invalidation). */
  domain: number | null;
  /** The DMA address (guest-physical for an assigned VF): the page's first byte accessed (translate, fault), the page dropped (invalidate of one page). */
  address: number | null;
  /** The host-physical address it was translated to (translate), else null. */
  hpa: number | null;
  access: 'read' | 'write' | null;
  /** IOTLB hit or miss (a miss walked the domain's tables) (translate). */
  iotlb: 'hit' | 'miss' | null;
  /** Why the DMA was refused (fault): address-beyond, no-write, context-not-present, ... */
  reason: string | null;
  /** The fault went into the fault-recording registers (false: they were full) (fault). */
  recorded: boolean | null;
  /** global, domain or page (invalidate). */
  scope: string | null;
  /** IOTLB entries dropped (invalidate). */
  dropped: number | null;
}

export type TraceRecord =
  | InsnRecord | HaltRecord | ExceptionRecord | InterruptRecord | IdleRecord
  | IoRecord | MmioRecord | WalkRecord | TlbFlushRecord | MonitorRecord | FrameRecord
  | MailboxRecord | IommuRecord;

export type RecordType = TraceRecord['type'];

/** The --events kind of each record type. */
export const KIND_OF: Record<RecordType, EventKind> = {
  'insn': 'insn',
  'halt': 'insn',
  'exception': 'exception',
  'interrupt': 'interrupt',
  'idle': 'interrupt',
  'io': 'io',
  'mmio': 'io',
  'walk': 'mmu',
  'tlb-flush': 'mmu',
  'monitor': 'monitor',
  'frame': 'net',
  'mailbox': 'sriov',
  'iommu': 'sriov',
};

/** The --events kind of a record: its type's, but an IOMMU translation (one per DMA page, many) is `dma`. */
export function kindOf(r: TraceRecord): EventKind {
  return r.type === 'iommu' && r.event === 'translate' ? 'dma' : KIND_OF[r.type];
}

export function isEventKind(s: string): s is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(s);
}
