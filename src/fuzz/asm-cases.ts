// Inputs for the assembler fuzzer: random token streams built from the
// assembler's own token classes (mnemonics from the ISA table and the pseudo
// table, registers, directives, numbers, operators, strings, labels, macros,
// conditionals, includes) and mutations of the shipped guests (lines
// deleted, duplicated, swapped; characters flipped; a tail cut off). Sizes
// stay moderate: a case is one file of at most a few hundred lines.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DIRECTIVE_NAMES } from '../asm/index.js';
import { PSEUDO_NAMES } from '../asm/pseudo.js';
import { ABI_NAMES, CR_NAMES, INSTRUCTIONS } from '../isa/index.js';
import { Rng } from './rng.js';

export interface AsmCase {
  /** Where the source goes, relative to the guests tree copy (includes resolve from there). */
  path: string;
  source: string;
  defines: string[];
  /** What made it, for the report. */
  origin: string;
}

const MNEMONICS = [...INSTRUCTIONS.map((d) => d.mnemonic), ...PSEUDO_NAMES];
const REGS = [...ABI_NAMES, ...Array.from({ length: 16 }, (_, i) => `r${i}`), 'r16', 'r-1', 'pc', ...CR_NAMES];
const NUMBERS = ['0', '1', '-1', '42', '0x7fff', '0x8000', '0xffff', '0x10000', '-32768', '-32769', '0xffffffff', '0x100000000',
  '4294967296', '0b1011', '0o17', "'a'", "'\\n'", "'\\x41'", "''", "'ab'", '0x', '08', '1e3', '99999999999999999999'];
const OPERATORS = ['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~', '(', ')', ',', ':', '.', '%hi(', '%lo(', '!', '==', '$'];
const STRINGS = ['"hello"', '"a\\n\\t\\0"', '"\\x41\\101"', '"unterminated', '""', '"\\q"', '"é"'];
const LABELS = ['foo', 'bar', '_start', 'loop', '1', '2', '1f', '1b', '2f', '.', 'L.a$b', 'x'];
const MACRO_BITS = ['\\x', '\\@', '\\', '\\reg', 'n=1', 'reg'];
const INCLUDES = ['"/dev/null"', '"lib/priv.inc"', '"no-such-file.inc"', '"."', '"/"', '""', '"case.s"'];

function token(r: Rng): string {
  switch (r.int(11)) {
    case 0: case 1: return r.pick(MNEMONICS);
    case 2: case 3: return r.pick(REGS);
    case 4: return r.pick(DIRECTIVE_NAMES);
    case 5: case 6: return r.pick(NUMBERS);
    case 7: return r.pick(OPERATORS);
    case 8: return r.pick(STRINGS);
    case 9: return r.pick(LABELS) + (r.chance(0.3) ? ':' : '');
    default: return r.pick(MACRO_BITS);
  }
}

/** One line: mostly statement-shaped (label, mnemonic or directive, operands), sometimes any tokens. */
function randomLine(r: Rng): string {
  if (r.chance(0.2)) return Array.from({ length: r.int(8) }, () => token(r)).join(r.chance(0.5) ? ' ' : '');
  const parts: string[] = [];
  if (r.chance(0.25)) parts.push(`${r.pick(LABELS)}:`);
  const head = r.int(10);
  if (head < 6) parts.push(r.pick(MNEMONICS));
  else if (head < 9) parts.push(r.pick(DIRECTIVE_NAMES));
  else if (head < 10) parts.push('.include', r.pick(INCLUDES));
  const operands = Array.from({ length: r.int(4) }, () => {
    const t = r.int(4);
    if (t === 0) return `${r.pick(NUMBERS)}(${r.pick(REGS)})`;
    if (t === 1) return [token(r), r.pick(OPERATORS), token(r)].join(r.chance(0.5) ? ' ' : '');
    return token(r);
  });
  parts.push(operands.join(', '));
  if (r.chance(0.15)) parts.push(`; ${token(r)}`);
  return parts.join(' ').trimEnd();
}

/** A macro or conditional wrapped around a few lines, balanced or not. */
function structure(r: Rng, lines: () => string[]): string[] {
  switch (r.int(4)) {
    case 0: return [`.macro ${r.pick(['m', 'inc', 'add', 'x'])} ${r.pick(['', 'reg', 'reg, n=1', 'a, b'])}`, ...lines(), ...(r.chance(0.85) ? ['.endm'] : [])];
    case 1: return [`${r.pick(['.if', '.ifdef', '.ifndef'])} ${r.pick(['PV', 'FOO', '1', '0', 'x +'])}`, ...lines(), ...(r.chance(0.3) ? ['.else', ...lines()] : []), ...(r.chance(0.85) ? ['.endif'] : [])];
    case 2: return ['.data', ...lines(), '.text'];
    default: return [`${r.pick(['m', 'inc', 'x'])} ${r.pick(REGS)}, ${r.pick(NUMBERS)}`];
  }
}

