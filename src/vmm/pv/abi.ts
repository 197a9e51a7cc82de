// The paravirtual hypercall ABI (docs/hypercalls.md): the one source of truth
// for hypercall numbers, error codes, the shared page's layout and the limits.
// The guest-side constants (guests/pv/hypercalls.inc) are checked against this
// file by test/vmm/pv/abi.test.ts, and docs/hypercalls.md's table likewise.
//
// Calling convention: `hcall N` at virtual ring 0, arguments in a0-a3, the
// result in a0 (a negative value is an error code, Xen style); every other
// register is preserved. The calls marked `keepsA0` leave a0 alone as well.

/** The ABI version a paravirtualized image declares with the marker symbol, and `version` returns. */
export const PV_ABI_VERSION = 1;
/** An absolute symbol whose value is the ABI version: what tells a PV build from an unmodified one. */
export const PV_MARKER = 'VIRTLAB_PV_ABI';

/** Error codes, returned negated in a0 (the Linux/Xen errno values). */
export const ERRNO = {
  /** The update would give the guest memory that is not its own (monitor memory, another VM's memory, device memory). */
  EPERM: 1,
  /** A pointer that does not lead to guest RAM (unmapped, or outside the guest's memory). */
  EFAULT: 14,
  /** A malformed argument: misaligned, out of range, an unknown value. */
  EINVAL: 22,
  /** No hypercall has this number. */
  ENOSYS: 38,
} as const;
export type ErrName = keyof typeof ERRNO;

export function errorName(result: number): ErrName | undefined {
  return result < 0 ? ERROR_BY_RESULT.get(result) : undefined;
}

/** Negated errno -> name, built once: every hypercall's result is looked up. */
const ERROR_BY_RESULT: ReadonlyMap<number, ErrName> = new Map((Object.keys(ERRNO) as ErrName[]).map((k) => [-ERRNO[k], k]));

/** Word offsets in the shared page (Xen's shared_info / vcpu_info), one page of guest RAM the guest registers. */
export const SHARED = {
  /** 0: events (virtual interrupts) are delivered; non-zero: masked. Written by the guest with plain stores. */
  mask: 0x00,
  /** Bit n: virtual interrupt line n is raised. Written by the monitor. */
  pending: 0x04,
  /** At delivery: STATUS as trap entry leaves it (ring 0; PPL = the ring before, PIE = events were unmasked, PG). iret reads PPL, PIE and the user flags. */
  status: 0x08,
  /** At delivery: the saved pc (as EPC). iret continues there. */
  epc: 0x0c,
  /** At delivery: the cause (as CAUSE). */
  cause: 0x10,
  /** At delivery of a page fault or misaligned access: the address (as FAULTADDR). */
  faultaddr: 0x14,
  /** At delivery: the interrupted context's sp (so the kernel needs no scratch register on entry). */
  sp: 0x18,
} as const;
export type SharedField = keyof typeof SHARED;

/** Most (entry, value) pairs one mmu_update applies (two page tables' worth): bounds the monitor's work per call. */
export const MMU_UPDATE_MAX = 2048;
/** Most bytes one console_write or console_read moves. */
export const CONSOLE_IO_MAX = 4096;

export interface HypercallDef {
  nr: number;
  name: string;
  /** Arguments, as the docs show them. */
  args: string;
  /** What a0 holds afterwards on success. */
  returns: string;
  /** The error codes it can return. */
  errors: readonly ErrName[];
  /** a0 is not written (event_check), or the call does not return to the next instruction (iret, halt). */
  keepsA0?: boolean;
  /**
   * Also offered to an hw guest (PVHVM, docs/hypercalls.md): the timer, events, console, PCI and
   * halt. The rest stand for hardware an hw guest has (its trap vector, rett, page tables and TLB
   * are its own in non-root operation) and return ENOSYS there.
   */
  hvm?: true;
}

export const HYPERCALLS: readonly HypercallDef[] = [
  { nr: 0, name: 'version', args: '', returns: 'the ABI version', errors: [], hvm: true },
  { nr: 1, name: 'set_trap_table', args: 'a0 = handler', returns: '0', errors: ['EINVAL'] },
  { nr: 2, name: 'register_vcpu_info', args: 'a0 = shared page (guest-physical), a1 = event callback', returns: '0', errors: ['EINVAL', 'EFAULT'], hvm: true },
  { nr: 3, name: 'iret', args: 'shared page: status, epc', returns: 'does not return', errors: ['EINVAL'], keepsA0: true },
  { nr: 4, name: 'event_check', args: '', returns: 'a0 unchanged', errors: [], keepsA0: true, hvm: true },
  { nr: 5, name: 'set_ptbr', args: 'a0 = page directory (guest-physical)', returns: '0', errors: ['EINVAL', 'EFAULT'] },
  { nr: 6, name: 'set_paging', args: 'a0 = 1 on, 0 off', returns: '0', errors: ['EINVAL'] },
  { nr: 7, name: 'mmu_update', args: 'a0 = list of (entry address, value) pairs, a1 = count', returns: 'count', errors: ['EINVAL', 'EFAULT', 'EPERM'] },
  { nr: 8, name: 'tlb_flush_page', args: 'a0 = virtual address', returns: '0', errors: [] },
  { nr: 9, name: 'tlb_flush_all', args: '', returns: '0', errors: [] },
  { nr: 10, name: 'console_write', args: 'a0 = buffer, a1 = length', returns: 'length', errors: ['EINVAL', 'EFAULT'], hvm: true },
  { nr: 11, name: 'console_read', args: 'a0 = buffer, a1 = length', returns: 'bytes read (0: none available)', errors: ['EINVAL', 'EFAULT'], hvm: true },
  { nr: 12, name: 'timer_set', args: 'a0 = period (0 stops the timer)', returns: '0', errors: [], hvm: true },
  { nr: 13, name: 'timer_ack', args: '', returns: '0', errors: [], hvm: true },
  { nr: 14, name: 'timer_read', args: '', returns: 'the guest clock, low 32 bits', errors: [], hvm: true },
  { nr: 15, name: 'yield', args: '', returns: '0', errors: [], hvm: true },
  { nr: 16, name: 'block', args: '', returns: '0', errors: [], hvm: true },
  { nr: 17, name: 'halt', args: 'a0 = exit code', returns: 'does not return', errors: [], keepsA0: true, hvm: true },
  // PCI configuration space (docs/nics.md): what `out 0xCF8` + `in`/`out 0xCFC` do natively; an absent function reads all ones.
  { nr: 18, name: 'pci_config_read', args: 'a0 = CONFIG_ADDRESS', returns: 'the dword (all ones: no such function)', errors: [], hvm: true },
  { nr: 19, name: 'pci_config_write', args: 'a0 = CONFIG_ADDRESS, a1 = value', returns: '0', errors: [], hvm: true },
  // A virtio queue's doorbell, without the trapping MMIO write.
  { nr: 20, name: 'net_notify', args: 'a0 = PCI function (bus<<8 | device<<3 | function), a1 = queue', returns: '0', errors: ['EINVAL'], hvm: true },
];

/** `mmu_update` -> `hcMmuUpdate`: the monitor counter of one hypercall. */
export function hypercallCounterName(name: string): string {
  return 'hc' + name.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** `mmu_update` -> `HC_MMU_UPDATE`: the guest-side constant. */
export function hypercallConstName(name: string): string {
  return 'HC_' + name.toUpperCase();
}
