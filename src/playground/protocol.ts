// The messages between the playground's page and its Web Worker (issue 17).
// The page posts a Request; the worker answers every Request with exactly one
// Response carrying the same `id`, and may post Events (no id) while a request
// runs (progress, console output). Everything is plain data: numbers, strings,
// booleans, arrays and plain objects, so structured clone carries it as is.
//
// One worker runs one PlaygroundSession (session.ts): one configuration (one
// VM, or a small host of several). "The same guest under two modes side by
// side" is simply two workers, each with its own session; nothing here links
// them.
//
// Requests are handled one at a time in order, except `stop`, which the worker
// reads between the chunks of a running `run`/`step`/`next`/`finish` and
// answers at once. Every failure is a Response with ok: false and a one-line
// `error` (never an exception that ends the worker).

import type { Diagnostic as AsmDiagnostic } from '../asm/diagnostics.js';
import type { ModeName, CostPresetName, CostReport } from '../vmm/index.js';
import type { PerIterationReport } from '../cli/per-iteration-report.js';
import type { Timeline } from '../trace/perfetto.js';

export type { ModeName, CostPresetName, CostReport, PerIterationReport, Timeline };
export type EngineName = 'interp' | 'jit';
/** Virtual: through the guest's own page tables, as the debugger's views translate; physical: the machine's address, as `mem -p` (host-physical under a monitor). */
export type AddressSpace = 'virtual' | 'physical';

// --- the guest catalog ---------------------------------------------------------

/** One entry of the picker of shipped guests. */
export interface CatalogEntry {
  /** Path of the source in the catalog (as in the repository: `guests/tinyos/tinyos.s`); its key in the files. */
  path: string;
  /** Short title for the picker. */
  title: string;
  /** Group: hello, tinyos, bench, popek, net, pv, exceptions, ... */
  group: string;
  /** -D defines this entry is assembled with (e.g. { PV: 1 } for a PV build). */
  defines: Record<string, number | string>;
  /** The mode it is meant for (pv builds: 'pv'); the page may offer others. */
  mode: ModeName;
  /** A NIC the guest needs (net guests, tinyos -D NET); undefined for none. */
  nic?: NicSpec;
  /** One line on what it shows. */
  note: string;
}

// --- configurations ------------------------------------------------------------

/** A VM's network card (as `run --nic` and a host configuration's "nic"). */
export interface NicSpec {
  kind: 'emulated' | 'virtio' | 'vf';
  /** The wire's link partner as `--peer` takes it: echo (default), sink, gen[,size=N,...]. Lone VM only (a host's wire is the configuration's). */
  peer?: string;
  /** Its MAC address (`--mac`; a host's default: 02:00:00:00:00:NN by position). */
  mac?: string;
  /** Host only, as a host configuration's nic: its VLAN on the switch, which VF, whether that VF is trusted. */
  vlan?: number;
  vf?: number;
  trusted?: boolean;
}

/** Where a VM's program comes from: a catalog path, or the editor's buffer (its own name, for diagnostics and includes). */
export type ProgramRef =
  | { kind: 'catalog'; path: string }
  | { kind: 'source'; file: string; text: string };

/** One VM of a configuration. */
export interface VmSpec {
  /** VM name (host runs prefix its console lines with it); for a lone VM any name, e.g. 'vm'. */
  name: string;
  program: ProgramRef;
  /** -D NAME[=VALUE] as parsed: a bare -D NAME is 1. Under pv, PV=1 is added as `run -D PV` would need (a host adds it itself). */
  defines?: Record<string, number | string>;
  mode: ModeName;
  /** hw only: nested paging, tagged TLB, posted interrupts (all default true, as the CLI's flags). */
  hw?: { ept?: boolean; vpid?: boolean; posted?: boolean };
  /** RAM in MiB (default 16, as the CLI). */
  memoryMiB?: number;
  /** Console input bytes (as --input). */
  input?: string;
  nic?: NicSpec;
  /** Host only: scheduler weight (default 1). */
  weight?: number;
}

