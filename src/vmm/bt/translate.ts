// The translator: one unit of guest code, from a start pc up to and including
// the first control-flow instruction (or a size limit), into guest-ISA words
// for the translation cache. VMware style (Adams & Agesen, ASPLOS 2006):
// innocuous instructions are copied (IDENT); everything else is rewritten
// (non-IDENT) into constant loads or `hcall N` callouts the monitor handles.
//
// Pure: it reads guest words through `fetch` and returns data. It runs nothing.

import {
  CAUSE, decode, disassembleWord, EXC, PAGE_SIZE, WORD_BYTES,
  type Decoded,
} from '../../isa/index.js';
import { classify } from './classify.js';
import { hcallWord, loadConstWords, retargetBranch } from './emit.js';
import type { Callout, TranslatedInsn, TranslationUnit, UnitEnd } from './unit.js';

export const DEFAULT_MAX_INSNS = 12;
const MAX_HCALL_ID = 0xffff;

export interface TranslateOptions {
  /** Most guest instructions in one unit (default 12). */
  maxInsns?: number;
  /**
   * Stop at the end of the guest page (default true), so a unit's guest code
   * lies in one page and a write to that page invalidates exactly its units.
   */
  stopAtPageEnd?: boolean;
  /**
   * Chooses each callout's hcall immediate (0..0xffff). Default: the callout's
   * index in the unit, so the monitor finds the record from the unit that owns
   * the trapping translation-cache address. A monitor that prefers one global
   * table passes an allocator here and keeps the records it is given.
   */
  allocId?: (callout: Omit<Callout, 'id'>) => number;
  /**
   * Guest pcs whose load or store is emitted as an emulate callout instead of
   * IDENT: adaptive translation of an access that keeps faulting (a store into
   * a traced page table), so the monitor performs it without a hardware fault.
   */
  calloutPcs?: ReadonlySet<number>;
}

/** Guest word at a guest pc; undefined if the pc is not mapped (or not executable). */
export type FetchWord = (guestPc: number) => number | undefined;

class UnitBuilder {
  readonly insns: TranslatedInsn[] = [];
  readonly words: number[] = [];
  readonly callouts: Callout[] = [];
  constructor(private readonly allocId: TranslateOptions['allocId']) {}

  begin(entry: Omit<TranslatedInsn, 'offset' | 'words' | 'callouts'>): TranslatedInsn {
    const insn: TranslatedInsn = { ...entry, offset: this.words.length, words: [], callouts: [] };
    this.insns.push(insn);
    return insn;
  }

  emit(insn: TranslatedInsn, words: number[]): void {
    this.words.push(...words);
    insn.words.push(...words);
  }

  callout(insn: TranslatedInsn, record: Omit<Callout, 'id' | 'index' | 'site' | 'guestPc'>): void {
    const base = { ...record, index: this.callouts.length, site: this.words.length, guestPc: insn.guestPc };
    const id = this.allocId ? this.allocId(base) : base.index;
    if (!Number.isInteger(id) || id < 0 || id > MAX_HCALL_ID) {
      throw new RangeError(`bt: callout id ${id} does not fit an hcall immediate (0..${MAX_HCALL_ID})`);
    }
    this.callouts.push({ ...base, id });
    insn.callouts.push(base.index);
    this.emit(insn, [hcallWord(id)]);
  }
}

/** A conditional branch becomes: bcc a, b, +8; exit not-taken; exit taken. */
function translateBranch(b: UnitBuilder, insn: TranslatedInsn, d: Decoded): void {
  const pc = insn.guestPc;
  // The local branch skips the not-taken exit; both exits stay single words (patchable).
  b.emit(insn, [retargetBranch(d.word, 2 * WORD_BYTES)!]);
  b.callout(insn, { kind: 'exit', exit: 'not-taken', target: (pc + WORD_BYTES) >>> 0 });
  b.callout(insn, { kind: 'exit', exit: 'taken', target: (pc + d.imm) >>> 0 });
}

