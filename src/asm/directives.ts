// Pass-1 handling of the assembler directives (the preprocessor handles
// .include, .macro and conditionals). Each handler checks its operands, fixes
// the statement's size and records what pass 2 must emit.

import type { SectionName } from '../elf/image.js';
import { PAGE_SIZE, regNumber } from '../isa/index.js';
import type { Operand, Statement } from './ast.js';
import { describeOperand, isValue } from './operands.js';
import { PREPROCESSOR_DIRECTIVES } from './preprocess.js';
import type { AsmState, Stmt } from './state.js';

/** Largest .space / .org gap / .align we accept: guards against typos allocating gigabytes. */
export const MAX_FILL = 64 * 1024 * 1024;

interface Ctx {
  st: AsmState;
  stmt: Stmt;
  s: Statement;
  report(pos: number, message: string): void;
}

type Handler = (c: Ctx) => void;

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** Check the operand count; reports and returns false if wrong. */
function count(c: Ctx, min: number, max: number, syntax: string): boolean {
  const n = c.s.operands.length;
  if (n >= min && n <= max) return true;
  const at = n > max ? c.s.operands[max]!.pos : c.s.pos;
  c.report(at, `${c.s.name} expects ${syntax}, got ${n} operand${n === 1 ? '' : 's'}`);
  return false;
}

function valueOperand(c: Ctx, op: Operand): op is Extract<Operand, { kind: 'expr' }> {
  if (isValue(op)) return true;
  c.report(op.pos, `expected an expression, got ${describeOperand(op)}`);
  return false;
}

/** The value of operand `i` needed now, in pass 1. */
function valueNow(c: Ctx, i: number): number | undefined {
  const op = c.s.operands[i]!;
  return valueOperand(c, op) ? c.st.evaluate(op.expr, 'now', c.stmt) : undefined;
}

function symbolName(c: Ctx, op: Operand): string | undefined {
  if (op.kind === 'expr' && op.expr.kind === 'sym') {
    if (regNumber(op.expr.name) === undefined) return op.expr.name;
    c.report(op.pos, `${op.expr.name} is a register name, not a symbol`);
    return undefined;
  }
  c.report(op.pos, `expected a symbol name, got ${describeOperand(op)}`);
  return undefined;
}

function notInBss(c: Ctx): boolean {
  if (c.st.sections.current.name !== '.bss') return true;
  c.report(c.s.pos, `${c.s.name} puts data in .bss, which may only hold .space and .align`);
  return false;
}

function emit(c: Ctx, size: number, item: Stmt['item'], unit: Stmt['unit'] = 1): void {
  c.stmt.size = size;
  c.stmt.item = item;
  c.stmt.unit = unit;
  c.st.sections.advance(size);
}

const section = (name: SectionName): Handler => (c) => {
  if (count(c, 0, 0, 'no operands')) c.st.sections.switchTo(name);
};

const data = (width: 1 | 2 | 4): Handler => (c) => {
  if (!count(c, 1, Infinity, 'one or more expressions') || !notInBss(c)) return;
  const operands = c.s.operands.filter((op) => valueOperand(c, op)) as Extract<Operand, { kind: 'expr' }>[];
  if (operands.length !== c.s.operands.length) return;
  emit(c, width * operands.length, { kind: 'data', width, operands }, width);
};

const ascii = (zero: boolean): Handler => (c) => {
  if (!count(c, 1, Infinity, 'one or more strings') || !notInBss(c)) return;
  const bytes: number[] = [];
  for (const op of c.s.operands) {
    if (op.kind !== 'string') return c.report(op.pos, `expected a string, got ${describeOperand(op)}`);
    for (const b of op.bytes) bytes.push(b); // not push(...): a long string would overflow the stack
    if (zero) bytes.push(0);
  }
  emit(c, bytes.length, { kind: 'bytes', bytes });
};