/**
 * What `load` builds. One VM in `vms` is a lone machine as `virtlab run`/`debug` build it;
 * two or more (or `host: true`) a host as `virtlab host`/`debug HOST.json` build it.
 */
export interface Configuration {
  vms: VmSpec[];
  /** Run a single VM on a host anyway (a host of one). */
  host?: boolean;
  /** interp (the debugger works: step, back, breakpoints, watchpoints) or jit (run and stop only, as `run`'s default). */
  engine: EngineName;
  /** Prices the counters (`--cost-model`). */
  costModel: CostPresetName;
  /** Step budget of one `run` (`--max-steps`; default 100000000). */
  maxSteps?: number;
  /** Host only: guest instructions in a slice of weight 1 (default 10000). */
  slice?: number;
  /** Steps `back` can undo (default 1000000, at most 10000000; 0 turns it off). interp only. */
  history?: number;
  /** Host only: the wire's link partner when VMs have NICs (`--peer`: echo, sink, gen,...; default echo). */
  peer?: string;
}

// --- requests ------------------------------------------------------------------

/** Where a breakpoint goes: a source line (the editor's gutter), an address, or any debugger location expression (`loop+8`). */
export type BreakLocation =
  | { kind: 'line'; file: string; line: number }
  | { kind: 'address'; address: number }
  | { kind: 'expr'; text: string };

export type Request =
  /** The picker's entries: guests, and the shipped host configurations. Answer: CatalogResponse. */
  | { id: number; type: 'catalog' }
  /** Assemble without loading: the diagnostics inline. Answer: AssembleResponse. */
  | { id: number; type: 'assemble'; program: ProgramRef; defines?: Record<string, number | string> }
  /** Build a configuration (replacing any loaded one); nothing runs yet. Answer: LoadResponse (ok: false with diagnostics when a program does not assemble). */
  | { id: number; type: 'load'; config: Configuration }
  /** Run until a breakpoint, watchpoint, every VM stops, `stop`, or the configuration's maxSteps; ProgressEvents meanwhile. Answer: RunResponse. */
  | { id: number; type: 'run' }
  /**
   * Stop a running request at its next chunk boundary, and any run, step, next, finish or back posted before
   * it that has not started yet. Answer: Ack at once; those requests answer with stopped: 'requested'.
   */
  | { id: number; type: 'stop' }
  /** step N (default 1) guest instructions of the selected VM. interp only. Answer: RunResponse. */
  | { id: number; type: 'step'; count?: number }
  /** Step over a call or syscall. interp only. Answer: RunResponse. */
  | { id: number; type: 'next' }
  /** Run until the current function returns. interp only. Answer: RunResponse. */
  | { id: number; type: 'finish' }
  /** Go back N steps (default 1), the whole machine bit for bit. interp only. Answer: RunResponse. */
  | { id: number; type: 'back'; count?: number }
  /** Start over (breakpoints stay). Answer: RunResponse. */
  | { id: number; type: 'restart' }
  /** Set a breakpoint in `vm` (default: the selected VM). Answer: PointResponse. */
  | { id: number; type: 'break'; vm?: string; at: BreakLocation; condition?: string }
  /** Set a watchpoint on the word at `address`. Answer: PointResponse. */
  | { id: number; type: 'watch'; vm?: string; address: number; access?: 'r' | 'w' | 'rw'; space?: AddressSpace; condition?: string }
  /** Delete breakpoints/watchpoints by number (all without). Answer: Ack. */
  | { id: number; type: 'clear'; points?: number[] }
  /** Select the VM the views, steps and new points work on. Answer: Ack. */
  | { id: number; type: 'select'; vm: string }
  /** Any debugger command line (docs/debugger.md: print, x/4x sp, info breakpoints, ...), for a debugger console. Answer: CommandResponse. */
  | { id: number; type: 'command'; line: string }
  /** The state of one VM (default selected), with the optional parts asked for. Answer: SnapshotResponse. */
  | {
    id: number; type: 'snapshot'; vm?: string;
    memory?: { address: number; length: number; space?: AddressSpace };
    pageTables?: boolean;
    /** Under bt: the translation unit at the guest pc, as bt-dump shows it. */
    bt?: boolean;
  }
  /**
   * The timeline of every VM from the start to where the machine stands now: exits, traps, hypercalls,
   * callouts, interrupts, packets, in modelled cycles (src/trace/perfetto.ts's buildTimeline, what
   * `virtlab trace --format perfetto` writes). Made by running the configuration again, traced, up to the
   * same step (the machine is deterministic), so it follows `back` and `restart` too. Answer: TimelineResponse.
   */
  | { id: number; type: 'timeline' };

