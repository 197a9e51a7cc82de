// Lookup tables over one translation unit for the monitor's callout path (and
// the tools that map a translated word back to the guest: trace, bt-dump):
// what the trap handler otherwise finds by searching the unit's instruction
// list on every callout (the guest instruction and pc of a translated word, where to resume
// after an emulated instruction, which instruction owns a callout). Derived
// from the unit alone and built on first use; a unit never changes once
// translated.

import type { CachedUnit } from './cache.js';
import type { TranslatedInsn, TranslationUnit } from './unit.js';

export interface UnitIndex {
  /** Per word of the translation: the guest instruction whose translation holds it (its guestPc: guestPcAtWord). */
  readonly insnAt: readonly TranslatedInsn[];
  /**
   * By guest word from the unit's start ((pc - startPc) / 4): the word offset of the first instruction
   * there with translated words and a decoded row, -1 where there is none.
   */
  readonly resume: Int32Array;
  /** Per callout: the instruction whose translation holds it. */
  readonly owner: readonly (TranslatedInsn | undefined)[];
}

/** The index of a cached unit, built on first use and kept on it. */
export function unitIndex(cu: CachedUnit): UnitIndex {
  return cu.index ?? (cu.index = buildIndex(cu.unit));
}

export function buildIndex(unit: TranslationUnit): UnitIndex {
  // Each instruction's words are a slice of unit.words, the slices in order and without gaps.
  const insnAt: TranslatedInsn[] = [];
  for (const insn of unit.insns) for (let k = 0; k < insn.words.length; k++) insnAt[insn.offset + k] = insn;
  const resume = new Int32Array(((unit.endPc - unit.startPc) >>> 0) >>> 2).fill(-1);
  for (const insn of unit.insns) {
    const i = ((insn.guestPc - unit.startPc) >>> 0) >>> 2;
    if (insn.words.length > 0 && insn.def !== undefined && i < resume.length && resume[i] === -1) resume[i] = insn.offset;
  }
  const owner = unit.callouts.map((c) => insnAt[c.site]);
  return { insnAt, resume, owner };
}
