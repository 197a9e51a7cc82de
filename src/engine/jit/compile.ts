// The block compiler: from the words at a physical address, the JavaScript
// source of one function that runs them with the guest registers in locals.
// Semantics come from the instruction table (ALU expressions and branch
// conditions are the rows' own text, as in the interpreter's generator).
//
// A block never does anything the interpreter would do differently: wherever
// an instruction leaves the fast path (misaligned address, data TLB fast miss,
// MMIO, divide by zero, misaligned jalr target, budget too small for another
// pass of a loop) the block stops *before* it, side-effect free, and the
// interpreter's switch executes that instruction. Every system instruction but
// the three pure reads (rdflags, rdtvec, rdptbr) ends a block before it, so
// traps, control-register writes, I/O, wfi, halt and rett are interpreted.
// A block ends after a branch, jal or jalr, or at the end of its page; one
// whose last instruction is a branch or jal back to its first becomes a real
// JavaScript loop that checks the step budget once per pass.

import { CR, INSTRUCTIONS, OPCODES, USER_RING, type InsnDef, type OperandSpec } from '../../isa/index.js';
import { TLB_SETS } from '../../machine/tlb.js';
import { undefinedCondition, undefinedMask } from '../interp/gen.js';

/** Block-local names of the RAM views, by access width and signedness (as the interpreter's). */
const ARRAY: Record<string, string> = { '4s': 'M32', '4u': 'M32', '2s': 'MI16', '2u': 'MU16', '1s': 'MI8', '1u': 'MU8' };
const SHIFT: Record<number, number> = { 4: 2, 2: 1, 1: 0 };
const PURE_SYSTEM: Record<string, number> = { rdflags: CR.status, rdtvec: CR.tvec, rdptbr: CR.ptbr };

/** Per opcode: reserved bits that make a word undefined (undefined also when the row has a cr range check). */
const RESERVED: number[] = new Array<number>(256).fill(-1);
for (const def of INSTRUCTIONS) {
  // Rows whose undefinedness needs more than a mask (a cr field) are never compiled: mark them all-undefined.
  RESERVED[def.opcode] = def.operands.some((o) => o.kind === 'cr') && undefinedCondition(def) !== 'false' ? -1 : undefinedMask(def);
}

export interface BlockSource {
  /** Instructions in the block (0: nothing compilable at this address). */
  len: number;
  /** The source of `function (H) { return function blk(E, pc, left) {...} }`'s body, or '' when len is 0. */
  source: string;
}

function fieldOf(spec: OperandSpec, w: number): number {
  if (spec.kind !== 'reg') throw new Error('jit: not a register operand');
  return spec.field === 'a' ? (w >>> 20) & 15 : spec.field === 'b' ? (w >>> 16) & 15 : (w >>> 12) & 15;
}

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

const ENDS_BLOCK = new Set(['branch', 'jal', 'jalr']);

/**
 * Compile the block whose words `words` (from the block's first word to the
 * end of its page) sit at physical word index `wordIndex`, for `mode` =
 * ring * 2 + paging. `ram` is the RAM size. The block checks at entry that
 * its words after the first are still in RAM (the dispatcher checks the
 * first): that is what makes stores by anyone (the interpreter, a monitor,
 * the loader, a page walk) invalidate it.
 */
