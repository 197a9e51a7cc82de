// The region compiler: the blocks of a region (region.ts) become one
// JavaScript function with the guest registers in locals, a `switch` on the
// page offset of the pc that chains its blocks (direct and indirect jumps
// inside the page never leave the function), and every block that branches
// back to itself a real JavaScript loop. Semantics come from the instruction
// table (ALU expressions and branch conditions are the rows' own text, as in
// the interpreter's generator).
//
// A region never does anything the interpreter would do differently: wherever
// an instruction leaves the fast path (misaligned address, data TLB fast miss,
// MMIO, a store to a page holding compiled code, divide by zero, misaligned
// jalr target, budget too small for the next block) the region stops *before*
// it, side-effect free, and the interpreter's switch executes it. Every system
// instruction but the three pure reads ends a block, so traps, control-register
// writes, I/O, wfi, halt and rett are interpreted.
//
// Nothing else runs while a region runs (devices tick and interrupts arrive
// between slices), so the TLB and the set of code pages are constant for one
// call: each memory instruction keeps the translation of the last page it
// touched in two locals and looks at the TLB only when its page changes.

import { USER_RING, type Decoded, type OperandSpec } from '../../isa/index.js';
import { TLB_SETS } from '../../machine/tlb.js';
import { RAM_VIEW, RAM_SHIFT } from '../interp/gen.js';
import { blockWords, formRegion, MAX_REGION_INSNS, PURE_SYSTEM, regionWords, targetOf, type RegionBlock } from './region.js';

export interface RegionSource {
  /** Instructions in the region (0: nothing compilable at the entry). */
  len: number;
  blocks: number;
  /** The body of `function (H) { return function rgn(E, pc, left) {...} }`, or '' when len is 0. */
  source: string;
}

interface Gen {
  pg: boolean;
  uoff: number;
  ram: number;
  used: Set<number>;
  written: Set<number>;
  /** Memory instructions so far: each has its own translation cache (p<n>, d<n>). */
  sites: number;
  /** How deep jumps copy their target block in place. */
  inlineDepth: number;
  /** Data accesses (fast TLB hits, with paging) the current block has made before the instruction being compiled. */
  hits: number;
}

/** The register a register operand of `d` names. */
function regOf(spec: OperandSpec | undefined, d: Decoded): number {
  if (spec?.kind !== 'reg') throw new Error(`jit: ${d.def.mnemonic}: not a register operand`);
  return d[spec.field];
}

function reg(g: Gen, spec: OperandSpec | undefined, d: Decoded): string {
  const f = regOf(spec, d);
  if (f === 0) return '0';
  g.used.add(f);
  return `r${f}`;
}

function setReg(g: Gen, spec: OperandSpec | undefined, d: Decoded, val: string): string {
  const f = regOf(spec, d);
  if (f === 0) return '';
  g.used.add(f);
  g.written.add(f);
  return `r${f} = (${val}) | 0;`;
}

const pcAt = (i: number) => (i === 0 ? 'pc' : `((pc + ${4 * i}) | 0)`);
/**
 * Leave before instruction i of the current block (nothing of it done): the
 * interpreter runs it. TLB hits are counted per block, not per access.
 */
const exitAt = (g: Gen, i: number) => `{ ${i ? `left -= ${i}; ` : ''}${g.hits ? `dh += ${g.hits}; ` : ''}npc = ${pcAt(i)}; break X; }`;
/**
 * Leave the current block having run all `len` of its instructions, `jumps`
 * of them jumps (the table's mark: a block's only jump is its last instruction).
 */
const done = (g: Gen, len: number, jumps = 0) => `left -= ${len};${g.hits ? ` dh += ${g.hits};` : ''}${jumps ? ` nj += ${jumps};` : ''}`;

/**
 * `pa` for a data access of `width` bytes at `va` by instruction i, through the
 * site's cached page: one compare of the page and the alignment bits (as the
 * interpreter's fetch does); when it fails, the alignment, a TLB fast hit
 * (the interpreter's own test), RAM, and for stores not a page with compiled
 * code are checked and the page is cached.
 */