function translateControl(b: UnitBuilder, insn: TranslatedInsn, d: Decoded): void {
  const pc = insn.guestPc;
  const returnAddress = (pc + WORD_BYTES) >>> 0;
  switch (d.def.sem.kind) {
    case 'branch':
      return translateBranch(b, insn, d);
    case 'jal':
      // The guest sees its own return address, not the translation's.
      b.emit(insn, loadConstWords(d.a, returnAddress));
      b.callout(insn, { kind: 'exit', exit: 'jump', target: (pc + d.imm) >>> 0 });
      return;
    case 'jalr':
      // No code: rd may be rs1, so the monitor reads rs1 before it writes rd.
      b.callout(insn, { kind: 'exit', exit: 'indirect', indirect: { rd: d.a, rs1: d.b, imm: d.imm, returnAddress } });
      return;
    default:
      b.callout(insn, { kind: 'emulate', def: d.def, word: d.word, endsUnit: true });
  }
}

/**
 * Translate the unit starting at guest pc `startPc` (4-aligned). Throws
 * RangeError on a bad argument; never on guest content (undefined or unmapped
 * words become fault callouts).
 */
export function translateUnit(fetch: FetchWord, startPc: number, opts: TranslateOptions = {}): TranslationUnit {
  const maxInsns = opts.maxInsns ?? DEFAULT_MAX_INSNS;
  if (!Number.isInteger(maxInsns) || maxInsns < 1) throw new RangeError(`bt: maxInsns must be a positive integer, got ${maxInsns}`);
  if (!Number.isInteger(startPc) || startPc % WORD_BYTES !== 0) {
    throw new RangeError(`bt: start pc ${startPc} is not a ${WORD_BYTES}-aligned address`);
  }
  const stopAtPageEnd = opts.stopAtPageEnd ?? true;
  const b = new UnitBuilder(opts.allocId);
  let pc = startPc >>> 0;
  let end: UnitEnd | undefined;

  while (end === undefined) {
    const word = fetch(pc);
    if (word === undefined) {
      const insn = b.begin({ guestPc: pc, text: '<unmapped>', ident: false });
      b.callout(insn, { kind: 'fault', fault: { exc: EXC.PAGE_FAULT, cause: EXC.PAGE_FAULT | CAUSE.FETCH, faultaddr: pc, reason: 'unmapped' } });
      end = 'unmapped';
      break;
    }
    const w = word >>> 0;
    const d = decode(w);
    const text = disassembleWord(w, pc);
    if (!d) {
      const insn = b.begin({ guestPc: pc, word: w, text, ident: false });
      b.callout(insn, { kind: 'fault', word: w, fault: { exc: EXC.UNDEFINED, cause: EXC.UNDEFINED, reason: 'undefined' } });
      end = 'undefined';
      break;
    }
    const kind = d.def.sem.kind;
    const adaptive = opts.calloutPcs?.has(pc) === true && (kind === 'load' || kind === 'store');
    const treatment = adaptive ? 'emulate' : classify(d.def);
    const insn = b.begin({ guestPc: pc, word: w, text, def: d.def, ident: treatment === 'ident', treatment });
    switch (treatment) {
      case 'ident': b.emit(insn, [w]); break;
      // auipc: the constant the guest would see at its own pc, wherever the translation runs.
      case 'pc-relative': b.emit(insn, loadConstWords(d.a, pc + (d.imm << 16))); break;
      case 'emulate': b.callout(insn, { kind: 'emulate', def: d.def, word: w, endsUnit: false }); break;
      case 'control': translateControl(b, insn, d); end = 'control'; break;
    }
    pc = (pc + WORD_BYTES) >>> 0;
    if (end !== undefined) break;
    if (b.insns.length >= maxInsns) end = 'max-insns';
    else if (stopAtPageEnd && pc % PAGE_SIZE === 0) end = 'page-end';
    if (end !== undefined) {
      b.callout(b.insns[b.insns.length - 1]!, { kind: 'exit', exit: 'fallthrough', target: pc });
    }
  }
  const last = b.insns[b.insns.length - 1]!;
  return { startPc: startPc >>> 0, endPc: (last.guestPc + WORD_BYTES) >>> 0, insns: b.insns, words: b.words, callouts: b.callouts, end };
}
