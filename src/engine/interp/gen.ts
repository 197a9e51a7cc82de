// Generates the interpreter's inner loop from the instruction table, the v86
// way: the source of one function with a `switch` over the opcode, whose cases
// are built from each row's semantics (ALU expressions and branch conditions
// are the table's own text), compiled once with `new Function`. Variants add
// step recording, the write journal or breakpoint checks, so the plain loop
// carries none of them.
//
// The generated `slice(machine, limit, skipBreakpoint)` runs at most `limit` steps and
// returns how many it took. It ends early after anything that may change
// what the next instruction sees beyond registers and RAM (a trap, a
// control-register write, I/O, MMIO, wfi, halt, sti, TLB invalidation), so
// that the caller can tick devices and deliver interrupts.

import { CAUSE, CR, CR_NAMES, EXC, INSTRUCTIONS, STATUS, USER_RING, decode, type InsnDef, type OperandSpec, type SystemOp } from '../../isa/index.js';
import { H } from '../../isa/semantics.js';
import { ACCESS } from '../../machine/events.js';
import type { Machine } from '../../machine/machine.js';
import { TLB_SETS } from '../../machine/tlb.js';
import { INSN_EXIT, VMX_INSN_EXIT } from '../../machine/vmx.js';

export const VARIANT = { OBSERVE: 1, JOURNAL: 2, BREAKPOINTS: 4, NONROOT: 8, JIT: 16 } as const;

/**
 * What the JIT variant (VARIANT.JIT, src/engine/jit) dispatches to: before an
 * instruction is interpreted, the compiled region entered at its physical word
 * (if any) runs instead. Only combined with NONROOT: observation, journal and
 * breakpoints stay interpreted.
 */
export interface JitDispatch {
  /** Compiled regions by entry: physical page, then word in page. */
  readonly pages: (JitEntry | undefined)[][];
  /** Execution counts of would-be region entries, hashed by physical word index (HOT_MASK). */
  readonly hot: Int32Array;
  /** What a region reads (registers, RAM views, TLB arrays); `out` receives the next pc, data TLB hits and the stale flag. */
  readonly env: unknown;
  readonly out: Int32Array;
  /** The region entered at a hot word, or undefined to stay interpreted for now. */
  compile(wordIndex: number, mode: number, word: number): JitEntry | undefined;
  drop(wordIndex: number): void;
}
/**
 * A compiled region: returns the steps it took (next pc in out[0], data TLB
 * hits in out[1], jumps retired in out[3]; 0: the interpreter runs the
 * instruction at pc); out[2] = 1 if it found some of its code changed (the
 * dispatcher drops it).
 */
export type RegionFn = (env: unknown, pc: number, left: number) => number;
/** A region entry: valid for the mode (ring * 2 + paging) and first word it was compiled for; fn null if nothing there compiles. */
export interface JitEntry {
  mode: number;
  w0: number;
  fn: RegionFn | null;
}
export const JIT_HOT_MASK = 0xffff;
export const JIT_THRESHOLD = 32;
/**
 * Most steps one call of a region may run. A loop that ran a whole slice in one
 * call would be optimized by V8 only on-stack (OSR), from the type feedback of
 * that first call, whose exits had never run: such code was fast in some
 * processes and 2.5x slower in others. Returning every 64 Ki steps costs
 * nothing measurable and lets V8 optimize the region as a function.
 */
export const JIT_CALL_STEPS = 65536;

export type SliceFn = (m: Machine, limit: number, skipBreakpoint: boolean, jit?: JitDispatch) => number;

const FIELD = { a: '((w >>> 20) & 15)', b: '((w >>> 16) & 15)', c: '((w >>> 12) & 15)' } as const;
const SIMM = '((w << 16) >> 16)';
const UIMM = '(w & 0xffff)';

/**
 * Bits that make a word of this opcode undefined, found by asking decode()
 * about every single bit, so the rule lives only in encoding.ts. A control-
 * register field also needs a range check (values 7..15 are not all single bits).
 */
export function undefinedMask(def: InsnDef): number {
  let mask = 0;
  for (let bit = 0; bit < 24; bit++) {
    if (decode(((def.opcode << 24) | (1 << bit)) >>> 0) === undefined) mask |= 1 << bit;
  }
  return mask >>> 0;
}