function access(g: Gen, i: number, width: number, store: boolean): string {
  const n = g.sites++;
  const p = `p${n}`;
  const d = `d${n}`;
  const aligned = width > 1 ? `if ((va & ${width - 1}) !== 0) ${exitAt(g, i)}` : '';
  const test = `if ((va & ${~4095 | (width - 1)}) !== ${p}) {
        ${aligned}`;
  if (!g.pg) {
    return `${test}
        if ((va >>> 0) >= ${g.ram}${store ? ' || CODE[va >>> 12] !== 0' : ''}) ${exitAt(g, i)}
        ${p} = va & -4096;
      }
      const pa = va;`;
  }
  return `${test}
        const vpn = va >>> 12, s = vpn & ${TLB_SETS - 1};
        if (${store ? 'TW' : 'TR'}[${g.uoff ? `${g.uoff} + ` : ''}s] !== vpn) ${exitAt(g, i)}
        const f = TF[s];
        if ((f >>> 0) >= ${g.ram}${store ? ' || CODE[f >>> 12] !== 0' : ''}) ${exitAt(g, i)}
        ${p} = va & -4096; ${d} = (f - ${p}) | 0;
      }
      const pa = (va + ${d}) | 0;`;
}

/** The code of instruction i of a block (not its last, if that is a jump: see blockCode). */
function insnCode(g: Gen, d: Decoded, i: number): string {
  const def = d.def;
  const ops = def.operands;
  const sem = def.sem;
  const src = (spec: OperandSpec): string => {
    switch (spec.kind) {
      case 'reg': return reg(g, spec, d);
      case 'simm16': case 'uimm16': case 'shamt': return String(d.imm);
      default: throw new Error(`jit: ${def.mnemonic}: unexpected operand ${spec.kind}`);
    }
  };
  const va = () => `const va = (${d.b === 0 ? '0' : reg(g, { kind: 'reg', field: 'b' }, d)} + ${d.imm}) | 0;`;
  switch (sem.kind) {
    case 'alu': {
      const zero = sem.trapsOnZero ? `if (b === 0) ${exitAt(g, i)}` : '';
      return `const a = ${src(ops[1]!)}, b = ${src(ops[2]!)}; ${zero} ${setReg(g, ops[0], d, sem.expr)}`;
    }
    case 'lui': return setReg(g, ops[0], d, String(d.imm << 16));
    case 'auipc': return setReg(g, ops[0], d, `${pcAt(i)} + ${d.imm << 16}`);
    case 'load': return `${va()}
      ${access(g, i, sem.width, false)}
      ${setReg(g, ops[0], d, `${RAM_VIEW[`${sem.width}${sem.signed ? 's' : 'u'}`]}[pa >>> ${RAM_SHIFT[sem.width]}]`)}`;
    case 'store': return `${va()}
      ${access(g, i, sem.width, true)}
      ${RAM_VIEW[`${sem.width}u`]}[pa >>> ${RAM_SHIFT[sem.width]}] = ${src(ops[0]!)};`;
    case 'system': return setReg(g, ops[0], d, `CR[${PURE_SYSTEM[sem.op]}]`);
    default: throw new Error(`jit: ${def.mnemonic} cannot be inside a block`);
  }
}

/** Words of the code are compared with RAM at every call up to this many; larger regions check each block when a call first reaches it. */
const EAGER_VERIFY_WORDS = 64;

/** The test that some of `offsets` (words of the page) no longer hold what the region compiled. */
function changed(page: ArrayLike<number>, pageWord: number, offsets: Iterable<number>): string {
  return [...offsets].map((o) => `M32[${pageWord + o}] !== ${page[o]! | 0}`).join(' || ');
}

/** Blocks of the region by start, with their index (for their verification flag) and how they are checked. */
interface Layout {
  byStart: Map<number, { b: RegionBlock; index: number }>;
  /** Per block index: the lazy verification test, or undefined when the region verifies itself on entry. */
  checks: (string | undefined)[];
}

