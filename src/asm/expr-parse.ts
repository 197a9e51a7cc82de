// Expressions by operator precedence with explicit stacks (shunting-yard):
// no recursion, so nesting depth and length cost linear time and memory and
// can never overflow the call stack. The grammar is the one grammar/asm.ne
// spells out (C precedence, left-associative binaries, prefix unaries);
// test/asm/parser.test.ts checks the two agree.

import type { BinaryOp, Expr, UnaryOp } from './ast.js';
import type { Token } from './lexer.js';
import { charValue, numberValue } from './literals.js';

/** What the parser expected where it failed; parse.ts turns it into the message's hint. */
export type Expected = 'operand' | 'close' | 'comma' | 'colon' | 'start';

/** A syntax error at `token` (undefined: the end of the line). */
export class ParseFailure {
  constructor(readonly token: Token | undefined, readonly expected: Expected) {}
}

/** Significant tokens of a line and the index of the next one. */
export interface Cursor {
  readonly toks: readonly Token[];
  i: number;
}

export function isOp(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.type === 'op' && t.value === text;
}

/** Binding strength of each binary operator, loosest first (C's order). */
const PRECEDENCE = new Map<string, number>([
  ['||', 1], ['&&', 2], ['|', 3], ['^', 4], ['&', 5], ['==', 6], ['!=', 6],
  ['<', 7], ['<=', 7], ['>', 7], ['>=', 7], ['<<', 8], ['>>', 8],
  ['+', 9], ['-', 9], ['*', 10], ['/', 10], ['%', 10],
]);
const UNARY = new Set<string>(['-', '~', '+', '!']);

type Pending =
  | { kind: 'binary'; op: BinaryOp; prec: number; pos: number }
  | { kind: 'unary'; op: UnaryOp; pos: number }
  | { kind: 'open'; pos: number; reloc?: 'hi' | 'lo' }; // `(` or `%hi(` / `%lo(`

function primary(t: Token): Expr | undefined {
  switch (t.type) {
    case 'number': return { kind: 'num', value: numberValue(t.value), text: t.value, pos: t.offset };
    case 'char': return { kind: 'num', value: charValue(t.value), text: t.value, pos: t.offset };
    case 'localref':
      return { kind: 'local', label: parseInt(t.value.slice(0, -1), 10), dir: t.value.endsWith('b') ? 'b' : 'f', pos: t.offset };
    case 'ident': return t.value === '.' ? { kind: 'dot', pos: t.offset } : { kind: 'sym', name: t.value, pos: t.offset };
    default: return undefined;
  }
}

/**
 * Parse one expression from `c.i` on. It ends (without consuming it) at the
 * first token outside all parentheses that cannot continue it; the caller
 * decides whether that token may follow. Throws ParseFailure.
 */
export function parseExpr(c: Cursor): Expr {
  const out: Expr[] = []; // finished operands
  const ops: Pending[] = []; // operators and open parentheses waiting for their right side
  let open = 0;
  const reduce = (): void => {
    const p = ops.pop()!;
    if (p.kind === 'unary') out.push({ kind: 'unary', op: p.op, arg: out.pop()!, pos: p.pos });
    else if (p.kind === 'binary') {
      const right = out.pop()!;
      const left = out.pop()!;
      out.push({ kind: 'binary', op: p.op, left, right, pos: p.pos });
    }
  };
  for (;;) {
    // An operand: prefix operators and open parentheses, then a primary.
    let t = c.toks[c.i];
    for (;;) {
      if (t === undefined) throw new ParseFailure(undefined, 'operand');
      if (t.type === 'op' && UNARY.has(t.value)) ops.push({ kind: 'unary', op: t.value as UnaryOp, pos: t.offset });
      else if (isOp(t, '(')) ops.push({ kind: 'open', pos: t.offset });
      else if (t.type === 'reloc' && isOp(c.toks[c.i + 1], '(')) {
        ops.push({ kind: 'open', pos: t.offset, reloc: t.value.slice(1).toLowerCase() === 'hi' ? 'hi' : 'lo' });
        c.i++;
      } else break;
      if (ops[ops.length - 1]!.kind === 'open') open++;
      t = c.toks[++c.i];
    }
    const e = primary(t);
    if (!e) throw new ParseFailure(t, 'operand');
    out.push(e);
    c.i++;
    // After an operand: closing parentheses, then a binary operator or the end.
    for (;;) {
      t = c.toks[c.i];
      const prec = t?.type === 'op' ? PRECEDENCE.get(t.value) : undefined;
      if (prec !== undefined) {
        // Unaries bind tighter than any binary; equal precedence reduces first (left-associative).
        for (let top = ops[ops.length - 1]; top && top.kind !== 'open' && (top.kind === 'unary' || top.prec >= prec); top = ops[ops.length - 1]) reduce();
        ops.push({ kind: 'binary', op: t!.value as BinaryOp, prec, pos: t!.offset });
        c.i++;
        break;
      }
      if (open > 0 && isOp(t, ')')) {
        while (ops[ops.length - 1]!.kind !== 'open') reduce();
        const p = ops.pop() as Extract<Pending, { kind: 'open' }>;
        open--;
        const inner = out.pop()!;
        out.push(p.reloc ? { kind: 'reloc', which: p.reloc, arg: inner, pos: p.pos } : { kind: 'paren', inner, pos: p.pos });
        c.i++;
        continue;
      }
      if (open > 0) throw new ParseFailure(t, 'close');
      while (ops.length) reduce();
      return out.pop()!;
    }
  }
}