/** The JS condition under which a word with this row's opcode is undefined (false if never). */
export function undefinedCondition(def: InsnDef): string {
  const parts: string[] = [];
  const mask = undefinedMask(def);
  if (mask !== 0) parts.push(`(w & 0x${mask.toString(16)}) !== 0`);
  const cr = def.operands.find((o) => o.kind === 'cr');
  if (cr) parts.push(`${FIELD[cr.field]} >= ${CR_NAMES.length}`);
  return parts.length ? parts.join(' || ') : 'false';
}

interface Ctx {
  obs: boolean;
  journal: boolean;
  /** VMX non-root operation: instructions the execution controls select exit; every access is translated. */
  nonRoot: boolean;
}

const VMEXIT = `{ xc = ${VMX_INSN_EXIT}; xa = undefined; xe = pc; xw = w; break T; }`;

/** Non-root only: the inline test of the control that makes this system instruction exit (vmx.ts INSN_EXIT). */
function exitCheck(def: InsnDef, op: SystemOp): string {
  const e = INSN_EXIT[op];
  if (!e) return '';
  const ops = def.operands;
  const cr = () => field(ops.find((o) => o.kind === 'cr'), 'cr', def);
  switch (e.control) {
    case 'crWrite': return `if (((VC.crWriteExit >>> ${cr()}) & 1) !== 0) ${VMEXIT}`;
    case 'crRead': return `if (((VC.crReadExit >>> ${cr()}) & 1) !== 0) ${VMEXIT}`;
    case 'io': return `{ const p_ = ${value(ops.find((o) => o.kind === 'port')!, def)}; if ((VC.ioBitmap[p_ >>> 3] & (1 << (p_ & 7))) !== 0) ${VMEXIT} }`;
    case 'hlt': return `if (VC.hltExit) ${VMEXIT}`;
    case 'wfi': return `if (VC.wfiExit) ${VMEXIT}`;
    case 'invlpg': return `if (VC.invlpgExit) ${VMEXIT}`;
    case 'always': return VMEXIT;
  }
}

function field(spec: OperandSpec | undefined, what: string, def: InsnDef): string {
  if (!spec || (spec.kind !== 'reg' && spec.kind !== 'cr')) throw new Error(`gen: ${def.mnemonic}: ${what} is not a register operand`);
  return FIELD[spec.field];
}

/** The value of a source operand (register contents or immediate). */
function value(spec: OperandSpec, def: InsnDef): string {
  switch (spec.kind) {
    case 'reg': return `R[${FIELD[spec.field]}]`;
    case 'simm16': return SIMM;
    case 'uimm16': case 'shamt': return UIMM;
    case 'branch': return `(${SIMM} << 2)`;
    case 'jump': return '(((w << 12) >> 12) << 2)';
    case 'mem': return `((R[${FIELD.b}] + ${SIMM}) | 0)`;
    case 'port': return `((R[${FIELD.b}] + ${UIMM}) & 0xffff)`;
    case 'cr': throw new Error(`gen: ${def.mnemonic}: control register used as a value`);
  }
}

function setReg(ctx: Ctx, dst: string, val: string): string {
  if (!ctx.obs) return `R[${dst}] = ${val}; R[0] = 0;`;
  return `{ const d_ = ${dst}; R[d_] = ${val}; R[0] = 0; if (d_ !== 0) O.regs.push({ reg: d_, value: R[d_] }); }`;
}

/** Commit the steps before the current one (so device and trap code see the exact clock). */
const SYNC_BEFORE = '{ const k_ = limit - n - 1 - committed; C.steps += k_; C.instructions += k_; committed += k_; }';
/** Commit every step including the current one, as retired. */
const SYNC_ALL = '{ const k_ = limit - n - committed; C.steps += k_; C.instructions += k_; committed += k_; }';

/** Leave the loop for the shared trap exit, which raises the exception through the machine. */
function trap(cause: string, faultaddr: string, epc: string, word: string): string {
  return `{ xc = ${cause}; xa = ${faultaddr}; xe = ${epc}; xw = ${word}; break T; }`;
}

