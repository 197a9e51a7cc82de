// The hand-written line parser against the grammar it implements: on every
// line of the repository's sources, on hand-picked lines and on random token
// sequences, parse.ts and grammar/asm.ne (run by nearley) must give the same
// tree or the same error at the same position.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/asm/parse.js';
import { parseLineReference } from '../../src/asm/parse-reference.js';

function same(line: string): void {
  expect(parseLine(line), line).toEqual(parseLineReference(line));
}

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourcesUnder(p));
    else if (e.isFile() && /\.(s|inc)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('line parser agrees with grammar/asm.ne', () => {
  it('on every line of the repository sources (guests/ and test/)', () => {
    const root = path.resolve(__dirname, '../..');
    const files = [...sourcesUnder(path.join(root, 'guests')), ...sourcesUnder(path.join(root, 'test'))];
    expect(files.length).toBeGreaterThan(10);
    let lines = 0;
    for (const f of files) {
      for (const line of fs.readFileSync(f, 'utf8').split(/\r?\n/)) {
        same(line);
        lines++;
      }
    }
    expect(lines).toBeGreaterThan(1000);
  });

  it('on hand-picked lines, good and bad', () => {
    const lines = [
      '', '   ; only a comment', 'foo:', 'foo: bar: 1: nop', '1:', '0x10: nop', 'nop', '.word 1, 2, 3',
      'lw t0, 4(sp)', 'lw t0, (sp)', 'lw t0, -4(sp)', 'lw t0, a+1(sp)', 'lw t0, (a)(sp)', 'lw t0, %lo(x)(t1)', 'sw t0, 4(1+2)',
      'lui t0, %hi(x)', 'li t0, a%hi', 'li t0, a % hi(2)', '.word %HI (1), %lo(2)',
      '.word -~+!1', '.word 1+2*3<<4>>5&6|7^8==9!=10<11<=12>13>=14&&15||16', '.word ((1))', '.word -(1+2)*3',
      '.word 1b, 2f, ., .+4', ".byte 'a', '\\n', '\\x41'", '.ascii "hi", "there\\n"', '.asciz "a" , "b"',
      '.word 1 - - 2', '.word 1 + (2 * (3 - 4)) / 5 % 6',
      // errors
      'add t0, t0,', 'lw t0, 4(sp', 'add t0 t1', '1', '1 nop', '1 2', ',', 'foo: )', 'nop )', 'nop ,', '.word 1 2',
      '.word (1', '.word (1 2)', '.word (a (b))', '.word 1 +', '.word 1 + )', '.word "a" + 1', '.word 1 + "a"',
      'lw t0, 4(sp)(t1)', 'lw t0, 4(sp) + 1', 'lw t0, 4(sp x', 'foo bar: baz', '.word 1, , 2', '.word ,', '.word 1,',
      'foo a = 1', '1f: nop', 'nop 1:', '%hi(1)', '.word %hi(1', '.word %lo()', '.word ()', '.word 1)', ':',
      '.word "abc" "def"', '.word 1 ; comment', 'bad @', '.ascii "open', ".byte 'ab'", '.word 12ab', '.ascii "\\q"',
    ];
    for (const line of lines) same(line);
  });

  it('on random token sequences', () => {
    const alphabet = [
      'a', 'sp', '.', '.word', '1', '0x2', '1b', "'c'", '"s"', '%hi', '%lo(', '(', ')', ',', ':', '+', '-', '*', '~', '!',
      '<<', '==', '&&', '||', '=', ';x',
    ];
    const next = rng(12345);
    for (let n = 0; n < 4000; n++) {
      const len = Math.floor(next() * 9);
      const parts: string[] = [];
      for (let k = 0; k < len; k++) parts.push(alphabet[Math.floor(next() * alphabet.length)]!);
      same(parts.join(next() < 0.5 ? ' ' : ''));
    }
  });

  it('on random well-formed expressions', () => {
    const next = rng(777);
    const ops = ['||', '&&', '|', '^', '&', '==', '!=', '<', '<=', '>', '>=', '<<', '>>', '+', '-', '*', '/', '%'];
    // Grown by rewriting a random operand, so no recursion and any shape is possible.
    for (let n = 0; n < 500; n++) {
      let parts = ['x'];
      for (let k = Math.floor(next() * 12); k > 0; k--) {
        const at = parts.indexOf('x', Math.floor(next() * parts.length));
        const i = at < 0 ? parts.indexOf('x') : at;
        const r = next();
        const repl = r < 0.5 ? ['x', ops[Math.floor(next() * ops.length)]!, 'x'] : r < 0.7 ? ['(', 'x', ')'] : r < 0.85 ? ['-', 'x'] : ['%lo(', 'x', ')'];
        parts = [...parts.slice(0, i), ...repl, ...parts.slice(i + 1)];
      }
      const leaves = ['1', 'a', '.', '2f', "'z'"];
      const expr = parts.map((p) => (p === 'x' ? leaves[Math.floor(next() * leaves.length)]! : p)).join(' ');
      same(`.word ${expr}`);
      same(`lw t0, ${expr}(sp)`);
    }
  });
});
