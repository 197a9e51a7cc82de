// Tokens of one source line. The same moo rules serve the line parser and
// the line scanner of the preprocessor (through `tokenize`, which keeps
// everything) and the reference nearley grammar (through `lineLexer`, which
// drops blanks and comments).

import moo from 'moo';

/** Characters that may continue an identifier; a number may not run into them. */
const WORD = '0-9A-Za-z_.$';

const rules = {
  ws: /[ \t\r\f\v]+/,
  comment: /[;#].*/,
  string: /"(?:[^"\\\n]|\\.)*"/,
  badstring: /"[^\n]*/,
  char: /'(?:\\x[0-9a-fA-F]{2}|\\[^\n]|[^\\'\n])'/,
  badchar: /'[^\n]*/,
  // %hi/%lo only when a parenthesis follows, so `a%hi` still means a modulo hi.
  reloc: /%(?:[hH][iI]|[lL][oO])(?=[ \t]*\()/,
  localref: new RegExp(`[0-9]+[bf](?![${WORD}])`),
  number: new RegExp(
    `(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)(?![${WORD}])`,
  ),
  badnumber: new RegExp(`[0-9][${WORD}]*`),
  ident: new RegExp(`[A-Za-z_.$][${WORD}]*`),
  op: ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '&', '|', '^', '~', '(', ')', ',', ':', '='],
  error: moo.error,
};

export type TokenType = keyof typeof rules;
export type Token = moo.Token & { type: TokenType };

const base = moo.compile(rules);

/** All tokens of one line, blanks and comments included; an `error` token swallows the rest. */
export function tokenize(text: string): Token[] {
  base.reset(text);
  const out: Token[] = [];
  for (let t = base.next(); t; t = base.next()) out.push(t as Token);
  return out;
}

const SKIPPED = new Set<string>(['ws', 'comment']);

/** The lexer nearley drives (parse-reference.ts): the moo lexer without blanks and comments. */
export const lineLexer = {
  reset(chunk: string, info?: moo.LexerState): void {
    base.reset(chunk, info);
  },
  next(): moo.Token | undefined {
    let t = base.next();
    while (t && SKIPPED.has(t.type ?? '')) t = base.next();
    return t;
  },
  save(): moo.LexerState {
    return base.save();
  },
  formatError(token: moo.Token, message?: string): string {
    return base.formatError(token, message);
  },
  has(name: string): boolean {
    return base.has(name);
  },
};
