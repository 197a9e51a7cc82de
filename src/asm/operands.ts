// Instruction operands: checking their shape against the table's OperandSpec
// (pass 1) and turning them into the values `encode` wants (pass 2), with
// range checks that point at the offending operand.

import { CR, CR_NAMES, operandRange, regNumber, type InsnDef, type OperandSpec, type OperandValue } from '../isa/index.js';
import type { Expr, Operand } from './ast.js';
import { shown } from './shown.js';

/** How an operand kind is written, for "expects N operands (...)" messages and the docs. */
export function operandSyntax(spec: OperandSpec): string {
  switch (spec.kind) {
    case 'reg': return 'reg';
    case 'cr': return 'creg';
    case 'simm16': return 'simm16';
    case 'uimm16': return 'uimm16';
    case 'shamt': return 'shamt';
    case 'mem': return 'offset(reg)';
    case 'port': return 'port(reg)';
    case 'branch': case 'jump': return 'target';
  }
}

/** The register an operand names, if it is exactly a register name. */
export function registerOf(op: Operand): number | undefined {
  return op.kind === 'expr' && op.expr.kind === 'sym' ? regNumber(op.expr.name) : undefined;
}

function controlRegisterOf(op: Operand): number | undefined {
  if (op.kind !== 'expr' || op.expr.kind !== 'sym') return undefined;
  const name = op.expr.name.toLowerCase();
  return (CR_NAMES as readonly string[]).includes(name) ? CR[name as keyof typeof CR] : undefined;
}

/** `(reg)`: a memory operand with no offset. */
function parenRegister(e: Expr): number | undefined {
  return e.kind === 'paren' && e.inner.kind === 'sym' ? regNumber(e.inner.name) : undefined;
}

/** What an operand is, for "expected X, got Y" messages. */
export function describeOperand(op: Operand): string {
  switch (op.kind) {
    case 'string': return 'string';
    case 'mem': return 'memory operand';
    case 'expr':
      if (op.expr.kind === 'sym') return regNumber(op.expr.name) !== undefined ? `register ${op.expr.name}` : `symbol '${shown(op.expr.name)}'`;
      if (parenRegister(op.expr) !== undefined) return 'memory operand';
      return 'immediate';
  }
}

export type Report = (pos: number, message: string) => void;

/** A value operand: an expression that is not a register or memory operand. */
export function isValue(op: Operand): op is Extract<Operand, { kind: 'expr' }> {
  return op.kind === 'expr' && registerOf(op) === undefined && parenRegister(op.expr) === undefined;
}

const TARGET_WORD: Partial<Record<OperandSpec['kind'], string>> = { branch: 'a branch target', jump: 'a jump target' };

/** Check one operand's shape (not its value); reports and returns false if wrong. */
export function checkShape(spec: OperandSpec, op: Operand, report: Report): boolean {
  const fail = (expected: string): false => {
    report(op.pos, `expected ${expected}, got ${describeOperand(op)}`);
    return false;
  };
  switch (spec.kind) {
    case 'reg': return registerOf(op) !== undefined || fail('a register');
    case 'cr': return controlRegisterOf(op) !== undefined || fail(`a control register (${CR_NAMES.join(', ')})`);
    case 'simm16': case 'uimm16': case 'shamt': return isValue(op) || fail('an immediate');
    case 'branch': case 'jump': return isValue(op) || fail(TARGET_WORD[spec.kind]!);
    case 'mem': case 'port':
      if (op.kind === 'mem') {
        const base: Operand = { kind: 'expr', expr: op.base, pos: op.base.pos };
        if (registerOf(base) !== undefined) return true;
        report(op.base.pos, `expected a base register, got ${describeOperand(base)}`);
        return false;
      }
      if (op.kind === 'expr' && registerOf(op) === undefined) return true;
      return fail(spec.kind === 'mem' ? 'a memory operand such as 0(sp)' : 'a port operand such as 0x10(zero)');
  }
}

