// The one path every trap takes. The engine reports exceptions and the
// machine takes interrupts through Machine.raise(); a monitor installs a
// TrapHook there to intercept hcall, privileged instructions, page faults or
// interrupts without the engine knowing that any monitor exists.

import { CAUSE, EXC_NAMES } from '../isa/index.js';
import type { Machine } from './machine.js';

export interface TrapInfo {
  /** CAUSE value: exception code | detail bits, or INTERRUPT | line. */
  cause: number;
  /** pc of the instruction that trapped; for an interrupt, the pc about to run. */
  pc: number;
  /** What EPC receives if the trap is delivered (pc + 4 for syscall). */
  epc: number;
  /** Address for page faults and misaligned accesses. */
  faultaddr?: number;
  /** The instruction word, when the instruction was fetched (undefined for fetch faults and interrupts). */
  word?: number;
}

/**
 * 'deliver': take the trap architecturally (guest TVEC).
 * 'handled': the hook dealt with it and has set the CPU state (typically pc) itself.
 */
export type TrapDecision = 'deliver' | 'handled';
export type TrapHook = (machine: Machine, trap: TrapInfo) => TrapDecision;

export function isInterrupt(cause: number): boolean {
  return (cause & CAUSE.INTERRUPT) !== 0;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** One line naming a trap, e.g. "page fault (cause 0x00000b03) at pc 0x00001000, faultaddr 0x00300000". */
export function describeTrap(t: TrapInfo): string {
  const what = isInterrupt(t.cause)
    ? `interrupt line ${t.cause & CAUSE.CODE_MASK}`
    : EXC_NAMES[t.cause & CAUSE.CODE_MASK] ?? `exception ${t.cause & CAUSE.CODE_MASK}`;
  const addr = t.faultaddr === undefined ? '' : `, faultaddr ${hex(t.faultaddr)}`;
  return `${what} (cause ${hex(t.cause)}) at pc ${hex(t.pc)}${addr}`;
}
