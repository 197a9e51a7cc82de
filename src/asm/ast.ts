// Syntax tree of one statement line, as parse.ts builds it (grammar/asm.ne
// describes the same trees). Trees may nest as deep as the input does, so
// code that walks them must use a loop or an explicit stack, not recursion.
// Every node carries `pos`, the 0-based offset of its first character in the
// parsed text; diagnostics turn it into a column of the original source.

export type BinaryOp =
  | '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';
export type UnaryOp = '-' | '~' | '+' | '!';

export type Expr =
  | { kind: 'num'; value: number; text: string; pos: number } // value may exceed 32 bits: checked on evaluation
  | { kind: 'sym'; name: string; pos: number }
  | { kind: 'dot'; pos: number } // `.`, the current address
  | { kind: 'local'; label: number; dir: 'b' | 'f'; pos: number } // `1b`, `1f`
  | { kind: 'unary'; op: UnaryOp; arg: Expr; pos: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: number } // pos of the operator
  | { kind: 'paren'; inner: Expr; pos: number }
  | { kind: 'reloc'; which: 'hi' | 'lo'; arg: Expr; pos: number };

export type Operand =
  | { kind: 'expr'; expr: Expr; pos: number }
  | { kind: 'mem'; offset: Expr; base: Expr; pos: number } // `offset(base)`
  | { kind: 'string'; bytes: number[]; pos: number };

export interface Label {
  name: string; // for local labels the decimal number as written
  local: boolean;
  pos: number;
}

export interface Statement {
  name: string; // mnemonic, directive or macro name, as written
  pos: number;
  operands: Operand[];
}

export interface ParsedLine {
  labels: Label[];
  statement?: Statement;
}

/** The leftmost position an expression covers (binary nodes keep their operator's position). */
export function exprStart(e: Expr): number {
  while (e.kind === 'binary') e = e.left;
  return e.pos;
}