export type RequestType = Request['type'];

// --- responses -----------------------------------------------------------------

/** An assembler diagnostic, as `virtlab asm` prints it (line and column 1-based; the did-you-mean is in the message). */
export type Diagnostic = Omit<AsmDiagnostic, 'sourceLine'>;

/** A symbol of the image. */
export interface SymbolInfo { name: string; value: number; kind: 'label' | 'const' }

/** Where a source line's code is (the image's line table); the gutter's breakpoints use it. */
export interface LineAddress { file: string; line: number; address: number }

/** A request that failed: `error` is one line (with file:line:column where it applies). */
export interface Failure { id: number; ok: false; type: 'error'; error: string; diagnostics?: Diagnostic[] }

export interface Ack { id: number; ok: true; type: 'ack' }

/** A shipped host configuration (guests/hosts/*.json) as a configuration to load (engine jit, cost model p4-2006: the page may change them). */
export interface CatalogHost { path: string; title: string; config: Configuration }

export interface CatalogResponse { id: number; ok: true; type: 'catalog'; entries: CatalogEntry[]; hosts: CatalogHost[] }

export interface AssembleResponse {
  id: number; ok: true; type: 'assemble';
  /** True when an image was produced (no errors). */
  assembled: boolean;
  diagnostics: Diagnostic[];
  symbols: SymbolInfo[];
  lines: LineAddress[];
  entry: number | null;
}

/** A VM as loaded. */
export interface VmSummary {
  name: string;
  mode: ModeName;
  /** The program's file name (its line table's). */
  file: string;
  entry: number;
  symbols: SymbolInfo[];
  lines: LineAddress[];
  diagnostics: Diagnostic[];
}

export interface LoadResponse {
  id: number; ok: true; type: 'load';
  vms: VmSummary[];
  /** The debugger's banner (what is loaded, where it stands). */
  banner: string;
  /** Whether step/next/finish/back/breakpoints/watchpoints are available (engine interp). */
  debuggable: boolean;
}

/** How a VM stands. */
export interface VmStatus {
  name: string;
  /** runnable: can still run; halted; stopped: an unhandled trap or a deadlock. */
  state: 'runnable' | 'halted' | 'stopped';
  /** The halt value, or the one-line reason. */
  haltCode: number | null;
  message: string | null;
  /** The exit code `virtlab run` would give (0..255, 123-125), null while runnable. */
  exitCode: number | null;
  pc: number;
  instructions: number;
}

export interface RunResponse {
  id: number; ok: true; type: 'run';
  /** What the debugger printed, as `virtlab debug` prints it (guest console lines included, on a host prefixed by VM); under jit a one-line summary. */
  output: string;
  /**
   * Why it ended: 'ended' every VM has stopped (halt, unhandled trap, deadlock); 'budget' the configuration's
   * maxSteps ran out; 'requested' by a stop request; 'paused' the debugger stopped it (a breakpoint, a
   * watchpoint, the end of a step, next, finish or back).
   */
  stopped: 'ended' | 'budget' | 'requested' | 'paused';
  /** The VM the debugger selected (the one that stopped). */
  selected: string;
  vms: VmStatus[];
  /** Machine steps of the whole machine so far. */
  steps: number;
}