const NEXT = 'pc = (pc + 4) | 0;';

/** Translate `va` for a data access into `pa` (declared by the caller). */
function translate(va: string, access: number, fastTags: string): string {
  return `if (pg) {
        const vpn = ${va} >>> 12, s = vpn & ${TLB_SETS - 1};
        if (${fastTags}[uoff + s] === vpn) { pa = TF[s] | (${va} & 4095); dh++; }
        else { cpu.pc = pc; pa = mmu.translate(${va}, ${access}, user); fpage = 1; if (mmu.fault !== 0) ${trap('mmu.fault', va, 'pc', 'w')} }
      } else pa = ${va};`;
}

/** Generated code's names of the RAM views by access width and signedness, and the index shift of each width (shared with the JIT). */
export const RAM_VIEW: Record<string, string> = { '4s': 'M32', '4u': 'M32', '2s': 'MI16', '2u': 'MU16', '1s': 'MI8', '1u': 'MU8' };
export const RAM_SHIFT: Record<number, number> = { 4: 2, 2: 1, 1: 0 };
const SIZE_MASK: Record<number, string> = { 4: '>>> 0', 2: '& 0xffff', 1: '& 0xff' };

function loadCase(ctx: Ctx, def: InsnDef, width: 1 | 2 | 4, signed: boolean): string {
  const dst = field(def.operands[0], 'rd', def);
  const arr = RAM_VIEW[`${width}${signed ? 's' : 'u'}`]!;
  const sext = !signed || width === 4 ? '| 0' : width === 2 ? '<< 16 >> 16' : '<< 24 >> 24';
  const rec = ctx.obs ? `O.mem.push({ kind: 'read', vaddr: va >>> 0, paddr: pa >>> 0, size: ${width}, value: v ${SIZE_MASK[width]} });` : '';
  return `const va = ${value(def.operands[1]!, def)};
      ${width > 1 ? `if ((va & ${width - 1}) !== 0) ${trap(`${EXC.MISALIGNED} | udet`, 'va', 'pc', 'w')}` : ''}
      let pa;
      ${translate('va', ACCESS.READ, 'TR')}
      if ((pa >>> 0) < RAM) {
        const v = ${arr}[pa >>> ${RAM_SHIFT[width]}];
        ${setReg(ctx, dst, 'v')} ${rec} ${NEXT}
      } else {
        ${SYNC_BEFORE} cpu.pc = pc;
        const v = m.mmioRead(pa >>> 0, ${width}) ${sext};
        ${setReg(ctx, dst, 'v')} ${rec} ${NEXT} break L;
      }`;
}

function storeCase(ctx: Ctx, def: InsnDef, width: 1 | 2 | 4): string {
  const src = value(def.operands[0]!, def);
  const arr = RAM_VIEW[`${width}u`]!;
  const rec = ctx.obs ? `O.mem.push({ kind: 'write', vaddr: va >>> 0, paddr: pa >>> 0, size: ${width}, value: v ${SIZE_MASK[width]} });` : '';
  return `const va = ${value(def.operands[1]!, def)}, v = ${src};
      ${width > 1 ? `if ((va & ${width - 1}) !== 0) ${trap(`${EXC.MISALIGNED | CAUSE.WRITE} | udet`, 'va', 'pc', 'w')}` : ''}
      let pa;
      ${translate('va', ACCESS.WRITE, 'TW')}
      if ((pa >>> 0) < RAM) {
        ${ctx.journal ? `if (J !== undefined) J.record(pa, ${width});` : ''}
        ${arr}[pa >>> ${RAM_SHIFT[width]}] = v; ${rec} ${NEXT}
      } else {
        ${SYNC_BEFORE} cpu.pc = pc; m.mmioWrite(pa >>> 0, ${width}, v); ${rec} ${NEXT} break L;
      }`;
}

const PRIVILEGED = `if (ring !== 0) ${trap(String(EXC.PROTECTION), 'undefined', 'pc', 'w')}`;