function org(c: Ctx): void {
  if (!count(c, 1, 1, 'an address')) return;
  const v = valueNow(c, 0);
  if (v === undefined) return;
  const target = v >>> 0;
  const sec = c.st.sections.current;
  if (!sec.placed && sec.size === 0) {
    // Before any content: place the section here.
    sec.base = target;
    sec.placed = true;
    sec.placedAt = { line: c.stmt.line, pos: c.s.pos };
    c.stmt.offset = 0;
    return;
  }
  if (sec.base === undefined) {
    return c.report(c.s.pos, `.org after content in ${sec.name}: the section's address is only known at the end of pass 1 (start the section with .org to place it)`);
  }
  const here = sec.base + sec.loc;
  if (target < here) return c.report(c.s.operands[0]!.pos, `.org ${hex(target)} would move backwards (the location is already ${hex(here)})`);
  if (target - here > MAX_FILL) return c.report(c.s.operands[0]!.pos, `.org ${hex(target)} leaves a gap of ${target - here} bytes (at most ${MAX_FILL})`);
  emit(c, target - here, { kind: 'fill', count: target - here });
}

function space(c: Ctx): void {
  if (!count(c, 1, 2, 'a size and an optional fill byte')) return;
  const n = valueNow(c, 0);
  const fillOp = c.s.operands[1];
  if (fillOp && !valueOperand(c, fillOp)) return;
  if (n === undefined) return;
  if (n < 0 || n > MAX_FILL) return c.report(c.s.operands[0]!.pos, `.space size ${n} out of range 0..${MAX_FILL}`);
  const fill = fillOp?.kind === 'expr' ? fillOp : undefined;
  emit(c, n, fill ? { kind: 'fill', count: n, fill: fill.expr, fillPos: fill.pos } : { kind: 'fill', count: n });
}

function align(c: Ctx): void {
  if (!count(c, 1, 1, 'a power of two')) return;
  const n = valueNow(c, 0);
  if (n === undefined) return;
  const pos = c.s.operands[0]!.pos;
  if (n < 1 || n > MAX_FILL || (n & (n - 1)) !== 0) return c.report(pos, `.align needs a power of two, got ${n}`);
  const sec = c.st.sections.current;
  if (sec.base === undefined && n > PAGE_SIZE) {
    return c.report(pos, `.align ${n} in ${sec.name} needs the section placed with .org (it is only known to start on a ${PAGE_SIZE}-byte boundary)`);
  }
  const here = (sec.base ?? 0) + sec.loc;
  const pad = (n - (here % n)) % n;
  emit(c, pad, { kind: 'align', count: pad, nop: sec.name === '.text' }, sec.name === '.text' && here % 4 === 0 ? 4 : 1);
}

const constant = (kind: 'equ' | 'set'): Handler => (c) => {
  if (!count(c, 2, 2, 'a name and an expression')) return;
  const [nameOp, valueOp] = c.s.operands as [Operand, Operand];
  const name = symbolName(c, nameOp);
  if (!valueOperand(c, valueOp) || name === undefined) return;
  // A guess: a forward reference leaves the value for later (a .equ after layout, a .set in pass 2).
  const value = c.st.evaluate(valueOp.expr, 'guess', c.stmt);
  const err = c.st.symbols.defineConst(kind, name, value, { file: c.stmt.line.file, line: c.stmt.line.line });
  if (err) return c.report(nameOp.pos, err);
  if (kind === 'set') c.stmt.item = { kind: 'set', name, expr: valueOp.expr };
  else if (value === undefined) c.st.deferred.push({ name, expr: valueOp.expr, seq: c.stmt.index, stmt: c.stmt });
};

function global(c: Ctx): void {
  if (!count(c, 1, Infinity, 'one or more symbol names')) return;
  for (const op of c.s.operands) {
    const name = symbolName(c, op);
    if (name !== undefined) c.st.globals.push({ name, line: c.stmt.line, pos: op.pos });
  }
}

const HANDLERS: Record<string, Handler> = {
  '.text': section('.text'),
  '.data': section('.data'),
  '.bss': section('.bss'),
  '.org': org,
  '.word': data(4),
  '.half': data(2),
  '.byte': data(1),
  '.ascii': ascii(false),
  '.asciz': ascii(true),
  '.space': space,
  '.align': align,
  '.equ': constant('equ'),
  '.set': constant('set'),
  '.global': global,
};

/** Every directive name, for "did you mean" and the docs. */
export const DIRECTIVE_NAMES: readonly string[] = [...Object.keys(HANDLERS), ...PREPROCESSOR_DIRECTIVES];

/** Handle a directive statement; false if the name is not a directive. */
export function handleDirective(st: AsmState, stmt: Stmt, s: Statement): boolean {
  const handler = HANDLERS[s.name.toLowerCase()];
  if (!handler) return false;
  handler({ st, stmt, s, report: (pos, message) => st.report(stmt, pos, message) });
  return true;
}
