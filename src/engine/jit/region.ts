// Region formation: from a hot entry, the blocks of one physical page that
// control can reach without leaving it (branch targets, fall-throughs, jal
// targets, and the return point after each call, where a `ret` lands). The
// page bound is what makes a region safe to key by physical address: every pc
// in the entry's virtual page maps to the entry's frame, so jumps inside the
// page, indirect ones included, stay in code the region has compiled (QEMU
// chains translation blocks directly only within a page for the same reason).

import { CR, decode, type Decoded } from '../../isa/index.js';

/** Words in a page. */
export const PAGE_WORDS = 1024;
/** Largest region, in instructions (compile.ts takes in fewer if the code would be too large to optimize). */
export const MAX_REGION_INSNS = 384;

/** System instructions a block may contain: pure reads of state that nothing in a block can change. */
export const PURE_SYSTEM: Record<string, number> = { rdflags: CR.status, rdtvec: CR.tvec, rdptbr: CR.ptbr };

const ENDS_BLOCK = new Set(['branch', 'jal', 'jalr']);

/** Word `w` decoded, if it can be part of a block (defined, and on the fast path's instruction set at this ring). */
function compilable(w: number, ring: number): Decoded | undefined {
  const d = decode(w);
  if (!d) return undefined;
  if (d.def.sem.kind === 'system') return PURE_SYSTEM[d.def.sem.op] !== undefined ? d : undefined;
  if (d.def.klass === 'privileged' && ring !== 0) return undefined;
  return d;
}

export interface RegionBlock {
  /** Word offset of the first instruction in the page. */
  start: number;
  insns: Decoded[];
  /** Whether the last instruction is a branch, jal or jalr (otherwise the block is cut before an uncompilable word or at the page end). */
  endsInJump: boolean;
}

/** Word offset of a direct jump's target (the jump at word offset `at`), or undefined outside the page or for jalr. */
export function targetOf(d: Decoded, at: number): number | undefined {
  const kind = d.def.sem.kind;
  if (kind !== 'branch' && kind !== 'jal') return undefined;
  const t = at + (d.imm >> 2);
  return t >= 0 && t < PAGE_WORDS ? t : undefined;
}

/**
 * The blocks of the region entered at word `entry` of `page` (its 1024 words)
 * for code running at `ring`: the entry block first, then the others in
 * discovery order, at most `maxInsns` instructions. Empty if the entry word
 * cannot be compiled. With `ran`, only blocks whose first word has run before
 * are taken in (beyond the entry): a region is the code that is actually hot,
 * not every path of its page (a page of user text made one 49 KB function,
 * mostly never-run code, around a six-instruction loop). Control reaching a
 * left-out block returns to the dispatcher, which compiles it in its turn if
 * it becomes hot.
 */
export function formRegion(page: ArrayLike<number>, entry: number, ring: number, maxInsns = MAX_REGION_INSNS, ran?: (offset: number) => boolean): RegionBlock[] {
  const blocks: RegionBlock[] = [];
  const seen = new Set<number>([entry]);
  const queue = [entry];
  let total = 0;
  while (queue.length > 0 && total < maxInsns) {
    const start = queue.shift()!;
    const insns: Decoded[] = [];
    let endsInJump = false;
    for (let o = start; o < PAGE_WORDS && total + insns.length < maxInsns; o++) {
      const d = compilable(page[o]!, ring);
      if (!d) break;
      insns.push(d);
      if (ENDS_BLOCK.has(d.def.sem.kind)) { endsInJump = true; break; }
    }
    if (insns.length === 0) continue;
    blocks.push({ start, insns, endsInJump });
    total += insns.length;
    const at = start + insns.length - 1;
    const last = insns[insns.length - 1]!;
    // Successors: both sides of a branch; a jal's target and, for a call (a link register), its return point.
    // A block cut before an uncompilable word, or ending in jalr, has none the region can know.
    const succ: (number | undefined)[] = !endsInJump ? []
      : last.def.sem.kind === 'branch' ? [targetOf(last, at), at + 1]
        : last.def.sem.kind === 'jal' ? [targetOf(last, at), last.a !== 0 ? at + 1 : undefined] : [];
    for (const s of succ) {
      if (s !== undefined && s < PAGE_WORDS && !seen.has(s) && (ran === undefined || ran(s))) {
        seen.add(s);
        queue.push(s);
      }
    }
  }
  return blocks;
}

/** Page word offsets of a block's instructions. */
export function blockWords(b: RegionBlock): number[] {
  return b.insns.map((_, i) => b.start + i);
}

/** The page word offsets a region covers, ascending, each once (blocks may overlap). */
export function regionWords(blocks: readonly RegionBlock[]): number[] {
  return [...new Set(blocks.flatMap(blockWords))].sort((a, b) => a - b);
}