function systemCase(ctx: Ctx, def: InsnDef, op: string): string {
  const ops = def.operands;
  const crEvent = ctx.obs ? `O.events.push({ kind: 'cr', cr: ${CR.status}, value: CR[${CR.status}] >>> 0 });` : '';
  switch (op) {
    case 'syscall': return trap(String(EXC.SYSCALL), 'undefined', '(pc + 4) | 0', 'w');
    case 'brk': return trap(String(EXC.BREAKPOINT), 'undefined', 'pc', 'w');
    case 'hcall': return trap(String(EXC.UNDEFINED), 'undefined', 'pc', 'w'); // a monitor's trap hook gives it meaning
    case 'rdflags': return `${setReg(ctx, field(ops[0], 'rd', def), `CR[${CR.status}]`)} ${NEXT}`;
    case 'rdtvec': return `${setReg(ctx, field(ops[0], 'rd', def), `CR[${CR.tvec}]`)} ${NEXT}`;
    case 'rdptbr': return `${setReg(ctx, field(ops[0], 'rd', def), `CR[${CR.ptbr}]`)} ${NEXT}`;
    case 'wrflags': return `cpu.pc = pc; m.writeFlags(${value(ops[0]!, def)}); ${NEXT} break L;`;
    case 'mfcr': return `${setReg(ctx, field(ops[0], 'rd', def), `CR[${field(ops[1], 'cr', def)}]`)} ${NEXT}`;
    case 'mtcr': return `cpu.pc = pc; m.writeCr(${field(ops[0], 'cr', def)}, ${value(ops[1]!, def)}); ${NEXT} break L;`;
    case 'rett': return `${SYNC_BEFORE} cpu.pc = pc; m.rett(); pc = cpu.pc; break L;`;
    case 'halt': return `${SYNC_BEFORE} m.halt(${value(ops[0]!, def)}, pc); ${NEXT} break L;`;
    case 'wfi': return `const at = pc; ${NEXT} cpu.pc = pc; ${SYNC_ALL} m.wfi(at); break L;`;
    case 'in': return `${SYNC_BEFORE} cpu.pc = pc; const v = m.portRead(${value(ops[1]!, def)}); ${setReg(ctx, field(ops[0], 'rd', def), 'v')} ${NEXT} break L;`;
    case 'out': return `${SYNC_BEFORE} cpu.pc = pc; m.portWrite(${value(ops[1]!, def)}, ${value(ops[0]!, def)}); ${NEXT} break L;`;
    case 'tlbi': return `cpu.pc = pc; m.tlbInvalidate(${value(ops[0]!, def)}); ${NEXT} break L;`;
    case 'tlbia': return `cpu.pc = pc; m.tlbFlush(); ${NEXT} break L;`;
    case 'cli': return `CR[${CR.status}] &= ${~STATUS.IE}; ${crEvent} ${NEXT}`;
    // Ends the slice so that a pending interrupt is taken right after `sti`.
    case 'sti': return `CR[${CR.status}] |= ${STATUS.IE}; ${crEvent} ${NEXT} break L;`;
  }
  throw new Error(`gen: no semantics for system op ${op}`);
}

function caseBody(ctx: Ctx, def: InsnDef): string {
  const sem = def.sem;
  const ops = def.operands;
  switch (sem.kind) {
    case 'alu': {
      const zero = sem.trapsOnZero ? `if (b === 0) ${trap(String(EXC.DIVIDE_BY_ZERO), 'undefined', 'pc', 'w')}` : '';
      return `const a = ${value(ops[1]!, def)}, b = ${value(ops[2]!, def)}; ${zero}
      ${setReg(ctx, field(ops[0], 'rd', def), `(${sem.expr})`)} ${NEXT}`;
    }
    case 'lui': return `${setReg(ctx, field(ops[0], 'rd', def), `${UIMM} << 16`)} ${NEXT}`;
    case 'auipc': return `${setReg(ctx, field(ops[0], 'rd', def), `(pc + (${UIMM} << 16)) | 0`)} ${NEXT}`;
    case 'load': return loadCase(ctx, def, sem.width, sem.signed);
    case 'store': return storeCase(ctx, def, sem.width);
    // pc is 4-aligned (fetch checks it) and offsets are whole words, so branch
    // and jal targets are always aligned: only jalr can fault.
    case 'branch':
      return `const a = ${value(ops[0]!, def)}, b = ${value(ops[1]!, def)};
      if (${sem.cond}) pc = (pc + ${value(ops[2]!, def)}) | 0; else ${NEXT}`;
    case 'jal':
      return `${setReg(ctx, field(ops[0], 'rd', def), '(pc + 4) | 0')} pc = (pc + ${value(ops[1]!, def)}) | 0;`;
    case 'jalr':
      return `const t = (${value(ops[1]!, def)} + ${value(ops[2]!, def)}) | 0;
      if ((t & 3) !== 0) ${trap(`${EXC.MISALIGNED | CAUSE.FETCH} | udet`, 't', 'pc', 'w')}
      ${setReg(ctx, field(ops[0], 'rd', def), '(pc + 4) | 0')} pc = t;`;
    case 'system': return systemCase(ctx, def, sem.op);
  }
}

