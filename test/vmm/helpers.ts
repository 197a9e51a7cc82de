// Shared helpers for the monitor tests: assemble guests (files or inline
// source), run them in a mode, and compare runs.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { assemble, assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { decode } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { createVm, type Vm, type VmOptions } from '../../src/vmm/index.js';
import type { ModeName } from '../../src/vmm/modes/mode.js';

export const GUESTS = new URL('../../guests/', import.meta.url).pathname;

export function imageOfFile(path: string, readFile?: (p: string) => string): Image {
  const r = assembleFile(path, readFile ? { readFile } : {});
  if (!r.image) throw new Error(`${path} does not assemble: ${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  return r.image;
}

export function guestImage(name: string): Image {
  return imageOfFile(join(GUESTS, name));
}

/** Assemble inline source; `.include "rt.inc"` etc. resolve against guests/lib/. */
export function imageOf(source: string): Image {
  const r = assemble(source, { file: join(GUESTS, 'lib', 'inline.s') });
  if (!r.image) throw new Error(`inline guest does not assemble: ${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  return r.image;
}

/** An inline kernel: `body` is what follows `_start:` in .text (it may switch sections itself). */
export function kernel(body: string): Image {
  return imageOf(`        .text\n        .global _start\n_start: ${body}`);
}

export interface Outcome {
  console: string;
  stop: string;
  code: number | undefined;
}

export function runVm(image: Image, mode: ModeName, budget = 5_000_000, opts: Partial<VmOptions> = {}): { vm: Vm; out: Outcome } {
  const vm = createVm({ image, mode, ...opts });
  const { stop } = vm.run(budget);
  return { vm, out: { console: vm.consoleText(), stop: Machine.describeStop(stop), code: stop.kind === 'halted' ? stop.code : undefined } };
}

export function symbol(image: Image, name: string): number {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

export const VMM_GUESTS = new URL('./guests/', import.meta.url).pathname;

/** A guest-physical word, whatever the mode (native: host = guest physical). */
export function peek(vm: Vm, gpa: number): number {
  return vm.monitor ? vm.monitor.guest.read(gpa, 4) : vm.machine.mem.read32(gpa) >>> 0;
}

export function peekWords(vm: Vm, gpa: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => peek(vm, gpa + 4 * i));
}

/** The same image run natively and under trap. */
export function both(image: Image, budget = 5_000_000, opts: Partial<VmOptions> = {}) {
  return { native: runVm(image, 'native', budget, opts), trap: runVm(image, 'trap', budget, opts) };
}

/** both(), asserting that the trap run ends as the native one (console, stop, exit code); `c`: the trap run's monitor counters. */
export function bothAgree(image: Image, budget = 5_000_000, opts: Partial<VmOptions> = {}) {
  const { native, trap } = both(image, budget, opts);
  expect(trap.out).toEqual(native.out);
  return { native, trap, c: trap.vm.monitor!.counters };
}

/** tinyos with its flags macros using the privileged mfcr/mtcr status: identical natively, trappable under a monitor. */
export function trapFriendlyTinyos(): Image {
  return imageOfFile(join(GUESTS, 'tinyos/tinyos.s'), (p) => {
    const s = readFileSync(p, 'utf8');
    if (!p.endsWith('priv.inc')) return s;
    const patched = s.replace('rdflags \\rd', 'mfcr    \\rd, status').replace('wrflags \\rs', 'mtcr    status, \\rs');
    if (patched === s) throw new Error('priv.inc no longer has the rdflags/wrflags macros this test patches');
    return patched;
  });
}

/** Address of the first instruction with this mnemonic at or after `from` in the image's .text. */
export function findInstruction(image: Image, from: number, mnemonic: string): number {
  const text = image.sections.find((s) => s.name === '.text')!;
  const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  for (let a = from; a + 4 <= text.addr + text.data.length; a += 4) {
    const d = decode(view.getUint32(a - text.addr, true));
    if (d?.def.mnemonic === mnemonic) return a;
  }
  throw new Error(`no ${mnemonic} after 0x${from.toString(16)}`);
}

/** Non-zero counters only, for readable failure messages. */
export function nonZero(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));
}

/**
 * Every guest program under guests/ that runs on the bare machine (relative
 * paths, sorted): lib/ holds includes, pv/ paravirtualized builds.
 */
export function bareMetalGuests(dir = GUESTS): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'lib' || f === 'pv' || f === 'hostile' ? [] : bareMetalGuests(p); // hostile/: some never halt or are PV-only; test/host/isolation.test.ts runs them
    return f.endsWith('.s') ? [relative(GUESTS, p)] : [];
  }).sort();
}

/**
 * Run to `first` steps, snapshot (state + RAM journal mark), run `ahead`
 * more, rewind to the snapshot, then run to the end: what the debugger's
 * reverse stepping relies on. Returns the VM.
 */
export function runWithRewind(vm: Vm, first: number, ahead: number, budget = 100_000_000): Vm {
  vm.machine.enableJournal();
  vm.run(first);
  const snap = vm.machine.captureState();
  const mark = vm.machine.mem.journal!.mark();
  vm.run(ahead);
  vm.machine.mem.journal!.undoTo(mark);
  vm.machine.restoreState(snap);
  vm.run(budget);
  return vm;
}