/**
 * A jump to a small block that does not loop copies it in place (tail
 * duplication) instead of going round the switch, whose one indirect jump is
 * what the host predicts worst. Copies are limited in depth (Gen.inlineDepth)
 * and to blocks this small.
 */
const INLINE_MAX_LEN = 16;

/**
 * Longest region source. V8 optimizes no function whose bytecode exceeds
 * 60 KiB (--max-optimized-bytecode-size) and runs it unoptimized, ten times
 * slower; our code makes about 0.6 bytes of bytecode per character.
 */
export const MAX_SOURCE = 50_000;

/** How much a region takes in, from the most generous to the leanest: the first whose source fits MAX_SOURCE is used. */
const SHAPES: readonly { inlineDepth: number; maxInsns: number }[] = [
  { inlineDepth: 2, maxInsns: MAX_REGION_INSNS }, { inlineDepth: 1, maxInsns: MAX_REGION_INSNS },
  { inlineDepth: 0, maxInsns: MAX_REGION_INSNS }, { inlineDepth: 0, maxInsns: 128 }, { inlineDepth: 0, maxInsns: 32 },
];

/** Whether a block ends in a branch or jal back to its own first instruction. */
function selfLoop(b: RegionBlock): boolean {
  const at = b.insns.length - 1;
  return b.endsInJump && targetOf(b.insns[at]!, b.start + at) === b.start;
}

/** Continue at block start `target` (a word offset; pc already set): in place if small enough, else through the switch. */
function goTo(g: Gen, lay: Layout, target: number | undefined, depth: number): string {
  const t = target === undefined ? undefined : lay.byStart.get(target);
  if (!t || depth >= g.inlineDepth || t.b.insns.length > INLINE_MAX_LEN || selfLoop(t.b)) return 'continue X;';
  return `{ // block ${t.index}, copied\n    ${blockCode(g, lay, t.b, t.index, depth + 1)}\n    }`;
}

/** A block's code, from its checks to the jump that leaves it; a block jumping to itself loops in place. */
function blockCode(g: Gen, lay: Layout, b: RegionBlock, index: number, depth: number): string {
  const len = b.insns.length;
  const last = b.insns[len - 1]!;
  const body: string[] = [];
  const straight = b.endsInJump ? len - 1 : len;
  g.hits = 0;
  for (let i = 0; i < straight; i++) {
    const d = b.insns[i]!;
    body.push(`{ // ${d.def.mnemonic}\n      ${insnCode(g, d, i)}\n    }`);
    if (g.pg && (d.def.sem.kind === 'load' || d.def.sem.kind === 'store')) g.hits++;
  }

  const at = len - 1;
  const ops = last.def.operands;
  const sem = last.def.sem;
  const loop = selfLoop(b);
  // A direct jump's target: its pc (from the block's) and, inside the page, its word offset.
  const jumpTo = () => `pc = (pc + ${4 * at + last.imm}) | 0; ${goTo(g, lay, targetOf(last, b.start + at), depth)}`;
  const jumps = last.def.jump ? 1 : 0;
  let end: string;
  if (!b.endsInJump) {
    end = `${done(g, len, jumps)} npc = ${pcAt(len)}; break X;`; // the next word is not compilable, or the page ends
  } else if (sem.kind === 'branch') {
    const cond = `const a = ${reg(g, ops[0], last)}, b = ${reg(g, ops[1], last)}; ${done(g, len, jumps)}`;
    end = loop
      ? `${cond} if (${sem.cond}) continue; pc = ${pcAt(len)}; ${goTo(g, lay, b.start + len, depth)}`
      : `${cond} if (${sem.cond}) { ${jumpTo()} }
    pc = ${pcAt(len)}; ${goTo(g, lay, b.start + len, depth)}`;
  } else if (sem.kind === 'jal') {
    end = `${setReg(g, ops[0], last, pcAt(len))} ${done(g, len, jumps)} ${loop ? 'continue;' : jumpTo()}`;
  } else {
    end = `const t = (${reg(g, ops[1], last)} + ${last.imm}) | 0;
      if ((t & 3) !== 0) ${exitAt(g, at)}
      ${setReg(g, ops[0], last, pcAt(len))} ${done(g, len, jumps)} pc = t; continue X;`;
  }
  const check = lay.checks[index];
  const run = `if (left < ${len}) { npc = pc; break X; }
    ${body.join('\n    ')}
    ${end}`;
  return `${check ? `if (v${index} === 0) { if (${check}) { stale = 1; npc = pc; break X; } v${index} = 1; }` : ''}
    ${loop ? `for (;;) {\n    ${run}\n    }` : run}`;
}

