# Grammar of one assembler statement line: labels, then an optional mnemonic,
# directive or macro call with comma-separated operands. Expressions follow C
# precedence (comparisons and logical operators included, mainly for .if).
# Blanks and comments never reach the parser (see src/asm/lexer.ts).
# Compiled by `npm run grammar` into src/asm/grammar.generated.ts.
# This is the reference grammar: the assembler runs the hand-written parser
# of src/asm/parse.ts (linear, no recursion), and test/asm/parser.test.ts
# checks on many lines that both give the same trees and errors
# (docs/assembler.md, "How lines are parsed"). Change both together.

@preprocessor typescript

@{%
import { lineLexer as lexer } from './lexer.js';
import { exprStart, type BinaryOp, type Expr, type Label, type Operand, type ParsedLine, type Statement, type UnaryOp } from './ast.js';
import { charValue, numberValue, stringBytes } from './literals.js';

interface Tok { type: string; value: string; text: string; offset: number }

function binary(d: any[]): Expr {
  const op = d[1] as Tok;
  return { kind: 'binary', op: op.value as BinaryOp, left: d[0] as Expr, right: d[2] as Expr, pos: op.offset };
}
function tok(d: any[], i = 0): Tok {
  return d[i] as Tok;
}
%}

@lexer lexer

line -> labels statement:?
  {% (d): ParsedLine => (d[1] ? { labels: d[0] as Label[], statement: d[1] as Statement } : { labels: d[0] as Label[] }) %}

labels -> null {% (): Label[] => [] %}
  | labels label {% (d): Label[] => [...(d[0] as Label[]), d[1] as Label] %}

label -> %ident ":" {% (d): Label => ({ name: tok(d).value, local: false, pos: tok(d).offset }) %}
  | %number ":" {% (d): Label => ({ name: tok(d).value, local: true, pos: tok(d).offset }) %}

statement -> %ident {% (d): Statement => ({ name: tok(d).value, pos: tok(d).offset, operands: [] }) %}
  | %ident operands {% (d): Statement => ({ name: tok(d).value, pos: tok(d).offset, operands: d[1] as Operand[] }) %}

operands -> operand {% (d): Operand[] => [d[0] as Operand] %}
  | operands "," operand {% (d): Operand[] => [...(d[0] as Operand[]), d[2] as Operand] %}

operand -> expr {% (d): Operand => ({ kind: 'expr', expr: d[0] as Expr, pos: exprStart(d[0] as Expr) }) %}
  | expr "(" expr ")" {% (d): Operand => ({ kind: 'mem', offset: d[0] as Expr, base: d[2] as Expr, pos: exprStart(d[0] as Expr) }) %}
  | %string {% (d): Operand => ({ kind: 'string', bytes: stringBytes(tok(d).value), pos: tok(d).offset }) %}

expr -> lor {% id %}

lor -> lor "||" land {% binary %}
  | land {% id %}
land -> land "&&" or {% binary %}
  | or {% id %}
or -> or "|" xor {% binary %}
  | xor {% id %}
xor -> xor "^" and {% binary %}
  | and {% id %}
and -> and "&" eq {% binary %}
  | eq {% id %}
eq -> eq "==" rel {% binary %}
  | eq "!=" rel {% binary %}
  | rel {% id %}
rel -> rel "<" shift {% binary %}
  | rel "<=" shift {% binary %}
  | rel ">" shift {% binary %}
  | rel ">=" shift {% binary %}
  | shift {% id %}
shift -> shift "<<" add {% binary %}
  | shift ">>" add {% binary %}
  | add {% id %}
add -> add "+" mul {% binary %}
  | add "-" mul {% binary %}
  | mul {% id %}
mul -> mul "*" unary {% binary %}
  | mul "/" unary {% binary %}
  | mul "%" unary {% binary %}
  | unary {% id %}

unary -> "-" unary {% (d): Expr => ({ kind: 'unary', op: tok(d).value as UnaryOp, arg: d[1] as Expr, pos: tok(d).offset }) %}
  | "~" unary {% (d): Expr => ({ kind: 'unary', op: tok(d).value as UnaryOp, arg: d[1] as Expr, pos: tok(d).offset }) %}
  | "+" unary {% (d): Expr => ({ kind: 'unary', op: tok(d).value as UnaryOp, arg: d[1] as Expr, pos: tok(d).offset }) %}
  | "!" unary {% (d): Expr => ({ kind: 'unary', op: tok(d).value as UnaryOp, arg: d[1] as Expr, pos: tok(d).offset }) %}
  | primary {% id %}

primary -> %number {% (d): Expr => ({ kind: 'num', value: numberValue(tok(d).value), text: tok(d).value, pos: tok(d).offset }) %}
  | %char {% (d): Expr => ({ kind: 'num', value: charValue(tok(d).value), text: tok(d).value, pos: tok(d).offset }) %}
  | %localref {% (d): Expr => ({ kind: 'local', label: parseInt(tok(d).value.slice(0, -1), 10), dir: tok(d).value.endsWith('b') ? 'b' : 'f', pos: tok(d).offset }) %}
  | %ident {% (d): Expr => (tok(d).value === '.' ? { kind: 'dot', pos: tok(d).offset } : { kind: 'sym', name: tok(d).value, pos: tok(d).offset }) %}
  | "(" expr ")" {% (d): Expr => ({ kind: 'paren', inner: d[1] as Expr, pos: tok(d).offset }) %}
  | %reloc "(" expr ")" {% (d): Expr => ({ kind: 'reloc', which: tok(d).value.slice(1).toLowerCase() === 'hi' ? 'hi' : 'lo', arg: d[2] as Expr, pos: tok(d).offset }) %}
