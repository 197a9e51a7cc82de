import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { oneErrorLine, runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const guest = (name: string) => new URL(`../../guests/${name}`, import.meta.url).pathname;

function source(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Every kind of instruction effect, a console byte, a breakpoint into a handler
// that halts with the cause (6).
const SMALL = source('small.s', `; small.s
        .text
        .global _start
_start:
        li      a0, 5
        la      t0, value
        sw      a0, 0(t0)
        lbu     t1, 1(t0)
        addi    t1, a0, 60
        out     t1, 0x10
        la      t2, handler
        mtcr    tvec, t2
        brk
        halt    zero
handler:
        mfcr    a1, cause
        halt    a1

        .data
value:  .word   0x11223344
`);

const SMALL_TEXT = [
  '       1  0x00001000  r0  addi a0, zero, 5                a0=0x00000005                           ; _start small.s:5',
  '       2  0x00001004  r0  lui t0, 0x0                     t0=0x00000000                           ; _start+0x4 small.s:6',
  '       3  0x00001008  r0  ori t0, t0, 0x2000              t0=0x00002000                           ; _start+0x8 small.s:6',
  '       4  0x0000100c  r0  sw a0, 0(t0)                    store.w 0x00002000=0x00000005           ; _start+0xc small.s:7',
  '       5  0x00001010  r0  lbu t1, 1(t0)                   t1=0x00000000 load.b 0x00002001=0x00    ; _start+0x10 small.s:8',
  '       6  0x00001014  r0  addi t1, a0, 60                 t1=0x00000041                           ; _start+0x14 small.s:9',
  '       7  0x00001018  r0  out t1, 0x10(zero)                                                      ; _start+0x18 small.s:10',
  '       7  io          out port 0x10 <- 0x00000041 (console)',
  '       8  0x0000101c  r0  lui t2, 0x0                     t2=0x00000000                           ; _start+0x1c small.s:11',
  '       9  0x00001020  r0  ori t2, t2, 0x1030              t2=0x00001030                           ; _start+0x20 small.s:11',
  '      10  0x00001024  r0  mtcr tvec, t2                   tvec=0x00001030                         ; _start+0x24 small.s:12',
  '      11  0x00001028  r0  brk                             (trapped)                               ; _start+0x28 small.s:13',
  '      11  exception   breakpoint (cause 0x00000006) pc 0x00001028 epc 0x00001028 -> vector',
  '      12  0x00001030  r0  mfcr a1, cause                  a1=0x00000006                           ; handler small.s:16',
  '      13  0x00001034  r0  halt a1                                                                 ; handler+0x4 small.s:17',
  '      13  halt        exit code 6',
  '-- halted with exit code 6 after 13 steps',
];

function jsonl(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('virtlab trace: a small program, exactly', () => {
  test('text: every instruction with its effects, the io and exception events; console on stderr; exit code from halt', async () => {
    const r = await runCli(['trace', SMALL]);
    expect(r.stdout).toBe(SMALL_TEXT.join('\n') + '\n');
    expect(r.stderr).toBe('A'); // the guest's console byte, kept off stdout
    expect(r.code).toBe(6);
  });

  test('jsonl: the same run, one object per line with stable fields', async () => {
    const r = await runCli(['trace', SMALL, '--format', 'jsonl']);
    expect(r.code).toBe(6);
    const recs = jsonl(r.stdout);
    expect(recs.map((x) => `${x.type}:${x.step}`)).toEqual([
      'insn:1', 'insn:2', 'insn:3', 'insn:4', 'insn:5', 'insn:6', 'insn:7', 'io:7', 'insn:8', 'insn:9', 'insn:10',
      'insn:11', 'exception:11', 'insn:12', 'insn:13', 'halt:13',
    ]);
    expect(recs[0]).toEqual({
      type: 'insn', step: 1, pc: 0x1000, ring: 0, word: 0x20400005, disasm: 'addi a0, zero, 5', sym: '_start',
      src: `${SMALL}:5`, retired: true, regs: [{ reg: 'a0', value: 5 }], cr: [], mem: [],
    });
    expect(recs[3]).toMatchObject({ disasm: 'sw a0, 0(t0)', regs: [], mem: [{ kind: 'write', vaddr: 0x2000, paddr: 0x2000, size: 4, value: 5 }] });
    // The byte after the stored 5 (little-endian) is 0, not the 0x33 the image had there.
    expect(recs[4]).toMatchObject({ regs: [{ reg: 't1', value: 0 }], mem: [{ kind: 'read', vaddr: 0x2001, paddr: 0x2001, size: 1, value: 0 }] });
    expect(recs[7]).toEqual({ type: 'io', step: 7, dir: 'out', port: 0x10, value: 65, device: 'console' });
    expect(recs[10]).toMatchObject({ disasm: 'mtcr tvec, t2', regs: [], cr: [{ cr: 'tvec', value: 0x1030 }] });
    expect(recs[11]).toMatchObject({ disasm: 'brk', retired: false, regs: [], mem: [] });
    expect(recs[12]).toEqual({
      type: 'exception', step: 11, cause: 6, code: 6, name: 'breakpoint', detail: [], pc: 0x1028, epc: 0x1028,
      faultaddr: null, delivered: 'vector',
    });
    expect(recs[13]).toMatchObject({ pc: 0x1030, sym: 'handler', regs: [{ reg: 'a1', value: 6 }] });
    expect(recs[15]).toEqual({ type: 'halt', step: 13, code: 6 });
    for (const line of r.stdout.trim().split('\n')) expect(line.startsWith('{"type":"')).toBe(true);
  });

  test('a page fault: the trapped load, its walk and the exception with detail bits', async () => {
    const r = await runCli(['trace', guest('exceptions/pagefault.s'), '--format', 'jsonl', '--events', 'mmu,exception']);
    expect(r.code).toBe(0);
    const recs = jsonl(r.stdout);
    const faults = recs.filter((x) => x.type === 'exception');
    expect(faults).toMatchObject([
      { code: 3, cause: 0x003, detail: [], faultaddr: 0x300000, delivered: 'vector' },
      { code: 3, cause: 0x903, detail: ['write', 'present'], faultaddr: 0x301000, delivered: 'vector' },
    ]);
    // The missing page: the walk finds a not-present table entry and reports the fault it raised.
    const missWalk = recs[recs.indexOf(faults[0]!) - 1];
    expect(missWalk).toMatchObject({ type: 'walk', vaddr: 0x300000, access: 'read', pte: 0, paddr: null, fault: 0x003 });
    expect(recs.filter((x) => x.type === 'tlb-flush')).toEqual([
      expect.objectContaining({ vaddr: null }), expect.objectContaining({ vaddr: null }), // mtcr ptbr, then PG on
    ]);
  });
});

describe('--events', () => {
  test('keeps only the kinds asked for', async () => {
    const r = await runCli(['trace', SMALL, '--events', 'exception,io']);
    expect(r.stdout).toBe([SMALL_TEXT[7], SMALL_TEXT[12], SMALL_TEXT.at(-1)].join('\n') + '\n');
  });

  test('insn includes halt; interrupt includes idle', async () => {
    const wfi = source('wfi.s', `_start:
        la      t0, handler
        mtcr    tvec, t0
        li      t0, 50
        out     t0, 0x20
        sti
        wfi
        nop
handler:
        halt    zero
`);
    const r = await runCli(['trace', wfi, '--format', 'jsonl', '--events', 'interrupt']);
    expect(r.code).toBe(0);
    // The out (step 5) sees clock 4 and sets the deadline to 54; once wfi (step 7) retires the
    // clock is 7, so wfi idles 47 ticks and the interrupt is the next step.
    expect(jsonl(r.stdout)).toEqual([
      { type: 'idle', step: 7, ticks: 47 },
      { type: 'interrupt', step: 8, line: 0, cause: 0x80000000, epc: 0x101c, delivered: 'vector' },
    ]);
    const insn = jsonl((await runCli(['trace', wfi, '--format', 'jsonl', '--events', 'insn'])).stdout);
    expect(new Set(insn.map((x) => x.type))).toEqual(new Set(['insn', 'halt']));
  });

  test('mmio accesses are io records', async () => {
    const mmio = source('mmio.s', `_start:
        lui     t0, 0xf000
        li      t1, 'Z'
        sb      t1, 0(t0)
        lw      t2, 4(t0)
        halt    zero
`);
    const r = await runCli(['trace', mmio, '--format', 'jsonl', '--events', 'io']);
    expect(r.stderr).toBe('Z');
    expect(jsonl(r.stdout)).toEqual([
      { type: 'mmio', step: 3, dir: 'write', paddr: 0xf0000000, size: 1, value: 90, device: 'console' },
      { type: 'mmio', step: 4, dir: 'read', paddr: 0xf0000004, size: 4, value: 0, device: 'console' },
    ]);
  });

  test.each([
    ['bogus', /unknown event kind 'bogus'; kinds are insn, exception, interrupt, io, mmu, monitor, net, sriov, dma \(or all\)/],
    ['insn,excepton', /unknown event kind 'excepton' \(did you mean exception\?\)/],
  ])('%s: usage error', async (kinds, message) => {
    const r = await runCli(['trace', SMALL, '--events', kinds]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('--start-at', () => {
  test('a symbol: records begin at its first execution; the steps before still ran', async () => {
    const r = await runCli(['trace', SMALL, '--start-at', 'handler']);
    expect(r.stdout).toBe(SMALL_TEXT.slice(13).join('\n') + '\n');
    expect(r.stderr).toBe('A');
    expect(r.code).toBe(6);
  });

  test('an address, and the entry point (everything)', async () => {
    expect((await runCli(['trace', SMALL, '--start-at', '0x1028'])).stdout).toBe(SMALL_TEXT.slice(11).join('\n') + '\n');
    expect((await runCli(['trace', SMALL, '--start-at', '_start'])).stdout).toBe(SMALL_TEXT.join('\n') + '\n');
  });

  test('never reached: nothing traced, a note and a warning, the guest\'s exit code', async () => {
    const r = await runCli(['trace', SMALL, '--start-at', '0x1fff0']);
    expect(r.stdout).toBe('-- start address 0x0001fff0 never reached; halted with exit code 6 after 13 steps\n');
    expect(r.stderr).toBe('Avirtlab: warning: --start-at 0x1fff0 was never reached; nothing traced\n');
    expect(r.code).toBe(6);
  });

  test.each([
    ['handlr', /--start-at 'handlr' is neither a symbol of the program nor an address \(did you mean handler\?\)/],
    ['0x1002', /--start-at '0x1002' is 0x1002, not 4-aligned/],
  ])('%s: usage error', async (at, message) => {
    const r = await runCli(['trace', SMALL, '--start-at', at]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(message);
  });
});

describe('--limit', () => {
  test('text: N records, a closing line, and the guest stops (exit 0)', async () => {
    const r = await runCli(['trace', SMALL, '--limit', '3']);
    expect(r.stdout).toBe([...SMALL_TEXT.slice(0, 3), '-- trace limit of 3 records reached at step 3; guest stopped'].join('\n') + '\n');
    expect(r.stderr).toBe(''); // the out at step 7 never ran
    expect(r.code).toBe(0);
  });

  test('jsonl: exactly N lines; the limit counts the records kept, not the steps', async () => {
    const r = await runCli(['trace', SMALL, '--format', 'jsonl', '--limit', '2', '--events', 'io,exception']);
    expect(jsonl(r.stdout).map((x) => x.type)).toEqual(['io', 'exception']);
    expect(r.stdout.split('\n')).toHaveLength(3);
    expect(r.code).toBe(0);
  });

  test('a limit larger than the trace changes nothing', async () => {
    const r = await runCli(['trace', SMALL, '--limit', '1000']);
    expect(r.stdout).toBe(SMALL_TEXT.join('\n') + '\n');
    expect(r.code).toBe(6);
  });

  test.each(['0', '-3', 'ten'])('--limit %s: usage error', async (n) => {
    const r = await runCli(['trace', SMALL, '--limit', n]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(/--limit/);
  });
});

describe('-o FILE', () => {
  test('the trace goes to the file, the guest console to stdout', async () => {
    const out = join(dir, 'small.trace');
    const r = await runCli(['trace', SMALL, '-o', out]);
    expect(r).toEqual({ code: 6, stdout: 'A', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(SMALL_TEXT.join('\n') + '\n');
  });

  test('a file that cannot be written: one line, exit 1', async () => {
    const r = await runCli(['trace', SMALL, '-o', join(dir, 'no', 'such', 'dir.trace')]);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/^virtlab: cannot write '.*dir\.trace': no such file or directory$/);
  });
});

describe('bad input', () => {
  test('--format must be text or jsonl', async () => {
    const r = await runCli(['trace', SMALL, '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(/--format.*'xml' is invalid.*text, jsonl/);
  });

  test('a missing program', async () => {
    const r = await runCli(['trace', join(dir, 'missing.s')]);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/cannot read '.*missing\.s': no such file or directory/);
    expect(existsSync(join(dir, 'missing.trace'))).toBe(false);
  });

  test('exit codes follow run: an unhandled trap is 125, a used-up budget 124', async () => {
    const trap = await runCli(['trace', source('brk.s', '_start: brk\n'), '--format', 'jsonl']);
    expect(trap.code).toBe(125);
    expect(jsonl(trap.stdout).at(-1)).toMatchObject({ type: 'exception', code: 6, delivered: 'unhandled' });
    expect(oneErrorLine(trap)).toMatch(/^virtlab: unhandled trap: breakpoint/);
    const loop = await runCli(['trace', source('loop.s', '_start: j _start\n'), '--max-steps', '5']);
    expect(loop.code).toBe(124);
    expect(loop.stdout.trim().split('\n')).toHaveLength(6); // five steps and the closing line
    expect(loop.stdout).toMatch(/-- step budget used up after 5 steps\n$/);
  });
});

describe('tinyos', () => {
  test('two traces are identical, and agree with the counters of run --json', async () => {
    const a = await runCli(['trace', guest('tinyos/tinyos.s'), '--format', 'jsonl']);
    const b = await runCli(['trace', guest('tinyos/tinyos.s'), '--format', 'jsonl']);
    expect(a.code).toBe(0);
    expect(a.stdout === b.stdout).toBe(true);
    expect(a.stderr).toBe(b.stderr);
    const run = JSON.parse((await runCli(['run', guest('tinyos/tinyos.s'), '--json'])).stdout);
    expect(a.stderr).toBe(run.console);
    const count: Record<string, number> = {};
    let retired = 0;
    for (const line of a.stdout.split('\n')) {
      if (line === '') continue;
      const rec = JSON.parse(line) as { type: string; retired?: boolean };
      count[rec.type] = (count[rec.type] ?? 0) + 1;
      if (rec.retired) retired++;
    }
    const c = run.counters;
    expect(retired).toBe(c.instructions);
    expect(count.insn).toBe(c.instructions + c.exceptions); // no fetch faults in tinyos
    expect(count.exception).toBe(c.exceptions);
    expect(count.interrupt).toBe(c.interrupts);
    expect(count.walk).toBe(c.tlbWalks);
    expect(count['tlb-flush']).toBe(c.tlbFlushes + c.tlbInvalidations);
    expect(count.io).toBe(c.ioReads + c.ioWrites);
    expect(count.halt).toBe(1);
  });
});
