// Every guest program paravirtualized from the same source: `-D PV` swaps the
// privileged-operations macros of guests/lib/ (priv.inc, rt.inc, trap-test.inc,
// paging.inc), of tinyos and of the benchmark kernels for hypercalls. The PV
// build under --mode pv prints byte for byte what the unmodified build prints
// on the bare machine, exits the same, and its kernel code holds no privileged
// and no sensitive instruction (docs/hypercalls.md, "PV builds of the guests").

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../../src/asm/index.js';
import type { Image } from '../../../src/elf/image.js';
import { decode } from '../../../src/isa/index.js';
import type { ModeName } from '../../../src/vmm/modes/mode.js';
import type { VmOptions } from '../../../src/vmm/index.js';
import { bareMetalGuests, GUESTS, runVm, symbol } from '../helpers.js';

const INPUT = 'hello, Paravirt\n';
const BUDGET = 50_000_000;

function build(name: string, defines: Record<string, number> = {}): Image {
  const r = assembleFile(GUESTS + name, { defines });
  if (!r.image) throw new Error(`${name} does not assemble with ${JSON.stringify(defines)}: ${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  return r.image;
}

function run(image: Image, mode: ModeName, opts: Partial<VmOptions> = {}) {
  return runVm(image, mode, BUDGET, { console: { input: INPUT }, ...opts });
}

/**
 * Code the guest runs in its processes (ring 3), outside the kernel: it is the
 * same in both builds and may keep a privileged instruction whose fault is its
 * point (tinyos's meddler, protection.s's cli). [first symbol, second symbol).
 */
const USER_CODE: Record<string, [string, string]> = {
  'tinyos/tinyos.s': ['user_text_start', 'user_text_end'],
  'exceptions/protection.s': ['user', 'handler'],
  'exceptions/syscall.s': ['user', 'handler'],
};

const sourceCache = new Map<string, string[]>();
function sourceLine(file: string, line: number): string {
  let lines = sourceCache.get(file);
  if (!lines) sourceCache.set(file, lines = readFileSync(file, 'utf8').split('\n'));
  return lines[line - 1] ?? '';
}

/**
 * The instruction words of .text, by the line table: every word an
 * instruction line produced (data lines such as rt.inc's strings and the
 * `.word 0` of undefined.s are skipped), with its mnemonic and class.
 */
function instructions(image: Image): { addr: number; mnemonic: string; klass: string }[] {
  const text = image.sections.find((s) => s.name === '.text')!;
  const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  const out: { addr: number; mnemonic: string; klass: string }[] = [];
  for (const e of image.lines) {
    if (e.addr < text.addr || e.addr >= text.addr + text.data.length) continue;
    const statement = sourceLine(e.file, e.line).replace(/;.*$/, '').replace(/^\s*([A-Za-z_.$][\w.$]*|[0-9]+):/, '').trim();
    if (statement.startsWith('.')) continue; // data, alignment
    const d = decode(view.getUint32(e.addr - text.addr, true));
    if (!d) throw new Error(`no instruction at 0x${e.addr.toString(16)} (${e.file}:${e.line})`);
    out.push({ addr: e.addr, mnemonic: d.def.mnemonic, klass: d.def.klass });
  }
  return out;
}

const forbidden = (list: { mnemonic: string; klass: string }[]) =>
  list.filter((i) => i.klass === 'privileged' || i.klass === 'sensitive').map((i) => i.mnemonic);

function kernelAndUser(name: string, image: Image) {
  const all = instructions(image);
  const range = USER_CODE[name];
  if (!range) return { kernel: all, user: [] };
  const [from, to] = range.map((s) => symbol(image, s)) as [number, number];
  const inUser = (a: number) => a >= from && a < to;
  return { kernel: all.filter((i) => !inUser(i.addr)), user: all.filter((i) => inUser(i.addr)) };
}

const GUEST_NAMES = bareMetalGuests();

describe('every guest: the -D PV build under --mode pv is the native build natively', () => {
  test('the list covers the programs of issue 5', () => {
    for (const g of ['hello.s', 'echo.s', 'smc.s', 'exceptions/hypercall.s', 'exceptions/timer.s', 'popek/rdflags.s', 'popek/wrflags.s', 'workloads/memory.s', 'tinyos/tinyos.s']) {
      expect(GUEST_NAMES).toContain(g);
    }
  });

  test.each(GUEST_NAMES)('%s: same console output and exit code; no privileged or sensitive instruction in its kernel', (name) => {
    const native = run(build(name), 'native').out;
    const pvImage = build(name, { PV: 1 });
    const { vm, out } = run(pvImage, 'pv');
    expect(native.stop).toMatch(/^halted/);
    expect(out).toEqual(native);
    const c = vm.monitor!.counters;
    expect(c.hypercalls).toBeGreaterThan(0); // at least its halt
    expect(c.emulated).toBe(0); // the pv monitor emulates nothing: everything was asked for

    const { kernel, user } = kernelAndUser(name, pvImage);
    expect(kernel.length).toBeGreaterThan(3);
    expect(forbidden(kernel)).toEqual([]);
    expect(kernel.some((i) => i.klass === 'hypercall')).toBe(true);
    // The processes' code keeps only the instructions whose fault is its point.
    expect(forbidden(user)).toEqual(name === 'exceptions/protection.s' ? ['cli'] : name === 'tinyos/tinyos.s' ? ['cli'] : []);
  });

  test('the scan sees what it must: the unmodified builds have privileged and sensitive instructions', () => {
    expect(forbidden(instructions(build('hello.s')))).toEqual(['out', 'halt']);
    expect(forbidden(instructions(build('popek/rdflags.s')))).toEqual(expect.arrayContaining(['cli', 'rdflags', 'out', 'halt']));
    expect(forbidden(instructions(build('exceptions/pagefault.s')))).toEqual(expect.arrayContaining(['mtcr', 'mfcr', 'rett', 'out', 'halt']));
    expect(forbidden(instructions(build('workloads/alu.s')))).toEqual(['halt', 'mtcr', 'mfcr', 'mtcr']) // _start's halt, then rt_paging_on;
  });

  test('the exception tests\' faulting instructions keep their native pcs (they print them)', () => {
    for (const name of GUEST_NAMES.filter((g) => g.startsWith('exceptions/') && g !== 'exceptions/pagefault.s' && g !== 'exceptions/timer.s')) {
      expect(symbol(build(name, { PV: 1 }), 'faulting'), name).toBe(symbol(build(name), 'faulting'));
    }
  });

  test('page tables through one mmu_update, events as upcalls, the console as hypercalls', () => {
    const paging = run(build('workloads/calls.s', { PV: 1, N: 10 }), 'pv').vm.monitor!.counters;
    expect([paging.hcMmuUpdate, paging.mmuUpdateEntries, paging.tracedWrites]).toEqual([1, 1025, 0]);
    const timer = run(build('exceptions/timer.s', { PV: 1 }), 'pv').vm.monitor!.counters;
    expect([timer.injected, timer.hcTimerAck, timer.hcIret]).toEqual([3, 3, 2]);
    const hello = run(build('hello.s', { PV: 1 }), 'pv').vm.monitor!.counters;
    expect(hello.hcConsoleWrite).toBe('Hello from virtlab!\n'.length);
  });

  test('echo.s reads its input with console_read, and ends when none is left', () => {
    const { out, vm } = run(build('echo.s', { PV: 1 }), 'pv');
    expect(out.console).toBe(INPUT.toUpperCase());
    expect(vm.monitor!.counters.hcConsoleRead).toBe(INPUT.length + 1);
  });

  test('a PV build on bare metal stops at its first hypercall', () => {
    const { out } = run(build('hello.s', { PV: 1 }), 'native');
    expect(out.console).toBe('');
    expect(out.stop).toMatch(/^unhandled trap: undefined instruction/);
  });
});

// The full matrix of issue 5 for tinyos and one guest that pages, faults and resumes.
describe.each(['tinyos/tinyos.s', 'exceptions/pagefault.s'])('%s: native, bt, pv (-D PV), hw and hw --no-ept agree', (name) => {
  const native = run(build(name), 'native').out;
  test.each([
    ['bt', {}, {}],
    ['pv', { PV: 1 }, {}],
    ['hw', {}, { hw: { ept: true } }],
    ['hw', {}, { hw: { ept: false } }],
  ] as [ModeName, Record<string, number>, Partial<VmOptions>][])('%s %j %j', (mode, defines, opts) => {
    expect(native.stop).toBe('halted with exit code 0');
    expect(run(build(name, defines), mode, opts).out).toEqual(native);
  });
});
