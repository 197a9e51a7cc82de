// Builders for the few instruction words the translator emits. The rows are
// found by their semantics in the table, so no opcode number appears here.

import { decode, encode, INSTRUCTIONS, lookupMnemonic, operandRange, operandValues, type InsnDef } from '../../isa/index.js';

function row(what: string, pred: (d: InsnDef) => boolean): InsnDef {
  const def = INSTRUCTIONS.find(pred);
  if (!def) throw new Error(`bt: the ISA table has no ${what} instruction`);
  return def;
}

const LUI = row('lui', (d) => d.sem.kind === 'lui');
const HCALL = row('hcall', (d) => d.sem.kind === 'system' && d.sem.op === 'hcall');
const JAL = row('jal', (d) => d.sem.kind === 'jal');
// ori and beq are ordinary rows; their names are the only stable handles on them.
const ORI = lookupMnemonic('ori') ?? row('ori', () => false);
const BEQ = lookupMnemonic('beq') ?? row('beq', () => false);

/** `hcall id`: traps to the monitor with the word (hcall is undefined on the machine). */
export function hcallWord(id: number): number {
  return encode(HCALL, [id]);
}

/**
 * Words setting register `rd` to the 32-bit constant `value`: lui/ori, or one
 * of them when the other half is zero; nothing for the zero register.
 */
export function loadConstWords(rd: number, value: number): number[] {
  if (rd === 0) return [];
  const v = value >>> 0;
  const hi = v >>> 16;
  const lo = v & 0xffff;
  if (hi === 0) return [encode(ORI, [rd, 0, lo])];
  const words = [encode(LUI, [rd, hi])];
  if (lo !== 0) words.push(encode(ORI, [rd, rd, lo]));
  return words;
}

/**
 * `jal zero, byteOffset`: what a chaining pass writes over the exit of a guest
 * jal to jump straight to another unit's translation (the offset is relative
 * to the exit word's own address, within +-2 MiB). It is the one jump the
 * translation cache holds, so the machine's `jumps` counts the guest's jal.
 */
export function chainJumpWord(byteOffset: number): number {
  return encode(JAL, [0, byteOffset]);
}

/**
 * `beq zero, zero, byteOffset`: what a chaining pass writes over any other
 * exit (a branch's, a fall-through): a branch, so that the machine does not
 * count a jump the guest did not make; undefined when out of a branch's reach
 * (+-128 KiB), where the exit stays a callout.
 */
export function chainBranchWord(byteOffset: number): number | undefined {
  return retargetBranch(encode(BEQ, [0, 0, 0]), byteOffset);
}

/**
 * The conditional branch `word` with its target moved to `byteOffset` from
 * itself (a chained taken exit: the branch jumps straight to the target's
 * translation), or undefined when the offset is out of the branch's reach.
 */
export function retargetBranch(word: number, byteOffset: number): number | undefined {
  const d = decode(word >>> 0);
  if (d?.def.sem.kind !== 'branch') return undefined;
  const i = d.def.operands.findIndex((o) => o.kind === 'branch');
  const r = operandRange(d.def.operands[i]!);
  if (!r) return undefined;
  if (byteOffset < r.min || byteOffset > r.max || byteOffset % r.step !== 0) return undefined;
  const values = operandValues(d);
  values[i] = byteOffset;
  return encode(d.def, values);
}
