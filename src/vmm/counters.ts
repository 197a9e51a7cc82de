// The monitor's counters: one flat object of named numbers, incremented where
// the event happens (like the machine's). They feed `--stats` and the cost
// model. Per-kind names are derived from the ISA table and the exception codes,
// so no list here can drift from them.

import { INSTRUCTIONS, type InsnDef } from '../isa/index.js';
import { counterBump, EXC_COUNTER, type CounterBump } from '../machine/counters.js';
import { EXIT_REASONS, type ExitReason } from '../machine/vmx.js';
import { HYPERCALLS, hypercallCounterName } from './pv/abi.js';

const FIXED = [
  /**
   * Traps the machine handed to the monitor (every exception and interrupt while the guest runs),
   * except bt's callouts: those are calls into the monitor, counted as `callouts` (docs/cost-model.md).
   */
  'traps',
  /** ...of which real interrupts (the monitor's timer). */
  'trapInterrupt',
  /**
   * Instructions the monitor emulated after a trap or VM exit (each also retires one guest instruction);
   * under bt, an emulation inside a callout is `calloutEmulate`. emu<Mnemonic> count every emulation.
   */
  'emulated',
  /** Exceptions delivered into the guest as the hardware would have delivered them. */
  'reflected',
  /** Virtual interrupts delivered into the guest. */
  'injected',
  /** Real page faults the monitor resolved itself, invisibly to the guest (shadow misses, dirty-bit upgrades). */
  'shadowFaults',
  /** Shadow page-table entries installed. */
  'shadowFills',
  /** Shadow entries dropped (guest tlbi, traced writes, page faults, evictions) and shadow regions dropped. */
  'shadowInvalidations',
  'shadowRegionDrops',
  /** Guest frames that became page-table pages the monitor traces (write-protected in every shadow). */
  'tracedPages',
  /** Guest stores into a traced page, emulated by the monitor. */
  'tracedWrites',
  /** Changes of the current shadow address space (guest PTBR writes, paging on/off). */
  'shadowSwitches',
  /** Shadow address spaces built from scratch (a miss in the shadow cache), and thrown away to make room. */
  'shadowsCreated',
  'shadowEvictions',
  /** Guest loads and stores to guest-physical addresses outside RAM (device registers), emulated. */
  'mmioEmulated',
  /** Frames the monitor's switch moved for this VM (sent by its NIC, or from the wire while it ran), and their bytes. */
  'framesCopied',
  'bytesCopied',
  // Binary translation (zero in the other modes).
  /** Translation units made, and the guest instructions and translated words in them. */
  'translations',
  'translatedInsns',
  'translatedWords',
  /** Guest instructions copied unchanged (IDENT) and rewritten (non-IDENT), over all translations. */
  'identInsns',
  'nonIdentInsns',
  /** Lookups of a guest pc in the translation cache: found, or translated. */
  'tcHits',
  'tcMisses',
  /** Exits patched into direct jumps between units, and chains undone. */
  'chains',
  'unchains',
  /** Callouts from translated code into the monitor, by kind. */
  'callouts',
  'calloutEmulate',
  'calloutExit',
  'calloutIndirect',
  'calloutFault',
  /** Guest frames write-protected because they hold translated code; monitor stores into them. */
  'codePagesProtected',
  'codeWrites',
  /** Units thrown away because their guest code was written, and whole-cache flushes (cache full). */
  'unitsInvalidated',
  'tcFlushes',
  /** Units retranslated because an instruction kept faulting, and the accesses their callouts then performed. */
  'adaptiveRetranslations',
  'adaptiveAccesses',
  // Hardware assist (zero in the other modes).
  /** VM entries and exits, and exits by reason. */
  'vmEntries',
  'vmExits',
  /** VMCS accesses by the monitor. */
  'vmreads',
  'vmwrites',
  /** Second-level translations in the two-dimensional walk, and the EPT entries they read. */
  'eptWalks',
  'eptEntryReads',
  /** Whole-TLB flushes at entries and exits because VPID is off. */
  'vpidFlushes',
  /** Posted interrupts the CPU delivered into the guest without an exit, and those posted while its vCPU was not running. */
  'postedInterrupts',
  'postedWhileNotRunning',
  /** With the virtual timer: guest accesses to its registers, and its interrupts, that the CPU handled without an exit. */
  'virtualTimerAccesses',
  'timerPosted',
  // Paravirtualization (zero in the other modes). Per hypercall: hc<Name> (hcMmuUpdate, ...), from src/vmm/pv/abi.ts.
  /** Hypercalls the guest made (hcall at virtual ring 0), of which with an unknown number, and those that returned an error. */
  'hypercalls',
  'hcUnknown',
  'hypercallErrors',
  /** Page-table entries written by mmu_update. */
  'mmuUpdateEntries',
] as const;

