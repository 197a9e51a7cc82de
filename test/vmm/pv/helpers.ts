// Helpers for the pv tests: inline paravirtualized guests (the ABI constants
// of guests/pv/hypercalls.inc included), run under --mode pv with the
// monitor's events recorded.

import { join } from 'node:path';
import { assemble } from '../../../src/asm/index.js';
import type { Image } from '../../../src/elf/image.js';
import { createVm, type MonitorEvent, type Vm, type VmOptions } from '../../../src/vmm/index.js';
import { PvMode } from '../../../src/vmm/modes/pv.js';
import { ERRNO, SHARED, type ErrName } from '../../../src/vmm/pv/abi.js';
import { GUESTS } from '../helpers.js';

export { GUESTS };

/** Inline source; `.include "hypercalls.inc"` is prepended (it resolves against guests/pv/). */
export function pvImage(source: string): Image {
  const r = assemble(`        .include "hypercalls.inc"\n${source}`, { file: join(GUESTS, 'pv', 'inline.s') });
  if (!r.image) throw new Error(`inline pv guest does not assemble: ${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  return r.image;
}

export interface PvRun {
  vm: Vm;
  events: MonitorEvent[];
  /** The halt code, or undefined if the guest did not halt. */
  code: number | undefined;
  stop: string;
}

export function runPv(image: Image, budget = 1_000_000, opts: Partial<VmOptions> = {}): PvRun {
  const vm = createVm({ image, mode: 'pv', ...opts });
  const events: MonitorEvent[] = [];
  vm.monitor!.listener = (e) => events.push(e);
  const { stop } = vm.run(budget);
  return { vm, events, code: stop.kind === 'halted' ? stop.code | 0 : undefined, stop: stop.kind };
}

/** Assemble `body` (run from _start, ending in its own halt) and run it. */
export function pv(body: string, opts: Partial<VmOptions> = {}, budget?: number): PvRun {
  return runPv(pvImage(`        .text\n_start:\n${body}`), budget, opts);
}

export const err = (e: ErrName): number => -ERRNO[e];

export function pvMode(vm: Vm): PvMode {
  const mode = vm.monitor!.mode;
  if (!(mode instanceof PvMode)) throw new Error('not a pv VM');
  return mode;
}

/** A word of the registered shared page. */
export function sharedWord(vm: Vm, field: keyof typeof SHARED): number {
  const gpa = pvMode(vm).shared.gpa;
  if (gpa === undefined) throw new Error('no shared page registered');
  return vm.monitor!.guest.read(gpa + SHARED[field], 4) | 0;
}

/** The hypercall events, as `name -> result` strings. */
export function calls(events: MonitorEvent[]): string[] {
  return events.flatMap((e) => e.kind === 'hypercall' ? [`${e.name}${e.result === undefined ? '' : ` -> ${e.result}`}`] : []);
}

/** Hypercall with a0..a1 loaded, then halt with its result as the exit code. */
export function callAndHalt(hc: string, a0 = '0', a1 = '0'): string {
  return `        li      a0, ${a0}\n        li      a1, ${a1}\n        hcall   ${hc}\n        hcall   HC_HALT\n`;
}
