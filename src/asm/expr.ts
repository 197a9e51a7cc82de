// Evaluating expressions: 32-bit wrapping integer arithmetic with C operators.
// Results are signed int32; a value that is not known yet (a forward reference
// in pass 1) is `undefined`. How unknown symbols are treated is up to the
// context: silently unknown in pass 1, an error in pass 2.

import { regNumber } from '../isa/index.js';
import type { BinaryOp, Expr, UnaryOp } from './ast.js';
import { shown } from './shown.js';

export interface EvalContext {
  /** Value of a named symbol; reports and returns undefined if it has none (yet). */
  symbol(name: string, pos: number): number | undefined;
  /** Value of a numeric local label reference `Nb` / `Nf`. */
  local(label: number, dir: 'b' | 'f', pos: number): number | undefined;
  /** The current address `.`. */
  dot(pos: number): number | undefined;
  error(pos: number, message: string): void;
}

const MAX_U32 = 0xffffffff;

/**
 * The value of `root`. A post-order walk with explicit stacks rather than
 * recursion, since trees nest as deep as the source does. Every leaf is
 * visited left to right even when a value is already unknown, so each
 * problem of the expression is reported, in source order.
 */
export function evaluate(root: Expr, ctx: EvalContext): number | undefined {
  const todo: Expr[] = [root];
  const combine: boolean[] = [false]; // true: the node's operands are on `values`
  const values: (number | undefined)[] = [];
  while (todo.length) {
    const e = todo.pop()!;
    if (combine.pop()) {
      values.push(apply(e, values, ctx));
      continue;
    }
    switch (e.kind) {
      case 'paren': todo.push(e.inner); combine.push(false); break;
      case 'unary': case 'reloc': todo.push(e, e.arg); combine.push(true, false); break;
      case 'binary': todo.push(e, e.right, e.left); combine.push(true, false, false); break;
      default: values.push(leaf(e, ctx)); break;
    }
  }
  return values.pop();
}

function leaf(e: Expr, ctx: EvalContext): number | undefined {
  switch (e.kind) {
    case 'num':
      if (e.value > MAX_U32) {
        ctx.error(e.pos, `number ${shown(e.text)} does not fit in 32 bits`);
        return undefined;
      }
      return e.value | 0;
    case 'sym':
      if (regNumber(e.name) !== undefined) {
        ctx.error(e.pos, `register ${e.name} cannot be used in an expression`);
        return undefined;
      }
      return ctx.symbol(e.name, e.pos);
    case 'dot': return ctx.dot(e.pos);
    case 'local': return ctx.local(e.label, e.dir, e.pos);
    default: throw new Error(`expr: ${e.kind} is not a leaf`);
  }
}

/** Combine the values of an operator node's operands (popped from `values`). */
function apply(e: Expr, values: (number | undefined)[], ctx: EvalContext): number | undefined {
  switch (e.kind) {
    case 'reloc': {
      const v = values.pop();
      if (v === undefined) return undefined;
      return e.which === 'hi' ? (v >>> 16) & 0xffff : v & 0xffff;
    }
    case 'unary': {
      const v = values.pop();
      return v === undefined ? undefined : unary(e.op, v);
    }
    case 'binary': {
      const r = values.pop();
      const l = values.pop();
      if (l === undefined || r === undefined) return undefined;
      return binary(e.op, l, r, e.pos, ctx);
    }
    default: throw new Error(`expr: ${e.kind} has no operands`);
  }
}

/** Names of the symbols an expression uses, left to right (iterative, like `evaluate`). */
export function symbolsIn(root: Expr): string[] {
  const names: string[] = [];
  const todo: Expr[] = [root];
  while (todo.length) {
    const e = todo.pop()!;
    switch (e.kind) {
      case 'sym': names.push(e.name); break;
      case 'unary': case 'reloc': todo.push(e.arg); break;
      case 'paren': todo.push(e.inner); break;
      case 'binary': todo.push(e.right, e.left); break;
      default: break;
    }
  }
  return names;
}

function unary(op: UnaryOp, v: number): number {
  switch (op) {
    case '-': return -v | 0;
    case '~': return ~v;
    case '!': return v === 0 ? 1 : 0;
    case '+': return v;
  }
}

function binary(op: BinaryOp, l: number, r: number, pos: number, ctx: EvalContext): number | undefined {
  switch (op) {
    case '+': return (l + r) | 0;
    case '-': return (l - r) | 0;
    case '*': return Math.imul(l, r);
    case '/': case '%':
      if (r === 0) {
        ctx.error(pos, 'division by zero in expression');
        return undefined;
      }
      return op === '/' ? Math.trunc(l / r) | 0 : (l % r) | 0;
    // Shift counts are taken modulo 32, as the machine's shift instructions do.
    case '<<': return l << (r & 31);
    case '>>': return l >> (r & 31);
    case '&': return l & r;
    case '|': return l | r;
    case '^': return l ^ r;
    // Comparisons are signed and give 1 or 0; && and || do not short-circuit.
    case '==': return l === r ? 1 : 0;
    case '!=': return l !== r ? 1 : 0;
    case '<': return l < r ? 1 : 0;
    case '<=': return l <= r ? 1 : 0;
    case '>': return l > r ? 1 : 0;
    case '>=': return l >= r ? 1 : 0;
    case '&&': return l !== 0 && r !== 0 ? 1 : 0;
    case '||': return l !== 0 || r !== 0 ? 1 : 0;
  }
}
