// The preprocessor's bounds: total macro expansion, macro depth, include depth
// and count, and source sizes. Each is an error at file:line:column, on one line.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { DEFAULT_MAX_EXPANSION_LINES, MAX_INCLUDE_DEPTH, MAX_INCLUDES, MAX_SOURCE_BYTES, MAX_TOTAL_SOURCE_BYTES, MAX_TOTAL_SOURCE_LINES } from '../../src/asm/limits.js';
import { asm, errors, ok, textWords } from './helpers.js';

/** A macro `d` that calls itself twice per level: 2^n lines for `d n`. */
const DOUBLING = ['.macro d n', '.if \\n', 'd \\n-1', 'd \\n-1', '.else', 'nop', '.endif', '.endm'].join('\n');

describe('total macro expansion', () => {
  it('a macro that doubles itself 30 times stops at the bound, naming the chain of calls', () => {
    const e = errors(`${DOUBLING}\nd 30`);
    expect(e).toHaveLength(1);
    // At the top-level call; the chain from the outermost call inwards, abbreviated with a count.
    expect(e[0]).toMatch(new RegExp(`^main\\.s:9:1: macro expansion exceeds ${DEFAULT_MAX_EXPANSION_LINES} lines \\(raise the bound with --max-expansion\\); calls: d at main\\.s:9 -> d at main\\.s:3 -> d at main\\.s:3 -> \\.\\.\\. \\d+ more \\.\\.\\. -> d at main\\.s:[34] -> d at main\\.s:[34] -> d at main\\.s:[34]$`));
  });
  it('the bound can be raised or lowered (maxExpansion)', () => {
    const run = (n: number, maxExpansion: number) => assemble(`${DOUBLING}\nd ${n}`, { file: 'main.s', maxExpansion }).diagnostics.map((d) => d.message);
    // d 3 expands to 8 nops plus 7 internal levels of 6 body lines.
    expect(run(3, 1000)).toEqual([]);
    expect(run(3, 20)[0]).toMatch(/^macro expansion exceeds 20 lines/);
    expect(run(10, 20)).toHaveLength(1);
  });
  it('counts exactly: a bound equal to the lines produced is enough', () => {
    const src = '.macro m\nnop\nnop\nnop\n.endm\nm\nm';
    expect(assemble(src, { file: 'main.s', maxExpansion: 6 }).diagnostics).toEqual([]);
    expect(assemble(src, { file: 'main.s', maxExpansion: 5 }).diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`))
      .toEqual(['7:1: macro expansion exceeds 5 lines (raise the bound with --max-expansion); calls: m at main.s:7']);
  });
  it('an argument that doubles at each level is bounded by characters', () => {
    const src = '.macro g a\n.ifdef NEVER\n\\a\n.endif\ng \\a\\a\n.endm\ng xx';
    const e = errors(src);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^main\.s:7:1: macro expansion exceeds \d+ characters \(raise the bound with --max-expansion\); calls: g at main\.s:7 -> g at main\.s:5/);
  });
  it('the expansion that fits is assembled as before', () => {
    expect(textWords(ok(`${DOUBLING}\nd 4`))).toHaveLength(16);
  });
});

describe('runaway recursion', () => {
  it('the expansion note keeps the first and last three levels and counts the rest', () => {
    const r = asm('.macro r\nr\n.endm\nr');
    expect(r.diagnostics).toHaveLength(1);
    const m = r.diagnostics[0]!.message;
    expect(m).toMatch(/^macro expansion nested more than 100 deep \(is macro r recursive\?\) \(in expansion of macro r at main\.s:2, in expansion of macro r at main\.s:2, in expansion of macro r at main\.s:2, \.\.\. 94 more \.\.\., in expansion of macro r at main\.s:2, in expansion of macro r at main\.s:2, in expansion of macro r at main\.s:4\)$/);
    expect(m.length).toBeLessThan(400);
  });
  it('short chains are shown whole', () => {
    const src = '.macro a\naddi t0, t0, 70000\n.endm\n.macro b\na\n.endm\nb';
    expect(errors(src)).toEqual(['main.s:2:14: immediate 70000 out of range -32768..32767 (in expansion of macro a at main.s:5, in expansion of macro b at main.s:7)']);
  });
});

describe('include bounds', () => {
  it('include depth', () => {
    // n.s includes n+1.s: no cycle, only depth.
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`f${i}.s`] = `.include "f${i + 1}.s"`;
    files['f50.s'] = 'nop';
    const e = errors('.include "f0.s"', files);
    expect(e).toEqual([`f${MAX_INCLUDE_DEPTH - 2}.s:1:10: includes nested more than ${MAX_INCLUDE_DEPTH} deep`]);
  });
  it('number of includes: a file included twice per level', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}.s`] = `.include "f${i + 1}.s"\n.include "f${i + 1}.s"`;
    files['f20.s'] = '';
    const e = errors('.include "f0.s"', files);
    expect(e.length).toBeGreaterThan(0);
    expect(new Set(e.map((x) => x.replace(/^[^ ]+ /, '')))).toEqual(new Set([`more than ${MAX_INCLUDES} .include directives`]));
  });
  it('an include larger than the limit is refused at the .include', () => {
    const big = ';' + 'x'.repeat(MAX_SOURCE_BYTES);
    expect(errors('nop\n  .include "big.s"', { 'big.s': big })).toEqual([
      `main.s:2:12: cannot include 'big.s': ${MAX_SOURCE_BYTES + 1} bytes, more than the ${MAX_SOURCE_BYTES} bytes a source file may hold`,
    ]);
  });
  it('a main source larger than the limit is refused at 1:1', () => {
    const r = assemble(';' + 'x'.repeat(MAX_SOURCE_BYTES), { file: 'huge.s' });
    expect(r.image).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`))
      .toEqual([`huge.s:1:1: ${MAX_SOURCE_BYTES + 1} bytes, more than the ${MAX_SOURCE_BYTES} bytes a source file may hold`]);
  });
  it('the sources read add up to a bounded total', () => {
    // Eight parts and the main source fit; the ninth part does not.
    const part = ';' + 'x'.repeat(MAX_TOTAL_SOURCE_BYTES / 8 - 100);
    const n = 10;
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) files[`p${i}.s`] = part;
    const src = Array.from({ length: n }, (_, i) => `.include "p${i}.s"`).join('\n');
    const e = errors(src, files);
    expect(e[0]).toMatch(new RegExp(`^main\\.s:${n - 1}:10: cannot include 'p${n - 2}\\.s': the sources read add up to more than ${MAX_TOTAL_SOURCE_BYTES} bytes`));
  });
  it('so do their lines', () => {
    // Empty lines: far under the byte bounds, over the line bound on the third inclusion.
    const part = '\n'.repeat(MAX_TOTAL_SOURCE_LINES / 2 - 10);
    const e = errors('.include "p.s"\n.include "p.s"\n.include "p.s"', { 'p.s': part });
    expect(e).toEqual([`main.s:3:10: cannot include 'p.s': the sources read add up to more than ${MAX_TOTAL_SOURCE_LINES} lines (every inclusion counts)`]);
  });
});
