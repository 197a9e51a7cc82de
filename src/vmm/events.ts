// Monitor events, for traces and the debugger: what the monitor did in answer
// to each trap. A listener is optional; without one nothing is built.
// Addresses are guest addresses (virtual unless named gpa).

export type MonitorEvent =
  /** The machine handed a trap to the monitor (an exit, in VT-x words). */
  | { kind: 'trap'; cause: number; pc: number }
  /** An instruction emulated against the virtual CPU or devices. */
  | { kind: 'emulate'; pc: number; mnemonic: string }
  /** An exception delivered into the guest. */
  | { kind: 'reflect'; cause: number; epc: number; faultaddr?: number }
  /** A virtual interrupt delivered into the guest. */
  | { kind: 'inject'; line: number; epc: number }
  /** A shadow entry built from the guest's tables (`write`: with write permission). */
  | { kind: 'shadow-fill'; vaddr: number; gpa: number; write: boolean; user: boolean }
  /** Shadow entries dropped: one page, or a whole 4 MiB region. */
  | { kind: 'shadow-invalidate'; vaddr: number; region: boolean; reason: ShadowDropReason }
  /** A guest store into one of its page-table pages, emulated. */
  | { kind: 'traced-write'; pc: number; gpa: number; value: number }
  /** The current shadow address space changed (`key`: guest directory frame, or -1 for paging off). */
  | { kind: 'shadow-switch'; key: number; created: boolean }
  /** Binary translation: a unit translated into the cache at TC address `tc`. */
  | { kind: 'translate'; pc: number; gpa: number; insns: number; words: number; tc: number }
  /** Translated code called the monitor (`what`: the emulated mnemonic, the exit kind or the fault). */
  | { kind: 'callout'; pc: number; callout: 'emulate' | 'exit' | 'fault'; what: string; target?: number }
  /** The exit of the guest instruction at `pc` patched into a direct jump to the unit at guest pc `target`. */
  | { kind: 'chain'; pc: number; target: number }
  /** Translations thrown away: the unit at `pc` (its guest code was written, or it is retranslated). */
  | { kind: 'tc-invalidate'; pc: number; reason: 'code-write' | 'retranslate'; gpa?: number }
  /** The whole translation cache flushed (it was full). */
  | { kind: 'tc-flush'; units: number }
  /** Hardware assist: the guest exited to the monitor (`reason` as in src/machine/vmx.ts). */
  | { kind: 'vmexit'; reason: string; pc: number }
  /** Paravirtualization: the guest kernel called the monitor (`result`: what a0 received; `error`: its name when negative). */
  | { kind: 'hypercall'; pc: number; nr: number; name: string; result?: number; error?: string };

export type ShadowDropReason = 'tlbi' | 'flush' | 'traced-write' | 'page-fault' | 'evict' | 'memory';

export type MonitorListener = (event: MonitorEvent) => void;
