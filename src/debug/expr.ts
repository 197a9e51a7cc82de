// Expressions for conditions, addresses and `print`: 32-bit integers over
// registers, pc, control registers, symbols and memory words.
//
//   values     42  0x2a  0b101  0o52  'a'   symbol   r4 / a0 (any register)
//              pc  ring  step  status tvec ptbr faultaddr cause epc scratch
//              [addr]  (the 32-bit word at a virtual address, no side effects)
//   operators  unary - ~ !    * / %    + -    << >> (arithmetic) >>> (logical)
//              < <= > >= (signed)   == !=    &    ^    |    &&    ||   ( )
//
// Every result is a 32-bit pattern (int32 in JS); == compares patterns, so
// 0xffffffff == -1. Names are resolved when the expression is parsed, so a
// misspelt name is reported when a breakpoint is set, not when it is hit.
// Parsing and evaluation use explicit stacks, not recursion: any length or
// nesting depth costs linear time and cannot overflow the call stack.

import { didYouMean } from '../asm/suggest.js';
import { ABI_NAMES, CR_NAMES, regNumber } from '../isa/index.js';
import { DebugError } from './errors.js';

export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'reg'; reg: number }
  | { kind: 'pc' }
  | { kind: 'ring' }
  | { kind: 'step' }
  | { kind: 'cr'; cr: number }
  | { kind: 'mem'; addr: Expr }
  | { kind: 'unary'; op: string; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

/** What an expression can see of the machine. */
export interface ExprEnv {
  reg(n: number): number;
  pc(): number;
  cr(n: number): number;
  ring(): number;
  step(): number;
  /** The word at virtual `addr`; throws DebugError when it cannot be read. */
  readWord(addr: number): number;
}

/** Names the parser resolves besides registers: the image's symbols. */
export interface NameScope {
  value(name: string): number | undefined;
  names(): Iterable<string>;
}

const SPECIAL = ['pc', 'ring', 'step'] as const;

interface Token {
  kind: 'num' | 'name' | 'op' | 'end';
  text: string;
  value?: number;
  col: number;
}

const OPERATORS = ['>>>', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']'];
// Sticky patterns, matched in place: the text is never copied, so tokenizing is linear.
const SPACE = /\s+/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)/y;
const NAME = /[A-Za-z_.$][A-Za-z0-9_.$]*/y;
const WORD = /\S+/y;
const CHAR = /'(\\[nrt0\\']|[^\\'])'/y;
const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, '0': 0, '\\': 92, "'": 39 };

function matchAt(re: RegExp, text: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(text)?.[0];
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const space = matchAt(SPACE, text, i);
    if (space) { i += space.length; continue; }
    const col = i + 1;
    let m: string | undefined;
    if ((m = matchAt(NUMBER, text, i))) {
      if (matchAt(NAME, text, i + m.length)) throw bad(text, col, `'${matchAt(WORD, text, i)}' is not a number`);
      const value = /^0[oO]/.test(m) ? parseInt(m.slice(2), 8) : Number(m);
      if (value > 0xffffffff) throw bad(text, col, `${m} does not fit in 32 bits`);
      tokens.push({ kind: 'num', text: m, value, col });
      i += m.length;
    } else if ((m = matchAt(CHAR, text, i))) {
      const body = m.slice(1, -1);
      tokens.push({ kind: 'num', text: m, value: body.length === 2 ? ESCAPES[body[1]!]! : body.charCodeAt(0), col });
      i += m.length;
    } else if ((m = matchAt(NAME, text, i))) {
      tokens.push({ kind: 'name', text: m, col });
      i += m.length;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) throw bad(text, col, `unexpected '${text[i]}'`);
      tokens.push({ kind: 'op', text: op, col });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', col: text.length + 1 });
  return tokens;
}

/** The expression as errors quote it: a long one is cut (the column still locates the problem). */
function quoted(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}

function bad(text: string, col: number, problem: string): DebugError {
  return new DebugError(`bad expression '${quoted(text)}': ${problem} (column ${col})`);
}

/** Binding strength of each binary operator, loosest first (C's order). */
const PRECEDENCE = new Map<string, number>([
  ['||', 1], ['&&', 2], ['|', 3], ['^', 4], ['&', 5], ['==', 6], ['!=', 6],
  ['<', 7], ['<=', 7], ['>', 7], ['>=', 7], ['<<', 8], ['>>', 8], ['>>>', 8],
  ['+', 9], ['-', 9], ['*', 10], ['/', 10], ['%', 10],
]);
const CLOSER: Record<string, string> = { '(': ')', '[': ']' };

type Pending =
  | { kind: 'binary'; op: string; prec: number }
  | { kind: 'unary'; op: string } // '+' is dropped: it changes nothing
  | { kind: 'open'; token: Token }; // `(` or `[`

/**
 * Parse by operator precedence with explicit stacks (shunting-yard), not
 * recursion, so a long or deeply nested expression costs linear time and
 * never overflows the stack.
 */
