// The assembler and the debugger under random input: token streams from the
// assembler's token classes, mutations of the shipped guests, inputs that
// stress nesting and sizes (small here; campaigns go large), and random
// debugger scripts. Every case must keep the CLI's contract (src/fuzz/cli-check.ts):
// one line per diagnostic with file:line:column, exit code 0 or 1, no internal
// error, no stack trace, within a time bound.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { guestSources, mutationCase, stressCase, tokenCase } from '../../src/fuzz/asm-cases.js';
import { asmProblem, debugProblem, inProcess, runAsmCase, runDebugCase, Workspace, type CliCaseResult } from '../../src/fuzz/cli-check.js';
import { debugCase, debugStressCase } from '../../src/fuzz/debug-cases.js';
import { suiteSeeds } from './helpers.js';

// Generous: the suite shares two cores; a real hang or quadratic blow-up takes far longer.
const LIMIT_MS = 10_000;

let ws: Workspace;
beforeAll(() => { ws = new Workspace(); });
afterAll(() => ws.dispose());

const problems = (rs: CliCaseResult[]) => rs.filter((r) => r.problem).map((r) => `${r.origin}: ${r.problem}`);

describe('assembler fuzzing', () => {
  test('random token streams: one-line diagnostics, never an internal error', async () => {
    const rs: CliCaseResult[] = [];
    for (const s of suiteSeeds(120)) rs.push(await runAsmCase(ws, tokenCase(s), inProcess, LIMIT_MS));
    expect(problems(rs)).toEqual([]);
  });

  test('mutated guests: the same, and some mutants still assemble', async () => {
    const files = guestSources(ws.guests);
    let ok = 0;
    const rs: CliCaseResult[] = [];
    for (const s of suiteSeeds(60, 1000)) {
      const c = mutationCase(s, ws.guests, files);
      const r = await runAsmCase(ws, c, inProcess, LIMIT_MS);
      rs.push(r);
      if (r.code === 0) ok++;
    }
    expect(problems(rs)).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(rs.length);
  });

  test('deep nesting, recursion, huge counts at a moderate scale', async () => {
    const rs: CliCaseResult[] = [];
    for (const s of suiteSeeds(25, 2000)) rs.push(await runAsmCase(ws, stressCase(s, 300), inProcess, LIMIT_MS));
    expect(problems(rs)).toEqual([]);
  });
});

describe('debugger fuzzing', () => {
  test('random command scripts on small guests, native and under trap and bt', async () => {
    const rs: CliCaseResult[] = [];
    for (const s of suiteSeeds(20, 3000)) rs.push(await runDebugCase(ws, debugCase(s), inProcess, LIMIT_MS));
    for (const s of suiteSeeds(6, 4000)) rs.push(await runDebugCase(ws, debugStressCase(s, 200), inProcess, LIMIT_MS));
    expect(problems(rs)).toEqual([]);
  });
});

describe('the output checks themselves', () => {
  const ok = { code: 1, stdout: '', ms: 1 };
  const diag = 'x.s:3:7: error: bad number\n  li t0, 0x\n        ^\n';
  test('accept diagnostics with their source line and caret, and the error count', () => {
    expect(asmProblem({ ...ok, stderr: `${diag}virtlab: 1 error\n` }, 100)).toBeUndefined();
    expect(asmProblem({ ...ok, stderr: `${diag}${diag}virtlab: 2 errors\n` }, 100)).toBeUndefined();
    expect(asmProblem({ ...ok, code: 0, stderr: 'x.s:1:1: warning: w\n' }, 100)).toBeUndefined();
    // Past the first diagnostics only a count (src/cli/program.ts).
    expect(asmProblem({ ...ok, stderr: `${diag}${diag}virtlab: 7 errors (the first 2 diagnostics shown, 5 more not)\n` }, 100)).toBeUndefined();
    expect(asmProblem({ ...ok, code: 0, stderr: 'x.s:1:1: warning: w\nvirtlab: 3 more warnings not shown\n' }, 100)).toBeUndefined();
  });
  test('refuse internal errors, stack traces, stray lines, wrong counts, exit codes and slowness', () => {
    expect(asmProblem({ ...ok, code: 70, stderr: 'virtlab: internal error: TypeError: x\n' }, 100)).toMatch(/^internal error/);
    expect(asmProblem({ ...ok, stderr: `${diag}    at parse (/src/asm/parse.ts:10:5)\nvirtlab: 1 error\n` }, 100)).toMatch(/stack trace/);
    expect(asmProblem({ ...ok, stderr: `${diag}more detail\nvirtlab: 1 error\n` }, 100)).toMatch(/neither a diagnostic/);
    expect(asmProblem({ ...ok, stderr: `${diag}virtlab: 2 errors\n` }, 100)).toMatch(/but 1 error diagnostics/);
    expect(asmProblem({ ...ok, stderr: diag }, 100)).toMatch(/without the closing/);
    expect(asmProblem({ ...ok, stderr: `${diag}virtlab: 7 errors (the first 2 diagnostics shown, 5 more not)\n` }, 100)).toMatch(/but 1 diagnostics/);
    expect(asmProblem({ ...ok, code: 2, stderr: 'virtlab: usage\n' }, 100)).toMatch(/exit code 2/);
    expect(asmProblem({ ...ok, ms: 101, stderr: `${diag}virtlab: 1 error\n` }, 100)).toMatch(/took 101 ms/);
    expect(debugProblem({ code: 0, stdout: '(vl) p 1\ninternal error: RangeError: x\n', stderr: '', ms: 1 }, 100)).toMatch(/^internal error/);
    expect(debugProblem({ code: 1, stdout: '', stderr: 'virtlab: 1 debugger command failed\n', ms: 1 }, 100)).toMatch(/exit code 1/);
  });
});
