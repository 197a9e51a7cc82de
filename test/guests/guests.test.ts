// Every guest program run end to end with `virtlab run`: its exact console
// output and exit code. The trap-reporting programs print
//   trap: cause C, epc E, faultaddr F, from ring R
// and each E is checked against the instruction it must point at.

import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { disassembleWord } from '../../src/isa/index.js';
import { WORKLOADS } from '../../bench/workloads.js';
import { runCli } from '../cli/run.js';

const guestsDir = new URL('../../guests/', import.meta.url).pathname;
const guest = (name: string) => join(guestsDir, name);

function imageOf(name: string): Image {
  const image = assembleFile(guest(name)).image;
  if (!image) throw new Error(`${name} does not assemble`);
  return image;
}

function symbol(image: Image, name: string): number {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

/** The disassembly (no symbols) of the word the image holds at `addr`. */
function insnAt(image: Image, addr: number): string {
  const text = image.sections.find((s) => s.name === '.text')!;
  const off = addr - text.addr;
  const word = new DataView(text.data.buffer, text.data.byteOffset).getUint32(off, true);
  return disassembleWord(word, addr);
}

interface TrapLine { cause: number; epc: number; faultaddr: number; ring: number }

const TRAP_LINE = /^trap: cause 0x([0-9a-f]{8}), epc 0x([0-9a-f]{8}), faultaddr 0x([0-9a-f]{8}), from ring (\d)$/;

function trapLines(stdout: string): TrapLine[] {
  return stdout.split('\n').filter((l) => l.startsWith('trap: ')).map((l) => {
    const m = TRAP_LINE.exec(l);
    if (!m) throw new Error(`malformed trap line: ${l}`);
    return { cause: parseInt(m[1]!, 16), epc: parseInt(m[2]!, 16), faultaddr: parseInt(m[3]!, 16), ring: Number(m[4]) };
  });
}

async function run(name: string) {
  return runCli(['run', guest(name)]);
}

// Every program in guests/ must appear in one of the tables below.
const covered = new Set<string>([
  'hello.s', 'tinyos/tinyos.s', 'exceptions/divzero.s', 'exceptions/pagefault.s', 'exceptions/timer.s', 'smc.s', 'echo.s',
]);

describe('guests/echo.s', () => {
  test('echoes its console input upper-cased, from --input or --stdin, natively and under trap', async () => {
    expect(await runCli(['run', guest('echo.s'), '--input', 'hello, World!'])).toEqual({ code: 0, stdout: 'HELLO, WORLD!', stderr: '' });
    expect(await runCli(['run', guest('echo.s'), '--stdin', '--mode', 'trap'], undefined, 'from stdin\n'))
      .toEqual({ code: 0, stdout: 'FROM STDIN\n', stderr: '' });
    expect(await runCli(['run', guest('echo.s')])).toEqual({ code: 0, stdout: '', stderr: '' }); // no input at all
  });
});

describe('guests/smc.s', () => {
  test('each pass runs the instruction as rewritten just before it: sums 10, 20, 40, 80', async () => {
    for (const mode of ['native', 'trap']) {
      const r = await runCli(['run', guest('smc.s'), '--mode', mode]);
      expect(r).toEqual({ code: 0, stdout: '0x0000000a\n0x00000014\n0x00000028\n0x00000050\n', stderr: '' });
    }
  });
});

describe('guests/hello.s', () => {
  test('prints its greeting and exits 0', async () => {
    const r = await run('hello.s');
    expect(r).toEqual({ code: 0, stdout: 'Hello from virtlab!\n', stderr: '' });
  });
});

/** One trap, at the instruction labelled `faulting` (syscall: the instruction after the syscall). */
const SINGLE_TRAPS: { file: string; cause: number; insn: string; ring: number; faultaddr: number; check: string }[] = [
  { file: 'breakpoint.s', cause: 6, insn: 'brk', ring: 0, faultaddr: 0, check: 'epc is the faulting instruction: yes' },
  { file: 'hypercall.s', cause: 1, insn: 'hcall 0x7', ring: 0, faultaddr: 0, check: 'epc is the faulting instruction: yes' },
  { file: 'misaligned.s', cause: 4, insn: 'lw t2, 0(t1)', ring: 0, faultaddr: 0x2002, check: 'epc is the faulting instruction: yes' },
  { file: 'protection.s', cause: 2, insn: 'cli', ring: 3, faultaddr: 0, check: 'epc is the faulting instruction: yes' },
  { file: 'undefined.s', cause: 1, insn: '.word 0x0', ring: 0, faultaddr: 0, check: 'epc is the faulting instruction: yes' },
  { file: 'syscall.s', cause: 7, insn: 'syscall', ring: 3, faultaddr: 0, check: 'epc is the instruction after it: yes' },
];

SINGLE_TRAPS.forEach((t) => covered.add(`exceptions/${t.file}`));

describe('guests/exceptions: one trap each, reported with the right registers', () => {
  test.each(SINGLE_TRAPS)('$file: cause $cause at `$insn`, from ring $ring', async (t) => {
    const r = await run(`exceptions/${t.file}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [trap, ...rest] = trapLines(r.stdout);
    expect(rest).toEqual([]);
    const image = imageOf(`exceptions/${t.file}`);
    const faulting = symbol(image, 'faulting');
    expect(trap).toEqual({ cause: t.cause, epc: faulting, faultaddr: t.faultaddr, ring: t.ring });
    // The instruction that trapped: at epc, or for syscall just before it.
    expect(insnAt(image, t.cause === 7 ? faulting - 4 : faulting)).toBe(t.insn);
    expect(r.stdout.split('\n')).toEqual([r.stdout.split('\n')[0], t.check, '']);
  });
});

describe('guests/exceptions/divzero.s', () => {
  test('the div traps with cause 5 and epc on the div', async () => {
    const r = await run('exceptions/divzero.s');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const image = imageOf('exceptions/divzero.s');
    expect(trapLines(r.stdout)).toEqual([{ cause: 5, epc: symbol(image, 'faulting'), faultaddr: 0, ring: 0 }]);
    expect(insnAt(image, symbol(image, 'faulting'))).toBe('div t2, t1, zero');
    expect(r.stdout.split('\n')[1]).toBe('epc is the faulting instruction: yes');
  });

  test('the machine leaves the destination alone (seen in a trace: the div writes no register)', async () => {
    const r = await runCli(['trace', guest('exceptions/divzero.s'), '--format', 'jsonl', '--events', 'insn,exception']);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const at = recs.findIndex((x) => x.type === 'insn' && x.disasm === 'div t2, t1, zero');
    expect(recs[at]).toMatchObject({ retired: false, regs: [], mem: [] });
    expect(recs[at + 1]).toMatchObject({ type: 'exception', code: 5, epc: recs[at].pc });
    // t2 was last written with 99 before the div.
    const writes = recs.slice(0, at).flatMap((x) => x.type === 'insn' ? x.regs : []).filter((w: { reg: string }) => w.reg === 't2');
    expect(writes.at(-1)).toEqual({ reg: 't2', value: 99 });
  });

  test('the handler sees the destination unchanged', async () => {
    const r = await run('exceptions/divzero.s');
    expect(r.stdout.split('\n').slice(1)).toEqual(['epc is the faulting instruction: yes', 'destination register unchanged: yes', '']);
  });
});

describe('guests/exceptions/pagefault.s', () => {
  test('a read of a missing page, then a write to a read-only page, with CAUSE detail bits', async () => {
    const r = await run('exceptions/pagefault.s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const image = imageOf('exceptions/pagefault.s');
    const [missing, readonly, ...rest] = trapLines(r.stdout);
    expect(rest).toEqual([]);
    // 0x003: page fault, read, supervisor, page not present.
    expect(missing).toMatchObject({ cause: 0x003, faultaddr: 0x00300000, ring: 0 });
    expect(insnAt(image, missing!.epc)).toBe('lw t1, 0(t2)');
    expect(missing!.epc).toBeLessThan(symbol(image, 'stage1'));
    // 0x903: page fault | WRITE (bit 8) | PRESENT (bit 11).
    expect(readonly).toMatchObject({ cause: 0x903, faultaddr: 0x00301000, ring: 0 });
    expect(insnAt(image, readonly!.epc)).toBe('sw t1, 0(t2)');
    expect(r.stdout.split('\n').length).toBe(3);
  });
});

describe('guests/exceptions/timer.s', () => {
  test('three timer interrupts, each interrupting the wait loop', async () => {
    const r = await run('exceptions/timer.s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const traps = trapLines(r.stdout);
    expect(traps).toHaveLength(3);
    const image = imageOf('exceptions/timer.s');
    for (const t of traps) {
      expect(t).toMatchObject({ cause: 0x80000000, faultaddr: 0, ring: 0 });
      expect(insnAt(image, t.epc)).toBe(`jal zero, 0x${t.epc.toString(16)}`); // `1: j 1b`
    }
    expect(r.stdout.split('\n').length).toBe(4);
  });
});

describe('guests/popek at native: every check says yes', () => {
  const POPEK: [string, string[]][] = [
    ['rdflags.s', ['rdflags says the kernel runs at ring 0: yes', 'rdflags says interrupts are off after cli: yes']],
    ['rdptbr.s', ['rdptbr returns the table the kernel installed: yes']],
    ['rdtvec.s', ['rdtvec returns the vector the kernel installed: yes']],
    ['wrflags.s', ['a timer interrupt arrives after the flags restore: yes']],
  ];
  POPEK.forEach(([file]) => covered.add(`popek/${file}`));
  test.each(POPEK)('%s', async (file, lines) => {
    const r = await run(`popek/${file}`);
    expect(r).toEqual({ code: 0, stdout: lines.map((l) => l + '\n').join(''), stderr: '' });
  });
});

const TINYOS_OUTPUT = `tinyos: booting
tinyos: paging on, 5 processes created
tinyos: interrupts on, checking the timer
tinyos: timer ok, starting processes
A1: step 0
B2: step 0
C3: step 0
P4: reading kernel memory at 0x1000
M5: trying to disable interrupts
A1: step 1
B2: step 1
C3: step 1
tinyos: killed pid 4: page fault at pc 0x0000216c, address 0x00001000
tinyos: killed pid 5: protection fault at pc 0x00002194
A1: step 2
B2: step 2
C3: private page intact, exiting
A1: private page intact, exiting
B2: step 3
tinyos: pid 3 exited with code 0
tinyos: pid 1 exited with code 0
B2: private page intact, exiting
tinyos: pid 2 exited with code 0
tinyos: all processes exited, halting
`;

describe('guests/tinyos/tinyos.s', () => {
  test('runs its five processes to the end: exact output, exit code 0', async () => {
    const r = await run('tinyos/tinyos.s');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(TINYOS_OUTPUT);
    expect(r.code).toBe(0);
  });

  test('the faults are where the source says: the prober\'s load and the meddler\'s cli', async () => {
    const image = imageOf('tinyos/tinyos.s');
    const pc = (line: string) => parseInt(/at pc 0x([0-9a-f]{8})/.exec(line)![1]!, 16);
    const lines = TINYOS_OUTPUT.split('\n');
    const probe = pc(lines.find((l) => l.includes('killed pid 4'))!);
    const meddle = pc(lines.find((l) => l.includes('killed pid 5'))!);
    expect(insnAt(image, probe)).toBe('lw t0, 4096(zero)');
    expect(probe).toBeGreaterThan(symbol(image, 'prober'));
    expect(insnAt(image, meddle)).toBe('cli');
    expect(meddle).toBeGreaterThan(symbol(image, 'meddler'));
  });
});

describe('guests/pv/ticks.s', () => {
  covered.add('pv/ticks.s');
  test('under --mode pv: three timer upcalls, then exit 0; on the bare machine its first hcall is an undefined instruction', async () => {
    expect(await runCli(['run', guest('pv/ticks.s'), '--mode', 'pv'])).toEqual({
      code: 0, stderr: '',
      stdout: 'pv: hello from a paravirtualized kernel\npv: tick\npv: tick\npv: tick\npv: three ticks, halting\n',
    });
    const r = await run('pv/ticks.s');
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^virtlab: unhandled trap: undefined instruction .*\(TVEC is 0\)\n$/);
  });
});

describe('guests/workloads: halt with the value the JavaScript version computes', () => {
  const SIZES: Record<string, number> = { alu: 1000, memory: 3, calls: 12 };
  WORKLOADS.forEach((w) => covered.add(`workloads/${w.source}`));
  test.each(WORKLOADS.map((w) => [w.source, w] as const))('%s', async (source, w) => {
    const size = SIZES[w.name] ?? 1;
    const defines = Object.entries(w.defines(size)).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
    const r = await runCli(['run', guest(`workloads/${source}`), '--json', ...defines]);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ stopReason: 'halted', haltCode: w.js(size) | 0, console: '' });
    expect(r.code).toBe(w.js(size) & 0xff);
    expect(report.counters.tlbHits).toBeGreaterThan(0); // they run with paging on
  });
});

describe('guests/bench: each nanobenchmark prints its line and halts 0 (bench.test.ts runs them in every mode)', () => {
  const BENCH = ['syscall', 'in', 'crwrite', 'callret', 'pgfault', 'divzero', 'ptemod', 'ctxswitch', 'aspace'];
  BENCH.forEach((b) => covered.add(`bench/${b}.s`));
  test.each(BENCH)('%s', async (b) => {
    expect(await run(`bench/${b}.s`)).toEqual({ code: 0, stdout: `bench ${b}: 1000 iterations\n`, stderr: '' });
  });
});

describe('guests/net: without a NIC each says so and exits 2; with one it runs (test/network/ runs them in every mode)', () => {
  const NET = ['pingpong', 'stream'];
  NET.forEach((n) => covered.add(`net/${n}.s`));
  test.each(NET)('%s', async (n) => {
    expect(await run(`net/${n}.s`)).toEqual({ code: 2, stdout: 'no network card found\n', stderr: '' });
    const r = await runCli(['run', guest(`net/${n}.s`), '--nic', 'virtio', '--peer', n === 'stream' ? 'sink' : 'echo', '-D', 'COUNT=5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(n === 'stream' ? /^stream: sent 5 frames of 1514 bytes in \d+ ticks\n$/ : /^ping: 5 round trips, mean \d+ ticks each\n$/);
  });
});

describe('coverage', () => {
  test('every program in guests/ has an expectation above', () => {
    const all = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? walk(p) : p.endsWith('.s') ? [relative(guestsDir, p)] : [];
      });
    })(guestsDir);
    expect(all.filter((g) => !covered.has(g) && !g.startsWith('hostile/')).sort()).toEqual([]); // hostile/: test/host/isolation.test.ts
  });
});