export function compileBlock(words: ArrayLike<number>, wordIndex: number, mode: number, ram: number): BlockSource {
  const ring = mode >> 1;
  const pg = (mode & 1) !== 0;
  const user = ring === USER_RING;
  const uoff = user ? TLB_SETS : 0;
  const defs: InsnDef[] = [];
  for (let i = 0; i < words.length; i++) {
    const def = compilable(words[i]! | 0, ring);
    if (!def) break;
    defs.push(def);
    if (ENDS_BLOCK.has(def.sem.kind)) break;
  }
  const len = defs.length;
  if (len === 0) return { len: 0, source: '' };

  const used = new Set<number>();
  const written = new Set<number>();
  const rd = (spec: OperandSpec, w: number): string => {
    const f = fieldOf(spec, w);
    if (f === 0) return '0';
    used.add(f);
    return `r${f}`;
  };
  const set = (spec: OperandSpec, w: number, val: string): string => {
    const f = fieldOf(spec, w);
    if (f === 0) return '';
    used.add(f);
    written.add(f);
    return `r${f} = (${val}) | 0;`;
  };
  const simm = (w: number) => (w << 16) >> 16;
  const uimm = (w: number) => w & 0xffff;
  const pcAt = (i: number) => (i === 0 ? 'pc' : `((pc + ${4 * i}) | 0)`);

  const lastDef = defs[len - 1]!;
  const lastW = words[len - 1]! | 0;
  const backTo = (len - 1) * -4;
  const loop = (lastDef.sem.kind === 'branch' && (simm(lastW) << 2) === backTo)
    || (lastDef.sem.kind === 'jal' && ((((lastW << 12) >> 12) << 2) === backTo));
  // Leave before instruction i (nothing of it done): the interpreter runs it.
  const exit = (i: number) => `{ k += ${i}; npc = ${pcAt(i)}; break X; }`;

  const translate = (i: number, tags: string): string => pg
    ? `const vpn = va >>> 12, s = vpn & ${TLB_SETS - 1};
      if (${tags}[${uoff ? `${uoff} + ` : ''}s] !== vpn) ${exit(i)}
      const pa = TF[s] | (va & 4095);
      if ((pa >>> 0) >= ${ram}) ${exit(i)}
      dh++;`
    : `const pa = va; if ((pa >>> 0) >= ${ram}) ${exit(i)}`;

  const body: string[] = [];
  for (let i = 0; i < len; i++) {
    const def = defs[i]!;
    const w = words[i]! | 0;
    const ops = def.operands;
    const sem = def.sem;
    const src = (spec: OperandSpec): string => {
      switch (spec.kind) {
        case 'reg': return rd(spec, w);
        case 'simm16': return String(simm(w));
        case 'uimm16': case 'shamt': return String(uimm(w));
        default: throw new Error(`jit: ${def.mnemonic}: unexpected operand ${spec.kind}`);
      }
    };
    const base = () => `((${rd({ kind: 'reg', field: 'b' }, w)} + ${simm(w)}) | 0)`;
    let code: string;
    switch (sem.kind) {
      case 'alu': {
        const zero = sem.trapsOnZero ? `if (b === 0) ${exit(i)}` : '';
        code = `const a = ${src(ops[1]!)}, b = ${src(ops[2]!)}; ${zero} ${set(ops[0]!, w, sem.expr)}`;
        break;
      }
      case 'lui': code = set(ops[0]!, w, String(uimm(w) << 16)); break;
      case 'auipc': code = set(ops[0]!, w, `${pcAt(i)} + ${uimm(w) << 16}`); break;
      case 'load': {
        const width = sem.width;
        code = `const va = ${base()};
      ${width > 1 ? `if ((va & ${width - 1}) !== 0) ${exit(i)}` : ''}
      ${translate(i, 'TR')}
      ${set(ops[0]!, w, `${ARRAY[`${width}${sem.signed ? 's' : 'u'}`]}[pa >>> ${SHIFT[width]}]`)}`;
        break;
      }
      case 'store': {
        const width = sem.width;
        code = `const va = ${base()};
      ${width > 1 ? `if ((va & ${width - 1}) !== 0) ${exit(i)}` : ''}
      ${translate(i, 'TW')}
      ${ARRAY[`${width}u`]}[pa >>> ${SHIFT[width]}] = ${src(ops[0]!)};
      if (CODE[pa >>> 12] !== 0) { k += ${i + 1}; npc = ${pcAt(i + 1)}; break X; }`;
        break;
      }
      case 'branch': {
        const target = `((pc + ${4 * i + (simm(w) << 2)}) | 0)`;
        code = `const a = ${src(ops[0]!)}, b = ${src(ops[1]!)};
      ${loop ? `k += ${len}; if (${sem.cond}) { left -= ${len}; continue; } npc = ${pcAt(len)}; break X;`
          : `k += ${len}; npc = (${sem.cond}) ? ${target} : ${pcAt(len)}; break X;`}`;
        break;
      }
      case 'jal': {
        const off = ((w << 12) >> 12) << 2;
        code = `${set(ops[0]!, w, pcAt(i + 1))}
      ${loop ? `k += ${len}; left -= ${len}; continue;` : `k += ${len}; npc = (pc + ${4 * i + off}) | 0; break X;`}`;
        break;
      }
      case 'jalr':
        code = `const t = (${src(ops[1]!)} + ${simm(w)}) | 0;
      if ((t & 3) !== 0) ${exit(i)}
      ${set(ops[0]!, w, pcAt(i + 1))} k += ${len}; npc = t; break X;`;
        break;
      case 'system':
        code = set(ops[0]!, w, `CR[${PURE_SYSTEM[sem.op]}]`);
        break;
    }
    body.push(`    { // ${def.mnemonic}\n      ${code}\n    }`);
  }
  // Straight-line end at the page boundary (or a cut): fall out with every instruction done.
  const last = lastDef.sem.kind;
  if (!ENDS_BLOCK.has(last)) body.push(`    k += ${len}; npc = ${pcAt(len)}; break X;`);

  const regs = [...used].sort((a, b) => a - b);
  // Only what the body uses is loaded from the environment: small blocks are entered often.
  const text = body.join('\n');
  const names = ['R', 'CR', 'MU16', 'MI16', 'MU8', 'MI8', 'TR', 'TW', 'TF', 'CODE']
    .filter((x) => (x === 'R' ? regs.length > 0 : new RegExp(`\\b${x}\\b`).test(text)));
  const verify = Array.from({ length: len - 1 }, (_, i) => `M32[wi + ${i + 1}] !== ${words[i + 1]! | 0}`);
  const source = `"use strict";
return function blk(E, pc, left) {
  const M32 = E.M32, wi = ${wordIndex};
  ${verify.length ? `if (${verify.join(' || ')}) return -1;` : ''}
  if (left < ${len}) return 0;
  ${names.length ? `const ${names.map((x) => `${x} = E.${x}`).join(', ')};` : ''}
  ${regs.length ? `let ${regs.map((r) => `r${r} = R[${r}]`).join(', ')};` : ''}
  let k = 0, npc = pc, dh = 0;
  X: for (;;) {
    ${loop ? `if (left < ${len}) { npc = pc; break X; }` : ''}
${text}
  }
  ${[...written].sort((a, b) => a - b).map((r) => `R[${r}] = r${r};`).join(' ')}
  const S = E.S; S[0] = npc; S[1] = dh;
  return k;
};`;
  return { len, source };
}
