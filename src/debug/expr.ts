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
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)/;
const NAME = /^[A-Za-z_.$][A-Za-z0-9_.$]*/;
const CHAR = /^'(\\[nrt0\\']|[^\\'])'/;
const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, '0': 0, '\\': 92, "'": 39 };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) { i += space[0].length; continue; }
    const col = i + 1;
    let m: RegExpExecArray | null;
    if ((m = NUMBER.exec(rest))) {
      if (NAME.test(rest.slice(m[0].length)) && /^[0-9]/.test(rest)) throw bad(text, col, `'${/^\S+/.exec(rest)![0]}' is not a number`);
      const digits = m[0];
      const value = /^0[oO]/.test(digits) ? parseInt(digits.slice(2), 8) : Number(digits);
      if (value > 0xffffffff) throw bad(text, col, `${digits} does not fit in 32 bits`);
      tokens.push({ kind: 'num', text: digits, value, col });
      i += digits.length;
    } else if ((m = CHAR.exec(rest))) {
      const body = m[1]!;
      tokens.push({ kind: 'num', text: m[0], value: body.length === 2 ? ESCAPES[body[1]!]! : body.charCodeAt(0), col });
      i += m[0].length;
    } else if ((m = NAME.exec(rest))) {
      tokens.push({ kind: 'name', text: m[0], col });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) throw bad(text, col, `unexpected '${rest[0]}'`);
      tokens.push({ kind: 'op', text: op, col });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', col: text.length + 1 });
  return tokens;
}

function bad(text: string, col: number, problem: string): DebugError {
  return new DebugError(`bad expression '${text}': ${problem} (column ${col})`);
}

/** Binary operators by precedence level, loosest first (C's order). */
const LEVELS: readonly (readonly string[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>', '>>>'], ['+', '-'], ['*', '/', '%'],
];

export function parseExpr(text: string, scope: NameScope): Expr {
  if (text.trim() === '') throw new DebugError('expected an expression');
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const describe = (t: Token) => (t.kind === 'end' ? 'end of input' : `'${t.text}'`);

  const binary = (level: number): Expr => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    for (;;) {
      const t = peek();
      if (t.kind !== 'op' || !LEVELS[level]!.includes(t.text)) return left;
      next();
      left = { kind: 'binary', op: t.text, left, right: binary(level + 1) };
    }
  };

  const unary = (): Expr => {
    const t = peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
      next();
      const arg = unary();
      return t.text === '+' ? arg : { kind: 'unary', op: t.text, arg };
    }
    return primary();
  };

  const expect = (op: string, opened: Token): void => {
    const t = next();
    if (t.kind !== 'op' || t.text !== op) throw bad(text, t.col, `expected '${op}' to close '${opened.text}' at column ${opened.col}, found ${describe(t)}`);
  };

  const primary = (): Expr => {
    const t = next();
    if (t.kind === 'num') return { kind: 'num', value: t.value! | 0 };
    if (t.kind === 'name') return resolveName(t);
    if (t.kind === 'op' && t.text === '(') {
      const e = binary(0);
      expect(')', t);
      return e;
    }
    if (t.kind === 'op' && t.text === '[') {
      const e = binary(0);
      expect(']', t);
      return { kind: 'mem', addr: e };
    }
    throw bad(text, t.col, `expected a value, found ${describe(t)}`);
  };

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
    throw new DebugError(`unknown name '${t.text}' in '${text}'${didYouMean(t.text, known, false)}`);
  };

  const e = binary(0);
  const t = peek();
  if (t.kind !== 'end') throw bad(text, t.col, `unexpected ${describe(t)}`);
  return e;
}

export function evaluate(e: Expr, env: ExprEnv): number {
  switch (e.kind) {
    case 'num': return e.value;
    case 'reg': return env.reg(e.reg) | 0;
    case 'pc': return env.pc() | 0;
    case 'ring': return env.ring();
    case 'step': return env.step() | 0;
    case 'cr': return env.cr(e.cr) | 0;
    case 'mem': return env.readWord(evaluate(e.addr, env) >>> 0) | 0;
    case 'unary': {
      const v = evaluate(e.arg, env);
      return e.op === '-' ? -v | 0 : e.op === '~' ? ~v : v === 0 ? 1 : 0;
    }
    case 'binary': {
      if (e.op === '&&') return evaluate(e.left, env) !== 0 && evaluate(e.right, env) !== 0 ? 1 : 0;
      if (e.op === '||') return evaluate(e.left, env) !== 0 || evaluate(e.right, env) !== 0 ? 1 : 0;
      const a = evaluate(e.left, env), b = evaluate(e.right, env);
      switch (e.op) {
        case '+': return (a + b) | 0;
        case '-': return (a - b) | 0;
        case '*': return Math.imul(a, b);
        case '/': case '%':
          if (b === 0) throw new DebugError('division by zero in expression');
          // INT_MIN / -1 wraps, as the ISA's div does.
          return e.op === '/' ? (b === -1 ? -a | 0 : (a / b) | 0) : (b === -1 ? 0 : a % b | 0);
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
      throw new Error(`expr: no operator ${e.op}`);
    }
  }
}
