// The data a translation unit is made of. Pure data: no execution, no monitor
// state. A unit is position-independent (its only pc-relative word is the local
// branch of a conditional branch, whose target lies inside the unit), so the
// translation cache may place `words` at any word-aligned address.

import type { InsnDef } from '../../isa/index.js';

/**
 * What the translator does with a guest instruction, derived from its table row
 * (see classify.ts):
 *   ident        copied unchanged (innocuous, not control flow, not pc-relative)
 *   pc-relative  rewritten into code computing the same constant (auipc)
 *   emulate      a callout that emulates it on the virtual CPU; the unit goes on
 *   control      ends the unit: branches/jumps become exits, traps/halts callouts
 */
export type Treatment = 'ident' | 'pc-relative' | 'emulate' | 'control';

export type CalloutKind = 'emulate' | 'exit' | 'fault';

/** Why an exit leaves the unit. */
export type ExitKind =
  | 'taken' // conditional branch, condition true: target is the branch target
  | 'not-taken' // conditional branch, condition false: target is guestPc + 4
  | 'jump' // jal: target is the jal's target (rd already written by the translation)
  | 'indirect' // jalr: target computed at run time, see Callout.indirect
  | 'fallthrough'; // the unit hit maxInsns or a page end: target is the next guest pc

export interface Callout {
  /** Position in `unit.callouts`. */
  index: number;
  /** The hcall immediate in the translated word (per-unit index unless opts.allocId said otherwise). */
  id: number;
  kind: CalloutKind;
  /** Guest pc of the instruction this callout stands for. */
  guestPc: number;
  /** Word offset of the callout's hcall inside `unit.words`: the patch site for chaining. */
  site: number;
  /** emulate: the guest instruction (row and word) to emulate. */
  def?: InsnDef;
  word?: number;
  /**
   * emulate: true when the instruction may leave the unit (rett, syscall, brk,
   * hcall, halt, wfi): the monitor picks the next guest pc itself. False: after
   * emulating, continue at word `site + 1` of the translation.
   */
  endsUnit?: boolean;
  /** exit (not indirect): the guest pc to continue at. */
  target?: number;
  exit?: ExitKind;
  /**
   * exit 'indirect' (jalr): at run time, target = (reg[rs1] + imm) >>> 0, read
   * BEFORE writing rd (rd may equal rs1); then, unless rd is 0, reg[rd] =
   * returnAddress (the guest pc + 4, never a translation-cache address). A
   * target that is not 4-aligned raises the guest's misaligned fault at guestPc.
   */
  indirect?: { rd: number; rs1: number; imm: number; returnAddress: number };
  /** fault: the guest exception to raise at guestPc (EXC code, CAUSE bits, faultaddr). */
  fault?: { exc: number; cause: number; faultaddr?: number; reason: 'undefined' | 'unmapped' };
}

/** One guest instruction (or the undefined/unmapped word that ended the unit) and its translation. */
export interface TranslatedInsn {
  guestPc: number;
  /** The guest word; undefined when the fetch found no mapping. */
  word?: number;
  /** Disassembly of the guest word (`.word 0x...` when undefined, `<unmapped>` when not fetched). */
  text: string;
  /** Decoded row; undefined for an undefined or unmapped word. */
  def?: InsnDef;
  ident: boolean;
  /** undefined for undefined/unmapped words (their treatment is a fault callout). */
  treatment?: Treatment;
  /** Index of the first translated word in `unit.words`. */
  offset: number;
  /** The translated words (a slice of `unit.words`); may be empty (auipc into the zero register). */
  words: number[];
  /** Indices into `unit.callouts`. */
  callouts: number[];
}

/** Why translation stopped. */
export type UnitEnd = 'control' | 'max-insns' | 'page-end' | 'undefined' | 'unmapped';

export interface TranslationUnit {
  startPc: number;
  /** Guest pc just after the last entry (exclusive end of the guest range covered). */
  endPc: number;
  insns: TranslatedInsn[];
  /** The whole translation, in order; `insns[i].words` are slices of it. */
  words: number[];
  callouts: Callout[];
  end: UnitEnd;
}