export function generateSliceSource(flags: number): string {
  const ctx: Ctx = { obs: (flags & VARIANT.OBSERVE) !== 0, journal: (flags & VARIANT.JOURNAL) !== 0, nonRoot: (flags & VARIANT.NONROOT) !== 0 };
  const bp = (flags & VARIANT.BREAKPOINTS) !== 0;
  const jit = (flags & VARIANT.JIT) !== 0;
  if (jit && (flags & ~(VARIANT.JIT | VARIANT.NONROOT)) !== 0) throw new Error('gen: the JIT variant combines only with NONROOT');
  const cases = INSTRUCTIONS.map((def) => {
    const undef = undefinedCondition(def);
    return `    case 0x${def.opcode.toString(16)}: { // ${def.mnemonic}
      ${undef === 'false' ? '' : `if (${undef}) ${trap(String(EXC.UNDEFINED), 'undefined', 'pc', 'w')}`}
      ${def.klass === 'privileged' ? PRIVILEGED : ''}
      ${ctx.nonRoot && def.sem.kind === 'system' ? exitCheck(def, def.sem.op) : ''}
      ${caseBody(ctx, def)}
      ${def.jump ? 'C.jumps++;' : ''}
      break;
    }`;
  }).join('\n');

  // One function shared by every machine: all machine state is loaded into locals at entry
  // (closures over per-machine state would share one optimized code object without
  // context specialization, which V8 makes markedly slower).
  return `"use strict";
return function slice(m, limit, skip${jit ? ', J' : ''}) {
  const cpu = m.cpu, R = cpu.regs, CR = cpu.cr, C = m.counters, mmu = m.mmu, tlb = m.tlb, mem = m.mem;
  const M32 = mem.i32, MU16 = mem.u16, MI16 = mem.i16, MU8 = mem.u8, MI8 = mem.i8, RAM = mem.size;
  const TR = tlb.read, TW = tlb.write, TF = tlb.frame, BP = m.breakpoints;
  let n = limit, committed = 0, fault = 0, fslow = 0, dh = 0;
  let pc = cpu.pc | 0;
  const st = CR[${CR.status}], ring = st & ${STATUS.CPL_MASK}, user = ring === ${USER_RING};
  // In non-root operation every access is translated (guest tables and EPT, or the monitor's shadow).
  const pg = ${ctx.nonRoot ? 'true' : `(st & ${STATUS.PG}) !== 0`}, uoff = user ? ${TLB_SETS} : 0, udet = user ? ${CAUSE.USER} : 0;
  ${ctx.nonRoot ? 'const VC = m.vmx.vmcs.controls;' : ''}
  // The fetch window (a monitor's translation cache) serves supervisor fetches only; checked on the slow fetch path.
  const FW = user ? undefined : m.fetchWindow, wbase = FW ? FW.base | 0 : 0, wsize = FW ? FW.size : 0, wphys = FW ? FW.phys : 0;
  ${ctx.obs ? 'const O = m.record;' : ''}
  ${ctx.journal ? 'const J = mem.journal;' : ''}
  ${jit ? `const JB = J.pages, HOT = J.hot, E = J.env, S = J.out, mode = ring * 2 + (pg ? 1 : 0);` : ''}
  let fpage = 1, fbase = 0, fw = 0, fwAt = 0, wfast = 0;
  let xc = 0, xa, xe = 0, xw;
  X: {
  T: {
  L: while (n > 0) {
    ${bp ? `if (skip) skip = false; else if (BP.has(pc >>> 0)) { m.stopRequest = { kind: 'breakpoint', pc: pc >>> 0 }; break L; }` : ''}
    n--;
    let w;
    if ((pc & ${0xfffff003 | 0}) === fpage) w = M32[fbase | ((pc & 4095) >>> 2)];
    else {
      fslow++;
      // Fast fetches from a fetch-window page are not TLB lookups: count them to take them out of tlbHits.
      if (fw !== 0) { wfast += limit - n - 1 - fwAt; fw = 0; }
      if ((pc & 3) !== 0) ${trap(`${EXC.MISALIGNED | CAUSE.FETCH} | udet`, 'pc', 'pc', 'undefined')}
      let pa;
      if (wsize !== 0 && ((pc - wbase) >>> 0) < wsize) { pa = wphys + ((pc - wbase) | 0); fw = 1; fwAt = limit - n; }
      else if (pg) { cpu.pc = pc; pa = mmu.translate(pc, ${ACCESS.FETCH}, user); if (mmu.fault !== 0) ${trap('mmu.fault', 'pc', 'pc', 'undefined')} }
      else pa = pc;
      // Outside RAM the bus reads all ones, which is not an instruction.
      if ((pa >>> 0) >= RAM) ${trap(String(EXC.UNDEFINED), 'undefined', 'pc', '-1')}
      fpage = pc & ${~0xfff}; fbase = (pa & ${~0xfff}) >>> 2;
      w = M32[pa >>> 2];
    }
    ${ctx.obs ? 'O.word = w >>> 0;' : ''}
    ${jit ? JIT_DISPATCH : ''}
    switch (w >>> 24) {
${cases}
    default: ${trap(String(EXC.UNDEFINED), 'undefined', 'pc', 'w')}
    }
  }
  break X;
  }
  // Reached by \`break T\` from a faulting step: nothing of it has been committed.
  ${SYNC_BEFORE} cpu.pc = pc; m.exception(xc, xa, xe, xw); fault = 1; pc = cpu.pc;
  }
  const k = limit - n - committed;
  C.steps += k;
  C.instructions += k - fault;
  // Every fetch and data access with paging on is a TLB lookup; the slow paths count their own.
  if (fw !== 0) wfast += limit - n - fwAt;
  if (pg) C.tlbHits += limit - n - fslow + dh - wfast;
  cpu.pc = pc;
  return limit - n;
};`;
}