/** Check operand count and shapes of an instruction; false if anything was reported. */
export function checkOperands(def: InsnDef, ops: readonly Operand[], mnemonicPos: number, report: Report): boolean {
  if (ops.length !== def.operands.length) {
    const syntax = def.operands.map(operandSyntax).join(', ');
    const want = `${def.operands.length} operand${def.operands.length === 1 ? '' : 's'}${syntax ? ` (${syntax})` : ''}`;
    const at = ops.length > def.operands.length ? ops[def.operands.length]!.pos : mnemonicPos;
    report(at, `${def.mnemonic} expects ${want}, got ${ops.length}`);
    return false;
  }
  let ok = true;
  def.operands.forEach((spec, i) => {
    ok = checkShape(spec, ops[i]!, report) && ok;
  });
  return ok;
}

export interface ResolveContext {
  pc: number; // address of this instruction word
  value(e: Expr): number | undefined; // evaluates, reporting problems
  report: Report;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function inRange(spec: OperandSpec, v: number): boolean {
  const r = operandRange(spec)!;
  return v >= r.min && v <= r.max;
}

function rangeText(spec: OperandSpec): string {
  const r = operandRange(spec)!;
  return `${r.min}..${r.max}`;
}

/** Values for `encode`, or undefined if something was reported. Shapes were checked in pass 1. */
export function resolveOperands(def: InsnDef, ops: readonly Operand[], ctx: ResolveContext): OperandValue[] | undefined {
  const values: OperandValue[] = [];
  let ok = true;
  def.operands.forEach((spec, i) => {
    const v = resolveOne(spec, ops[i]!, ctx);
    if (v === undefined) ok = false;
    else values.push(v);
  });
  return ok ? values : undefined;
}

function resolveOne(spec: OperandSpec, op: Operand, ctx: ResolveContext): OperandValue | undefined {
  switch (spec.kind) {
    case 'reg': return registerOf(op);
    case 'cr': return controlRegisterOf(op);
    case 'simm16': case 'uimm16': case 'shamt': {
      const v = op.kind === 'expr' ? ctx.value(op.expr) : undefined;
      if (v === undefined) return undefined;
      if (inRange(spec, v)) return v;
      const what = spec.kind === 'shamt' ? 'shift amount' : 'immediate';
      ctx.report(op.pos, `${what} ${v} out of range ${rangeText(spec)}`);
      return undefined;
    }
    case 'mem': case 'port': {
      let offset: number | undefined = 0;
      let base: number | undefined = 0;
      if (op.kind === 'mem') {
        offset = ctx.value(op.offset);
        base = regNumber((op.base as Extract<Expr, { kind: 'sym' }>).name);
      } else if (op.kind === 'expr') {
        base = parenRegister(op.expr);
        if (base === undefined) {
          base = 0; // a bare address means address(zero)
          offset = ctx.value(op.expr);
        }
      }
      if (offset === undefined || base === undefined) return undefined;
      if (!inRange(spec, offset)) {
        const what = spec.kind === 'mem' ? 'offset' : 'port offset';
        ctx.report(op.pos, `${what} ${offset} out of range ${rangeText(spec)}`);
        return undefined;
      }
      return { offset, base };
    }
    case 'branch': case 'jump': {
      const target = op.kind === 'expr' ? ctx.value(op.expr) : undefined;
      if (target === undefined) return undefined;
      const offset = (target - ctx.pc) | 0;
      const r = operandRange(spec)!;
      const what = spec.kind === 'branch' ? 'branch' : 'jump';
      if (offset % r.step !== 0) {
        ctx.report(op.pos, `${what} target ${hex(target)} is not word-aligned`);
        return undefined;
      }
      if (offset < r.min || offset > r.max) {
        ctx.report(op.pos, `${what} target out of range: offset ${offset} not in ${r.min}..${r.max}`);
        return undefined;
      }
      return offset;
    }
  }
}
