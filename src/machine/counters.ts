// Event counters: one flat object of named numbers, incremented where the event
// happens. They feed `--stats` and the cost model, so every name is part of the
// public interface (docs/machine.md lists them).

import { EXC, type ExcName } from '../isa/index.js';

export interface Counters {
  /** Steps taken: instructions attempted (retired or faulted) plus interrupts taken. */
  steps: number;
  /** Instructions retired (a faulting instruction does not retire). */
  instructions: number;
  /** Jumps retired (jal and jalr, call and ret included: the rows the ISA table marks `jump`); a faulting jalr does not retire. */
  jumps: number;
  /** Clock ticks skipped by `wfi` waiting for the next timer deadline. The clock is instructions + idle. */
  idle: number;
  /** Exceptions raised (all kinds), then one counter per kind. */
  exceptions: number;
  excUndefined: number;
  excProtection: number;
  excPageFault: number;
  excMisaligned: number;
  excDivideByZero: number;
  excBreakpoint: number;
  excSyscall: number;
  /** Interrupts taken. */
  interrupts: number;
  /** Traps (exceptions or interrupts) a trap hook handled instead of the guest's vector. */
  trapsIntercepted: number;
  /** Translations with paging on (fetch and data) found in the TLB / not found. */
  tlbHits: number;
  tlbMisses: number;
  /** Page-table walks: one per miss, plus one per store through an entry whose D bit is clear. */
  tlbWalks: number;
  /** Whole-TLB flushes (tlbia, writing PTBR, toggling STATUS.PG) and single-page invalidations (tlbi). */
  tlbFlushes: number;
  tlbInvalidations: number;
  /** Port I/O (`in`/`out`) and MMIO accesses; the unmapped ones are counted again separately. */
  ioReads: number;
  ioWrites: number;
  ioUnmapped: number;
  mmioReads: number;
  mmioWrites: number;
  mmioUnmapped: number;
}

export type CounterName = keyof Counters;

export function createCounters(): Counters {
  return {
    steps: 0, instructions: 0, jumps: 0, idle: 0,
    exceptions: 0, excUndefined: 0, excProtection: 0, excPageFault: 0, excMisaligned: 0,
    excDivideByZero: 0, excBreakpoint: 0, excSyscall: 0,
    interrupts: 0, trapsIntercepted: 0,
    tlbHits: 0, tlbMisses: 0, tlbWalks: 0, tlbFlushes: 0, tlbInvalidations: 0,
    ioReads: 0, ioWrites: 0, ioUnmapped: 0, mmioReads: 0, mmioWrites: 0, mmioUnmapped: 0,
  };
}

/** `PAGE_FAULT` -> `excPageFault`: the counter of each exception kind. */
export function exceptionCounterName(name: ExcName): CounterName {
  const camel = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return ('exc' + camel[0]!.toUpperCase() + camel.slice(1)) as CounterName;
}

/** Counter name indexed by exception code (undefined for codes without one). */
export const EXC_COUNTER: readonly (CounterName | undefined)[] = (() => {
  const table: (CounterName | undefined)[] = new Array(256).fill(undefined);
  for (const [name, code] of Object.entries(EXC)) table[code] = exceptionCounterName(name as ExcName);
  return table;
})();

/** Adds 1 to the counter a table names for index `i` (nothing where it names none). */
export type CounterBump = (counters: Record<string, number>, i: number) => void;

/**
 * A function that increments `names[key]` of a counters object (`names`: a
 * table by index, or a record by string key), written as a switch with one
 * constant property name per case. `counters[names[key]]++` takes V8's
 * generic keyed path (a lookup by string at every increment); this keeps
 * each increment a plain field access. Names come from tables (exception
 * codes, opcodes, exit reasons), never from input.
 */
export function counterBump(names: readonly (string | undefined)[]): CounterBump;
export function counterBump<K extends string>(names: Readonly<Record<K, string>>): (counters: Record<string, number>, key: K) => void;
export function counterBump(names: readonly (string | undefined)[] | Readonly<Record<string, string>>): (counters: Record<string, number>, key: never) => void {
  const byIndex = Array.isArray(names);
  const cases = Object.entries(names).flatMap(([k, n]: [string, string | undefined]) =>
    n === undefined ? [] : [`case ${byIndex ? k : JSON.stringify(k)}: c[${JSON.stringify(n)}]++; break;`]);
  return new Function('c', 'k', `switch (k) {\n${cases.join('\n')}\n}`) as (counters: Record<string, number>, key: never) => void;
}

/** EXC_COUNTER[i]++ on the machine's counters. */
export const bumpExcCounter: CounterBump = counterBump(EXC_COUNTER);
