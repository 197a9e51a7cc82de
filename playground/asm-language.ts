// Syntax highlighting of virtlab assembly for CodeMirror 6: a small stream tokenizer, not a second parser.
// It only colours; what a line means (and every error) comes from the real assembler in the worker.
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import type { Extension } from '@codemirror/state';

// Register names as docs/assembler.md lists them (case-insensitive).
const REGISTER = /^(?:r(?:1[0-5]|[0-9])|zero|ra|sp|fp|at|a[0-3]|t[0-3]|s[0-2])\b/i;
const CONTROL_REGISTER = /^(?:status|tvec|ptbr|faultaddr|cause|epc|scratch)\b/i;
const NAME = /^[A-Za-z_.$][\w.$]*/;
const NUMBER = /^(?:0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|\d+[bf]?)\b/i;

interface State {
  /** Still before the statement's mnemonic or directive (labels may come first). */
  head: boolean;
}

export const asmParser = {
  name: 'virtlab-asm',
  startState: (): State => ({ head: true }),
  copyState: (s: State): State => ({ head: s.head }),
  token(stream: StringStream, state: State): string | null {
    if (stream.sol()) state.head = true;
    if (stream.eatSpace()) return null;
    const ch = stream.peek();
    if (ch === ';' || ch === '#') {
      stream.skipToEnd();
      return 'comment';
    }
    if (ch === '"' || ch === "'") {
      stream.next();
      let escaped = false;
      for (let c = stream.next(); c !== undefined; c = stream.next()) {
        if (c === ch && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      return 'string';
    }
    if (state.head) {
      // A local label `1:` or a named label `loop:` may stand before the statement.
      if (stream.match(/^\d+:/)) return 'labelName';
      const label = stream.match(/^[A-Za-z_.$][\w.$]*(?=\s*:)/);
      if (label) {
        stream.eat(':');
        return 'labelName';
      }
      const word = stream.match(NAME) as RegExpMatchArray | null;
      if (word) {
        state.head = false;
        return word[0].startsWith('.') ? 'meta' : 'keyword';
      }
    }
    if (stream.match(REGISTER)) return 'variableName.special';
    if (stream.match(CONTROL_REGISTER)) return 'typeName';
    if (stream.match(NUMBER)) return 'number';
    if (stream.match(NAME)) return 'variableName';
    stream.next();
    return /[-+*/%&|^~<>!=()]/.test(ch ?? '') ? 'operator' : null;
  },
  languageData: { commentTokens: { line: ';' } },
};

const asmHighlight = HighlightStyle.define([
  { tag: t.comment, class: 'tok-comment' },
  { tag: t.string, class: 'tok-string' },
  { tag: t.labelName, class: 'tok-label' },
  { tag: t.keyword, class: 'tok-mnemonic' },
  { tag: t.meta, class: 'tok-directive' },
  { tag: t.special(t.variableName), class: 'tok-register' },
  { tag: t.typeName, class: 'tok-cr' },
  { tag: t.number, class: 'tok-number' },
  { tag: t.variableName, class: 'tok-symbol' },
  { tag: t.operator, class: 'tok-operator' },
]);

/** The language and its colours (the classes are styled in style.css). */
export function virtlabAsm(): Extension {
  return [StreamLanguage.define(asmParser), syntaxHighlighting(asmHighlight)];
}