/**
 * Compile the region entered at word `entry` of the physical page whose words
 * are `page` and whose first word has index `pageWord` in RAM, for `mode` =
 * ring * 2 + paging; `ram` is the RAM size. The region checks that its words
 * are still in RAM (a small one at every call, a large one block by block when
 * a call first reaches the block): that is what makes stores by anyone (the
 * interpreter, a monitor, the loader, a page walk) invalidate it.
 */
export function compileRegion(page: ArrayLike<number>, pageWord: number, entry: number, mode: number, ram: number, ran?: (offset: number) => boolean): RegionSource {
  for (const shape of SHAPES) {
    const r = regionSource(page, pageWord, entry, mode, ram, shape.inlineDepth, shape.maxInsns, ran);
    if (r.source.length <= MAX_SOURCE) return r;
  }
  return { len: 0, blocks: 0, source: '' }; // not reached: 32 instructions make a few KiB
}

function regionSource(page: ArrayLike<number>, pageWord: number, entry: number, mode: number, ram: number, inlineDepth: number, maxInsns: number, ran?: (offset: number) => boolean): RegionSource {
  const ring = mode >> 1;
  const blocks = formRegion(page, entry, ring, maxInsns, ran);
  if (blocks.length === 0) return { len: 0, blocks: 0, source: '' };
  const g: Gen = { pg: (mode & 1) !== 0, uoff: ring === USER_RING ? TLB_SETS : 0, ram, used: new Set(), written: new Set(), sites: 0, inlineDepth, hits: 0 };
  const words = regionWords(blocks);
  const eager = words.length <= EAGER_VERIFY_WORDS;
  const lay: Layout = {
    byStart: new Map(blocks.map((b, index) => [b.start, { b, index }])),
    checks: blocks.map((b) => (eager ? undefined : changed(page, pageWord, blockWords(b)))),
  };
  const cases = blocks.map((b, i) => `case ${b.start}: { // block ${i}\n    ${blockCode(g, lay, b, i, 0)}\n  }`).join('\n  ');
  const len = blocks.reduce((s, b) => s + b.insns.length, 0);

  const regs = [...g.used].sort((a, b) => a - b);
  // Only what the code uses is loaded from the environment: regions are entered often.
  const names = ['CR', 'MU16', 'MI16', 'MU8', 'MI8', 'TR', 'TW', 'TF', 'CODE'].filter((x) => new RegExp(`\\b${x}\\b`).test(cases));
  const locals = [
    ...regs.map((r) => `r${r} = R[${r}]`),
    ...Array.from({ length: g.sites }, (_, n) => `p${n} = -1, d${n} = 0`),
    ...(eager ? [] : blocks.map((_, i) => `v${i} = 0`)),
  ];
  const source = `"use strict";
return function rgn(E, pc, left) {
  const M32 = E.M32, R = E.R${names.map((x) => `, ${x} = E.${x}`).join('')};
  ${eager ? `if (${changed(page, pageWord, words)}) { E.S[2] = 1; return 0; }` : ''}
  const vb = pc & -4096, left0 = left;
  let ${['npc = pc', 'dh = 0', 'nj = 0', 'stale = 0', ...locals].join(', ')};
  X: for (;;) {
  switch ((pc - vb) >> 2) {
  ${cases}
  default: npc = pc; break X;
  }
  }
  ${[...g.written].sort((a, b) => a - b).map((r) => `R[${r}] = r${r};`).join(' ')}
  const S = E.S; S[0] = npc; S[1] = dh; S[2] = stale; S[3] = nj;
  return left0 - left;
};`;
  return { len, blocks: blocks.length, source };
}
