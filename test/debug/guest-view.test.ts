// The debugger shows the guest's view in every mode: the ring, interrupt flag
// and page tables the guest believes it runs with (what it would see on the
// bare machine), not the real CPU's; `where real` / `regs real` show those.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { machineFromOptions } from '../../src/cli/machine-options.js';
import { loadProgram } from '../../src/cli/program.js';
import { DebugSession } from '../../src/debug/index.js';
import type { ModeName } from '../../src/vmm/index.js';
import { trapFriendlyTinyos } from '../vmm/helpers.js';
import { out, ROOT, run } from './helpers.js';

const ctx: CliContext = { io: { out: () => {}, err: () => {} }, readStdin: () => new Uint8Array(), cwd: ROOT };

/**
 * A session as `virtlab debug [-D PV] --mode MODE [--no-ept] guests/tinyos/tinyos.s` builds it. Under trap,
 * tinyos with trappable flags macros (the unmodified one cannot run there: docs/virtualization.md), laid out alike.
 */
function tinyos(mode: ModeName, opts: { pv?: boolean; ept?: boolean } = {}): DebugSession {
  const image = mode === 'trap' ? trapFriendlyTinyos() : loadProgram(ctx, 'guests/tinyos/tinyos.s', opts.pv ? { PV: 1 } : {});
  const { machine, engine, vm } = machineFromOptions(ctx, image, {
    maxSteps: 100_000_000, memory: 16, mode, costModel: 'p4-2006', ept: opts.ept ?? true, vpid: true, engine: 'interp',
  }, 'capture');
  return new DebugSession({
    machine, engine, image, maxSteps: 100_000_000, history: 0,
    ...(vm.monitor ? { monitor: vm.monitor, reload: () => vm.reset(), directEngine: vm.engine } : {}),
    readSource: (f) => readFileSync(resolve(ROOT, f), 'utf8'),
  });
}

/** `where`'s state line without the step count (steps are real steps, which differ between modes). */
function stateLine(text: string): string {
  const line = text.split('\n').find((l) => /^ {2}ring \d/.test(l));
  if (!line) throw new Error(`no state line in:\n${text}`);
  return line.replace(/, step \d+$/, '');
}

// The tinyos kernel in schedule(), called from the timer handler: ring 0, interrupts masked, its own page tables.
const native = tinyos('native');
run(native, 'break schedule', 'continue');
const NATIVE_STATE = stateLine(out(native, 'where'));

const MODES: [string, ModeName, { pv?: boolean; ept?: boolean }][] = [
  ['trap', 'trap', {}], ['bt', 'bt', {}], ['pv', 'pv', { pv: true }], ['hw', 'hw', {}], ['hw --no-ept', 'hw', { ept: false }],
];

describe('the guest view of `where` and `regs`', () => {
  test('natively: ring 0, interrupts off, paging on with the kernel page directory', () => {
    expect(NATIVE_STATE).toMatch(/^ {2}ring 0, interrupts off, paging on \(ptbr 0x[0-9a-f]{8}\)$/);
    // Natively `where real` is the same machine.
    expect(out(native, 'where real')).toMatch(/^ {2}real: pc 0x[0-9a-f]{8}, ring 0, interrupts off, paging on .* \(no monitor: the program sees the machine\)$/m);
  });

  test.each(MODES)('under %s, as natively; the real CPU only on request', (_label, mode, opts) => {
    const s = tinyos(mode, opts);
    run(s, 'break schedule', 'continue');
    const where = out(s, 'where');
    expect(where).toMatch(/^0x[0-9a-f]{8} <schedule> /);
    const guest = stateLine(where);
    // The PV build lays its kernel out differently: its page directory is elsewhere.
    if (opts.pv) expect(guest).toMatch(/^ {2}ring 0, interrupts off, paging on \(ptbr 0x[0-9a-f]{8}\)$/);
    else expect(guest).toBe(NATIVE_STATE);
    expect(where).not.toMatch(/real:|translated:/);
    const regs = out(s, 'regs');
    expect(regs).toMatch(/^pc +0x[0-9a-f]{8} <schedule> +ring 0 \(guest's virtual CPU\)$/m);
    expect(regs).toMatch(/^status +0x[0-9a-f]{8} +\(ring 0 PG PPL 0 PIE\)$/m); // no IE: the handler runs masked
    const guestPtbr = /ptbr (0x[0-9a-f]{8})/.exec(guest)![1];
    expect(regs).toMatch(new RegExp(`ptbr +${guestPtbr}$`, 'm'));

    const whereReal = out(s, 'where real');
    const real = /^ {2}real: pc (0x[0-9a-f]{8}), ring (\d), interrupts (on|off), paging on \(ptbr (0x[0-9a-f]{8})\)( \(VMX non-root operation\))?$/m.exec(whereReal);
    expect(real).not.toBeNull();
    const realRegs = out(s, 'regs real');
    expect(realRegs).toMatch(new RegExp(`^pc +${real![1]}.* ring ${real![2]} \\(the real CPU, under the monitor\\)$`, 'm'));
    expect(realRegs).toMatch(new RegExp(`ptbr +${real![4]}$`, 'm'));
    if (mode === 'hw') {
      // In non-root operation the CPU holds the guest's own ring, flags and PTBR (without EPT the MMU walks
      // the monitor's shadow, set in the VMCS, not in PTBR).
      expect([real![2], real![3], real![4], real![5]]).toEqual(['0', 'off', guestPtbr, ' (VMX non-root operation)']);
    } else {
      // Deprivileged, on the monitor's shadow tables, interrupts on for the monitor's timer.
      expect([real![2], real![3], real![5]]).toEqual(['1', 'on', undefined]);
      expect(real![4]).not.toBe(guestPtbr);
    }
  });

  test('where and regs take `real` or nothing', () => {
    const s = tinyos('trap');
    expect(s.execute('where realy')).toMatchObject({ ok: false, output: "error: usage: where [real] (got 'realy')\n" });
    expect(s.execute('regs 1')).toMatchObject({ ok: false, output: "error: usage: regs [real] (got '1')\n" });
  });
});
