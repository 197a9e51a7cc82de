// Region formation: from a hot entry, the blocks of one physical page that
// control can reach without leaving it (branch targets, fall-throughs, jal
// targets, and the return point after each call, where a `ret` lands). The
// page bound is what makes a region safe to key by physical address: every pc
// in the entry's virtual page maps to the entry's frame, so jumps inside the
// page, indirect ones included, stay in code the region has compiled (QEMU
// chains translation blocks directly only within a page for the same reason).

import { CR, INSTRUCTIONS, OPCODES, type InsnDef, type OperandSpec } from '../../isa/index.js';
import { undefinedCondition, undefinedMask } from '../interp/gen.js';

/** Words in a page. */
export const PAGE_WORDS = 1024;
/** Largest region, in instructions (compile.ts takes in fewer if the code would be too large to optimize). */
export const MAX_REGION_INSNS = 384;

/** System instructions a block may contain: pure reads of state that nothing in a block can change. */
export const PURE_SYSTEM: Record<string, number> = { rdflags: CR.status, rdtvec: CR.tvec, rdptbr: CR.ptbr };

/** Per opcode: reserved bits that make a word undefined; -1 for rows never compiled (a cr field needs a range check). */
const RESERVED: number[] = new Array<number>(256).fill(-1);
for (const def of INSTRUCTIONS) {
  RESERVED[def.opcode] = def.operands.some((o) => o.kind === 'cr') && undefinedCondition(def) !== 'false' ? -1 : undefinedMask(def);
}

const ENDS_BLOCK = new Set(['branch', 'jal', 'jalr']);

/** Whether word `w` can be part of a block (decoded, defined, on the fast path's instruction set). */
function compilable(w: number, ring: number): InsnDef | undefined {
  const def = OPCODES[w >>> 24];
  if (!def) return undefined;
  const mask = RESERVED[def.opcode]!;
  if (mask === -1 || (w & mask) !== 0) return undefined;
  if (def.sem.kind === 'system') return PURE_SYSTEM[def.sem.op] !== undefined ? def : undefined;
  if (def.klass === 'privileged' && ring !== 0) return undefined;
  return def;
}

export interface RegionBlock {
  /** Word offset of the first instruction in the page. */
  start: number;
  defs: InsnDef[];
  words: number[];
  /** Whether the last instruction is a branch, jal or jalr (otherwise the block is cut before an uncompilable word or at the page end). */
  endsInJump: boolean;
}

/** The register number a register operand names in word `w`. */
export function fieldOf(spec: OperandSpec | undefined, w: number): number {
  if (spec?.kind !== 'reg') throw new Error('jit: not a register operand');
  return spec.field === 'a' ? (w >>> 20) & 15 : spec.field === 'b' ? (w >>> 16) & 15 : (w >>> 12) & 15;
}

/** Word offset of a direct jump's target, or undefined outside the page. */
function targetOf(def: InsnDef, w: number, at: number): number | undefined {
  const words = def.sem.kind === 'branch' ? (w << 16) >> 16 : def.sem.kind === 'jal' ? (w << 12) >> 12 : undefined;
  if (words === undefined) return undefined;
  const t = at + words;
  return t >= 0 && t < PAGE_WORDS ? t : undefined;
}

/**
 * The blocks of the region entered at word `entry` of `page` (its 1024 words)
 * for code running at `ring`: the entry block first, then the others in
 * discovery order, at most `maxInsns` instructions. Empty if the entry word
 * cannot be compiled.
 */
export function formRegion(page: ArrayLike<number>, entry: number, ring: number, maxInsns = MAX_REGION_INSNS): RegionBlock[] {
  const blocks: RegionBlock[] = [];
  const seen = new Set<number>([entry]);
  const queue = [entry];
  let total = 0;
  while (queue.length > 0 && total < maxInsns) {
    const start = queue.shift()!;
    const defs: InsnDef[] = [];
    const words: number[] = [];
    let endsInJump = false;
    for (let o = start; o < PAGE_WORDS && total + defs.length < maxInsns; o++) {
      const w = page[o]! | 0;
      const def = compilable(w, ring);
      if (!def) break;
      defs.push(def);
      words.push(w);
      if (ENDS_BLOCK.has(def.sem.kind)) { endsInJump = true; break; }
    }
    if (defs.length === 0) continue;
    blocks.push({ start, defs, words, endsInJump });
    total += defs.length;
    const last = start + defs.length - 1;
    const lastDef = defs[defs.length - 1]!;
    const succ: (number | undefined)[] = [];
    if (!endsInJump) succ.push(undefined); // cut: the word after is not compilable (or the page ends)
    else if (lastDef.sem.kind === 'branch') succ.push(targetOf(lastDef, words[words.length - 1]!, last), last + 1);
    else if (lastDef.sem.kind === 'jal') {
      succ.push(targetOf(lastDef, words[words.length - 1]!, last));
      if (fieldOf(lastDef.operands[0], words[words.length - 1]!) !== 0) succ.push(last + 1); // a call: its return point
    }
    for (const s of succ) {
      if (s !== undefined && s < PAGE_WORDS && !seen.has(s)) {
        seen.add(s);
        queue.push(s);
      }
    }
  }
  return blocks;
}