/**
 * The JIT variant's hook, after the fetch of \`w\` (n already counts this step):
 * a region that runs k steps stands for k loop iterations (its fetches after
 * the first are same-page fast fetches, which the epilogue counts as TLB hits
 * like the interpreter's); one that declines (0) leaves the step to the switch.
 * A count restarts at 1, not 0, after a compile request: a word that has run
 * keeps a count, and region formation takes in only blocks that have run.
 */
const JIT_DISPATCH = `{
      const wi = fbase | ((pc & 4095) >>> 2), jp = JB[wi >>> 10];
      let b = jp === undefined ? undefined : jp[wi & 1023];
      if (b === undefined || b.mode !== mode || b.w0 !== w) {
        b = undefined;
        if (++HOT[wi & ${JIT_HOT_MASK}] >= ${JIT_THRESHOLD}) { HOT[wi & ${JIT_HOT_MASK}] = 1; b = J.compile(wi, mode, w); }
      }
      if (b !== undefined && b.fn !== null) {
        const k = b.fn(E, pc, n < ${JIT_CALL_STEPS - 1} ? n + 1 : ${JIT_CALL_STEPS});
        if (S[2] !== 0) { S[2] = 0; J.drop(wi); }
        if (k > 0) { n -= k - 1; pc = S[0]; dh += S[1]; C.jumps += S[3]; continue L; }
      }
    }`;

const slices: (SliceFn | undefined)[] = [];

/** The slice function of a variant, compiled once per process and shared by all machines. */
export function sliceFunction(flags: number): SliceFn {
  return slices[flags] ??= (new Function('H', generateSliceSource(flags)) as (h: typeof H) => SliceFn)(H);
}