export function tokenCase(seed: number, maxLines = 40): AsmCase {
  const r = new Rng(seed);
  const out: string[] = r.chance(0.5) ? ['        .text', '_start:'] : [];
  const n = 1 + r.int(maxLines);
  const some = () => Array.from({ length: 1 + r.int(4) }, () => randomLine(r));
  while (out.length < n) out.push(...(r.chance(0.15) ? structure(r, some) : [randomLine(r)]));
  return { path: 'case.s', source: out.join(r.chance(0.1) ? '\r\n' : '\n') + (r.chance(0.9) ? '\n' : ''), defines: r.chance(0.2) ? ['PV'] : [], origin: `tokens seed ${seed}` };
}

/** Shipped guest programs (paths relative to guests/), not the includes. */
export function guestSources(guests: string): string[] {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : f.endsWith('.s') ? [relative(guests, p)] : [];
  });
  return walk(guests).sort();
}

const FLIPS = [' ', ',', ':', '(', ')', '"', "'", '\\', ';', '.', '0', 'x', '-', '%', '\t', '\n', 'é', '\u0000'];

export function mutationCase(seed: number, guests: string, files: readonly string[]): AsmCase {
  const r = new Rng(seed);
  const file = r.pick(files);
  let lines = readFileSync(join(guests, file), 'utf8').split('\n');
  const done: string[] = [];
  for (let k = 1 + r.int(4); k > 0; k--) {
    const i = r.int(lines.length);
    switch (r.int(7)) {
      case 0: lines.splice(i, 1 + r.int(3)); done.push('delete'); break;
      case 1: lines.splice(i, 0, ...lines.slice(i, i + 1 + r.int(3))); done.push('duplicate'); break;
      case 2: { const j = r.int(lines.length); [lines[i], lines[j]] = [lines[j]!, lines[i]!]; done.push('swap'); break; }
      case 3: case 4: { // flip characters
        const line = lines[i] ?? '';
        const at = r.int(line.length + 1);
        lines[i] = line.slice(0, at) + r.pick(FLIPS) + line.slice(at + (r.chance(0.5) ? 1 : 0));
        done.push('flip');
        break;
      }
      case 5: { const text = lines.join('\n'); lines = text.slice(0, r.int(text.length + 1)).split('\n'); done.push('truncate'); break; }
      default: lines.splice(i, 0, randomLine(r)); done.push('insert'); break;
    }
  }
  // The mutant sits beside the original (its includes resolve the same way), under another name.
  const path = file.replace(/\.s$/, '.fuzz.s');
  return { path, source: lines.join('\n'), defines: r.chance(0.3) ? ['PV'] : [], origin: `mutation seed ${seed} of ${file} (${done.join(', ')})` };
}

/**
 * Inputs that stress the assembler's limits rather than its grammar: deep
 * nesting (parentheses, unary operators, conditionals), long operator chains,
 * recursive and exponentially expanding macros, a file that includes itself,
 * huge counts in directives, one very long line. `scale` sets the depth or
 * length (the suite keeps it small; campaigns go large).
 */
export function stressCase(seed: number, scale: number): AsmCase {
  const r = new Rng(seed);
  const n = 1 + r.int(scale);
  const kinds: Array<[string, () => string]> = [
    ['parentheses', () => `        .word ${'('.repeat(n)}1${')'.repeat(n)}`],
    ['unary chain', () => `        .word ${Array.from({ length: n }, () => r.pick(['-', '~', '+', '!'])).join(' ')} 1`],
    ['operator chain', () => `        .word 1${Array.from({ length: n }, () => ` ${r.pick(['+', '-', '*', '|', '<<', '&'])} ${r.int(9)}`).join('')}`],
    ['nested conditionals', () => [...Array.from({ length: n }, () => '.if 1'), '        nop', ...Array.from({ length: n }, () => '.endif')].join('\n')],
    ['unclosed conditionals', () => Array.from({ length: n }, () => '.ifdef X').join('\n')],
    ['recursive macro', () => '.macro m\n        m\n.endm\n        m'],
    ['mutually recursive macros', () => '.macro a\n        b\n.endm\n.macro b\n        a\n.endm\n        a'],
    // 2^depth lines: at campaign scales far past the assembler's expansion bound.
    ['exponential macros', () => { const d = Math.min(n, Math.ceil(scale / 25), 40); return ['.macro m0\n        nop\n.endm', ...Array.from({ length: d }, (_, i) => `.macro m${i + 1}\n        m${i}\n        m${i}\n.endm`), `        m${d}`].join('\n'); }],
    ['self include', () => '        .include "case.s"'],
    ['huge directive counts', () => r.pick(['        .space 0x7fffffff', '        .org 0xfffffff0\n        nop\n        nop\n        nop\n        nop\n        nop', '        .align 0x80000000', '.data\n        .space 0xffffffff, 1', '        .space 67108865'])],
    ['long line', () => `        .ascii "${'x'.repeat(n * 10)}"`],
    ['many labels', () => Array.from({ length: n }, (_, i) => `l${i}: .word l${(i * 7919) % n}`).join('\n')],
    ['long macro argument list', () => `.macro m ${Array.from({ length: n }, (_, i) => `p${i}`).join(', ')}\n        nop\n.endm\n        m ${Array.from({ length: n }, (_, i) => i).join(', ')}`],
  ];
  const [name, make] = r.pick(kinds);
  return { path: 'case.s', source: `        .text\n_start:\n${make()}\n`, defines: [], origin: `stress seed ${seed}: ${name} (${n})` };
}
