// Counting helpers for a unit: what the cost model and virtual time need.

import type { CalloutKind, TranslationUnit } from './unit.js';

export interface UnitCounts {
  /** Guest instructions the unit covers (decoded ones; an undefined or unmapped word that ends it is not one). */
  guestInsns: number;
  /** Words of translation. */
  translatedWords: number;
  ident: number;
  /** Decoded guest instructions that were rewritten. */
  nonIdent: number;
  callouts: Record<CalloutKind, number>;
}

export function unitCounts(unit: TranslationUnit): UnitCounts {
  const callouts: Record<CalloutKind, number> = { emulate: 0, exit: 0, fault: 0 };
  for (const c of unit.callouts) callouts[c.kind]++;
  const decoded = unit.insns.filter((i) => i.def !== undefined);
  const ident = decoded.filter((i) => i.ident).length;
  return { guestInsns: decoded.length, translatedWords: unit.words.length, ident, nonIdent: decoded.length - ident, callouts };
}

/**
 * The guest instruction a translated word belongs to (by word index in
 * `unit.words`): for delivering a fault inside translated code at the precise
 * guest pc. Undefined if the index is outside the translation.
 */
export function guestPcAtWord(unit: TranslationUnit, wordIndex: number): number | undefined {
  if (!Number.isInteger(wordIndex) || wordIndex < 0 || wordIndex >= unit.words.length) return undefined;
  for (let i = unit.insns.length - 1; i >= 0; i--) {
    const insn = unit.insns[i]!;
    if (insn.words.length > 0 && insn.offset <= wordIndex) return insn.guestPc;
  }
  return undefined;
}