export interface PointResponse { id: number; ok: true; type: 'point'; number: number; text: string }

export interface CommandResponse { id: number; ok: true; type: 'command'; output: string; failed: boolean }

/** One general register. */
export interface RegisterValue { name: string; abi: string; value: number }

/** The guest's page-table walk view: each mapped page of the guest's own tables. */
/** A set of tables the CPU walks besides the guest's, rooted at a host-physical address. */
export interface HardwareTables { kind: 'shadow' | 'ept'; root: number; pages: PageMapping[]; truncated: boolean }

export interface PageMapping {
  vaddr: number;
  paddr: number;
  flags: { present: boolean; writable: boolean; user: boolean; accessed: boolean; dirty: boolean };
}

/** A VM's counters: as `run --stats` prints them (text) and as `run --json` has them (objects). */
export interface Counters {
  /** Exactly what `virtlab run --stats` prints on stderr for this VM; for a host VM its section of `host --stats` (after the `== name (mode) ==` line). */
  statsText: string;
  machine: Record<string, number>;
  monitor: Record<string, number> | null;
  /** Modelled cycles per event kind under the configuration's preset (rows: kind, counter, count, each, cycles) and totals, as `run --json`'s `cost`. */
  cost: CostReport;
  /** A halted nanobenchmark's figures per iteration (`run --json`'s perIteration); null otherwise. */
  perIteration: PerIterationReport | null;
}

export interface VmState {
  name: string;
  mode: ModeName;
  status: VmStatus;
  /** The guest's view (under a monitor its virtual CPU), as `regs` shows it. */
  regs: RegisterValue[];
  pc: number;
  ring: number;
  /** STATUS decoded: interrupt enable, paging, ... (every named bit). */
  flags: Record<string, boolean>;
  /** Control registers by name (status, tvec, ptbr, cause, epc, faultaddr, scratch). */
  cr: Record<string, number>;
  /** `regs` and `where` text of the debugger (interp) or built from the same views. */
  regsText: string;
  whereText: string;
  /** The guest's console output so far. */
  console: string;
  counters: Counters;
  memory?: { address: number; length: number; space: AddressSpace; bytes: (number | null)[]; text: string };
  /**
   * The guest's own page tables (from its PTBR, guest-physical), and `hardware`: under a monitor the tables the CPU
   * walks with or instead of them (src/debug/tables.ts): the monitor's shadow tables (virtual → host-physical) or EPT
   * (guest-physical → host-physical, its `vaddr` a guest-physical address); none natively or under pv.
   */
  pageTables?: { ptbr: number; paging: boolean; pages: PageMapping[]; truncated: boolean; hardware: HardwareTables[] };
  /** Under bt: the unit holding the guest pc, as bt-dump's text shows it; null when none is translated there. */
  bt?: { text: string } | null;
}

export interface SnapshotResponse { id: number; ok: true; type: 'snapshot'; state: VmState }

export interface TimelineResponse {
  id: number; ok: true; type: 'timeline';
  /** Per VM: slices of guest execution and monitor work, instants, counter tracks (src/trace/perfetto.ts). */
  timeline: Timeline;
  /** Machine steps it covers (the machine's position when asked). */
  steps: number;
}

export type Response =
  | Failure | Ack | CatalogResponse | AssembleResponse | LoadResponse | RunResponse
  | PointResponse | CommandResponse | SnapshotResponse | TimelineResponse;

// --- events (worker → page, no id) ----------------------------------------------

/** While a request runs, after each chunk (about every 50 ms). */
export interface ProgressEvent { type: 'progress'; requestId: number; steps: number; vms: { name: string; instructions: number }[] }

/** Guest console output as produced, per VM: `text` follows what was sent before; with `reset` it replaces all of it (after back or restart). */
export interface ConsoleEvent { type: 'console'; vm: string; text: string; reset?: boolean }

export type Event = ProgressEvent | ConsoleEvent;

/** Anything the worker posts. */
export type WorkerMessage = Response | Event;
