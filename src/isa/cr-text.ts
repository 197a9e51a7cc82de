// STATUS and CAUSE in words, for the debugger's `regs` and the playground's
// registers panel (one reading of the bits for both).

import { CAUSE, EXC_NAMES, STATUS } from './arch.js';

/** `ring 0 IE PG PPL 0 PIE flags 0x3`. */
export function statusText(st: number): string {
  const parts = [`ring ${st & STATUS.CPL_MASK}`];
  if (st & STATUS.IE) parts.push('IE');
  if (st & STATUS.PG) parts.push('PG');
  parts.push(`PPL ${(st & STATUS.PPL_MASK) >>> STATUS.PPL_SHIFT}`);
  if (st & STATUS.PIE) parts.push('PIE');
  const user = (st & STATUS.USER_MASK) >>> 8;
  if (user) parts.push(`flags 0x${user.toString(16)}`);
  return parts.join(' ');
}

/** `page fault`, `interrupt line 0`; with `detail`, a fault's access bits too: `page fault (write, user)`. */
export function causeText(cause: number, detail = false): string {
  if (cause === 0) return 'none';
  if (cause & CAUSE.INTERRUPT) return `interrupt line ${cause & CAUSE.CODE_MASK}`;
  const name = EXC_NAMES[cause & CAUSE.CODE_MASK] ?? `exception ${cause & CAUSE.CODE_MASK}`;
  if (!detail) return name;
  const bits = ([[CAUSE.WRITE, 'write'], [CAUSE.FETCH, 'fetch'], [CAUSE.USER, 'user'], [CAUSE.PRESENT, 'present']] as const)
    .filter(([bit]) => cause & bit).map(([, w]) => w);
  return bits.length ? `${name} (${bits.join(', ')})` : name;
}