export function parseExpr(text: string, scope: NameScope): Expr {
  if (text.trim() === '') throw new DebugError('expected an expression');
  const tokens = tokenize(text);
  let pos = 0;
  const describe = (t: Token) => (t.kind === 'end' ? 'end of input' : `'${t.text}'`);
  const out: Expr[] = [];
  const ops: Pending[] = [];
  const reduce = (): void => {
    const p = ops.pop()!;
    if (p.kind === 'unary') out.push({ kind: 'unary', op: p.op, arg: out.pop()! });
    else if (p.kind === 'binary') {
      const right = out.pop()!;
      const left = out.pop()!;
      out.push({ kind: 'binary', op: p.op, left, right });
    }
  };
  let groups = 0; // open ( and [ on `ops`

  const resolveName = (t: Token): Expr => {
    const reg = regNumber(t.text);
    if (reg !== undefined) return { kind: 'reg', reg };
    const lower = t.text.toLowerCase();
    if (lower === 'pc' || lower === 'ring' || lower === 'step') return { kind: lower };
    const cr = CR_NAMES.indexOf(lower as never);
    if (cr >= 0) return { kind: 'cr', cr };
    const sym = scope.value(t.text);
    if (sym !== undefined) return { kind: 'num', value: sym | 0 };
    const known = [...ABI_NAMES, ...SPECIAL, ...CR_NAMES, ...scope.names()];
    throw new DebugError(`unknown name '${t.text}' in '${quoted(text)}'${didYouMean(t.text, known, false)}`);
  };

  for (;;) {
    // A value: prefix operators and open brackets, then a number or name.
    let t = tokens[pos++]!;
    while (t.kind === 'op' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+' || t.text === '(' || t.text === '[')) {
      if (t.text === '(' || t.text === '[') {
        ops.push({ kind: 'open', token: t });
        groups++;
      } else if (t.text !== '+') ops.push({ kind: 'unary', op: t.text });
      t = tokens[pos++]!;
    }
    if (t.kind === 'num') out.push({ kind: 'num', value: t.value! | 0 });
    else if (t.kind === 'name') out.push(resolveName(t));
    else throw bad(text, t.col, `expected a value, found ${describe(t)}`);
    // Then closing brackets, and a binary operator or the end.
    for (;;) {
      t = tokens[pos]!;
      const prec = t.kind === 'op' ? PRECEDENCE.get(t.text) : undefined;
      if (prec !== undefined) {
        for (let top = ops.at(-1); top && top.kind !== 'open' && (top.kind === 'unary' || top.prec >= prec); top = ops.at(-1)) reduce();
        ops.push({ kind: 'binary', op: t.text, prec });
        pos++;
        break;
      }
      if (groups === 0) {
        if (t.kind !== 'end') throw bad(text, t.col, `unexpected ${describe(t)}`);
        while (ops.length) reduce();
        return out.pop()!;
      }
      while (ops.at(-1)!.kind !== 'open') reduce();
      const opened = (ops.pop() as Extract<Pending, { kind: 'open' }>).token;
      const closer = CLOSER[opened.text]!;
      if (t.kind !== 'op' || t.text !== closer) {
        throw bad(text, t.col, `expected '${closer}' to close '${opened.text}' at column ${opened.col}, found ${describe(t)}`);
      }
      groups--;
      if (opened.text === '[') out.push({ kind: 'mem', addr: out.pop()! });
      pos++;
    }
  }
}

/**
 * The value of `root`: a post-order walk with explicit stacks (trees nest
 * as deep as the text does). && and || evaluate their right side only when
 * needed, so a word that cannot be read there is not read.
 */
export function evaluate(root: Expr, env: ExprEnv): number {
  const todo: Expr[] = [root];
  const stage: number[] = [0]; // 0: not started; 1: left side (or operand) done; 2: right side done
  const values: number[] = [];
  while (todo.length) {
    const e = todo.pop()!;
    const st = stage.pop()!;
    switch (e.kind) {
      case 'num': values.push(e.value); break;
      case 'reg': values.push(env.reg(e.reg) | 0); break;
      case 'pc': values.push(env.pc() | 0); break;
      case 'ring': values.push(env.ring()); break;
      case 'step': values.push(env.step() | 0); break;
      case 'cr': values.push(env.cr(e.cr) | 0); break;
      case 'mem':
        if (st === 0) { todo.push(e, e.addr); stage.push(1, 0); }
        else values.push(env.readWord(values.pop()! >>> 0) | 0);
        break;
      case 'unary':
        if (st === 0) { todo.push(e, e.arg); stage.push(1, 0); }
        else {
          const v = values.pop()!;
          values.push(e.op === '-' ? -v | 0 : e.op === '~' ? ~v : v === 0 ? 1 : 0);
        }
        break;
      case 'binary':
        if (st === 0) { todo.push(e, e.left); stage.push(1, 0); break; }
        if (st === 1 && (e.op === '&&' || e.op === '||')) {
          const l = values.pop()!;
          if ((e.op === '&&') === (l === 0)) values.push(e.op === '&&' ? 0 : 1); // decided by the left side
          else { todo.push(e, e.right); stage.push(2, 0); }
          break;
        }
        if (st === 1) { todo.push(e, e.right); stage.push(2, 0); break; }
        if (e.op === '&&' || e.op === '||') values.push(values.pop()! !== 0 ? 1 : 0);
        else {
          const b = values.pop()!;
          const a = values.pop()!;
          values.push(binary(e.op, a, b));
        }
        break;
    }
  }
  return values.pop()!;
}

function binary(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return (a + b) | 0;
    case '-': return (a - b) | 0;
    case '*': return Math.imul(a, b);
    case '/': case '%':
      if (b === 0) throw new DebugError('division by zero in expression');
      // INT_MIN / -1 wraps, as the ISA's div does.
      return op === '/' ? (b === -1 ? -a | 0 : (a / b) | 0) : (b === -1 ? 0 : a % b | 0);
    case '<<': return a << (b & 31);
    case '>>': return a >> (b & 31);
    case '>>>': return (a >>> (b & 31)) | 0;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
  }
  throw new Error(`expr: no operator ${op}`);
}