type FixedName = (typeof FIXED)[number];
export type MonitorCounters = Record<FixedName, number> & Record<string, number>;

/** By exception code, the machine's counter renamed: `excPageFault` -> `trapPageFault` / `reflectPageFault`. */
export const TRAP_COUNTER: readonly (string | undefined)[] = EXC_COUNTER.map((n) => n && 'trap' + n.slice(3));
export const REFLECT_COUNTER: readonly (string | undefined)[] = EXC_COUNTER.map((n) => n && 'reflect' + n.slice(3));

/**
 * Rows the monitor may emulate: privileged instructions, loads/stores (traced
 * page tables, device memory), and under binary translation the sensitive ones.
 */
export function emulatable(def: InsnDef): boolean {
  return def.klass === 'privileged' || def.klass === 'sensitive' || def.sem.kind === 'load' || def.sem.kind === 'store';
}

/** `mfcr` -> `emuMfcr`. */
export function emulationCounterName(mnemonic: string): string {
  return 'emu' + mnemonic[0]!.toUpperCase() + mnemonic.slice(1);
}

/** `ept-violation` -> `exitEptViolation`: the counter of each VM exit reason. */
export function exitCounterName(reason: ExitReason): string {
  return EXIT_COUNTER[reason];
}

function makeExitCounterName(reason: ExitReason): string {
  return 'exit' + reason.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** The counter of each exit reason, built once: exits are counted on the monitor's hot path. */
const EXIT_COUNTER = Object.fromEntries(EXIT_REASONS.map((r) => [r, makeExitCounterName(r)])) as Record<ExitReason, string>;

/** The emulation counter of each opcode the monitor may emulate (emulationCounterName of its row), built once for the hot path. */
export const EMULATION_COUNTER: readonly (string | undefined)[] = (() => {
  const t: (string | undefined)[] = new Array(256).fill(undefined);
  for (const def of INSTRUCTIONS) if (emulatable(def)) t[def.opcode] = emulationCounterName(def.mnemonic);
  return t;
})();

// Increments by table index with constant property names (see counterBump): these run at every trap.
/** TRAP_COUNTER[code]++ */
export const bumpTrapCounter: CounterBump = counterBump(TRAP_COUNTER);
/** REFLECT_COUNTER[code]++ */
export const bumpReflectCounter: CounterBump = counterBump(REFLECT_COUNTER);
/** EMULATION_COUNTER[opcode]++ */
export const bumpEmulationCounter: CounterBump = counterBump(EMULATION_COUNTER);
/** The counter of exit reason `reason` ++ */
export const bumpExitCounter: (counters: Record<string, number>, reason: ExitReason) => void = counterBump(EXIT_COUNTER);
/** The counter of the hypercall numbered i ++ */
export const bumpHypercallCounter: CounterBump = counterBump(
  Array.from({ length: Math.max(...HYPERCALLS.map((h) => h.nr)) + 1 }, (_, nr) => {
    const h = HYPERCALLS.find((x) => x.nr === nr);
    return h && hypercallCounterName(h.name);
  }),
);

export function createMonitorCounters(): MonitorCounters {
  const c: Record<string, number> = {};
  const add = (name: string | undefined) => { if (name) c[name] = 0; };
  // Grouped for reading: each total followed by its kinds.
  add('traps');
  TRAP_COUNTER.forEach(add);
  add('trapInterrupt');
  add('emulated');
  for (const def of INSTRUCTIONS) if (emulatable(def)) add(emulationCounterName(def.mnemonic));
  add('reflected');
  REFLECT_COUNTER.forEach(add);
  add('hypercalls');
  for (const h of HYPERCALLS) add(hypercallCounterName(h.name));
  for (const n of FIXED) {
    add(n);
    if (n === 'vmExits') EXIT_REASONS.forEach((r) => add(exitCounterName(r)));
  }
  // Built property by property, an object this size ends up in V8's dictionary mode, where every
  // increment is a hash lookup; a spread copy has fast properties (and keeps them: later writes
  // only assign existing keys).
  return { ...c } as MonitorCounters;
}
