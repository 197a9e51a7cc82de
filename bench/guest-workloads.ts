// What the nano and macro suites measure: their guests (with N for the full
// and the --quick run) and the mode columns every guest runs under.

/** A column of the guest suites: a monitor mode, with its hw options. */
export interface ModeColumn {
  name: string;
  mode: 'native' | 'trap' | 'bt' | 'pv' | 'hw';
  hw?: { ept: boolean };
}

export const MODE_COLUMNS: readonly ModeColumn[] = [
  { name: 'native', mode: 'native' },
  { name: 'trap', mode: 'trap' },
  { name: 'bt', mode: 'bt' },
  { name: 'pv', mode: 'pv' },
  { name: 'hw', mode: 'hw', hw: { ept: true } },
  { name: 'hw-noept', mode: 'hw', hw: { ept: false } },
];

export interface GuestWorkload {
  name: string;
  what: string;
  /** Source under guests/. */
  source: string[];
  defines: Record<string, number>;
  /** BENCH_ITERATIONS for the suite (full and --quick). */
  iterations: number;
  quickIterations: number;
  /** Modes the guest cannot run under, and why (the column is left out). */
  skip?: Record<string, string>;
}

const NANO_GUESTS: [string, string][] = [
  ['syscall', 'null system call from ring 3'], ['in', 'port read (timer clock)'], ['crwrite', 'control-register write'],
  ['callret', 'call and return'], ['pgfault', 'page fault, handler skips the load'], ['divzero', 'divide by zero, handler skips it'],
  ['ptemod', 'PTE changed and invalidated'], ['ctxswitch', 'address-space switch'], ['aspace', 'address space created and destroyed'],
];

/**
 * N per guest: the events of a few nanoseconds get more iterations, so that the loop and not the baseline subtracted
 * from it (0.2 ms of boot) is most of a run: with 20,000, native callret's loop was 0.07 of 0.27 ms and pv crwrite's
 * 0.1 of 0.3, and the two runs of 2026-12-07 disagreed on their ratios by 27-61%.
 */
const NANO_ITERATIONS: Record<string, number> = { aspace: 2000, callret: 400_000, crwrite: 200_000 };

export const NANO: readonly GuestWorkload[] = NANO_GUESTS.map(([name, what]) => ({
  name, what, source: ['bench', `${name}.s`], defines: {}, iterations: NANO_ITERATIONS[name] ?? 20000, quickIterations: name === 'aspace' ? 50 : 500,
}));

/** tinyos's trap-and-emulate failure: its console driver's flags restore (docs/virtualization.md). */
const TINYOS_TRAP = 'tinyos does not run under trap-and-emulate: its boot-time timer check fails (docs/virtualization.md)';

/**
 * Instructions between timer interrupts in the macro suite: a 1 kHz tick on a
 * core retiring 1,000 MIPS (the jit runs the compute loop at about 4,000, so
 * this is still more ticks per host second than a real 1 kHz kernel takes).
 * tinyos's default (1,500, chosen so that its demonstration preempts often)
 * would make the compute workload interrupt-bound: one tick per loop pass.
 * docs/benchmarks.md has what the earlier 100,000 measured.
 */
export const MACRO_TICK_PERIOD = 1_000_000;

const tinyos = (name: string, workload: number, what: string, iterations: number, quickIterations: number): GuestWorkload => ({
  name, what, source: ['tinyos', 'tinyos.s'], defines: { WORKLOAD: workload, TICK_PERIOD: MACRO_TICK_PERIOD }, iterations, quickIterations,
  skip: { trap: TINYOS_TRAP },
});

export const MACRO: readonly GuestWorkload[] = [
  tinyos('compute', 1, '3 processes, ALU loops, timer preemption', 300000, 500),
  // N large enough that the loop, not the boot subtracted from it, is most of a run: with 1,000 native's loop was
  // 2.5 of 3.5 ms and bt's 13 of 20 (the boot's own noise then moved a round's figure by a tenth).
  tinyos('syscall', 2, '3 processes, getpid in a loop', 4000, 50),
  tinyos('switch', 3, '3 processes, yield in a loop', 4000, 50),
  tinyos('aspace', 4, '3 processes, fork-like newspace in a loop', 400, 10),
];

export const GUEST_SUITE_NAMES = ['nano', 'macro'] as const;
export type GuestSuiteName = (typeof GUEST_SUITE_NAMES)[number];

export const GUEST_SUITES: Readonly<Record<GuestSuiteName, readonly GuestWorkload[]>> = { nano: NANO, macro: MACRO };
