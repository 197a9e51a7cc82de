// tinyos paravirtualized from the same source: `-D PV` swaps priv.inc's
// privileged operations for hypercalls. The PV build under --mode pv prints
// byte for byte what the unmodified build prints on the bare machine, with no
// privileged or sensitive instruction left in its kernel; the unmodified build
// is refused under pv.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../../src/asm/index.js';
import type { Image } from '../../../src/elf/image.js';
import { decode } from '../../../src/isa/index.js';
import { createVm } from '../../../src/vmm/index.js';
import { PvImageError } from '../../../src/vmm/pv/image-check.js';
import { oneErrorLine, runCli } from '../../cli/run.js';
import { GUESTS, runVm, symbol } from '../helpers.js';
import { pvMode } from './helpers.js';

const TINYOS = join(GUESTS, 'tinyos/tinyos.s');

function tinyos(defines: Record<string, number> = {}): Image {
  const r = assembleFile(TINYOS, { defines });
  if (!r.image) throw new Error(`tinyos does not assemble with ${JSON.stringify(defines)}`);
  return r.image;
}

/** The classes of the instructions in [from, to) of the image's .text. */
function classesIn(image: Image, from: number, to: number): Map<string, string[]> {
  const text = image.sections.find((s) => s.name === '.text')!;
  const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  const out = new Map<string, string[]>();
  for (let a = from; a < to; a += 4) {
    const d = decode(view.getUint32(a - text.addr, true));
    if (!d) continue;
    const list = out.get(d.def.klass) ?? [];
    list.push(d.def.mnemonic);
    out.set(d.def.klass, list);
  }
  return out;
}

const native = runVm(tinyos(), 'native', 10_000_000).out;

describe('tinyos -D PV under --mode pv', () => {
  const pvImage = tinyos({ PV: 1 });

  test('prints byte for byte what the unmodified kernel prints natively, and exits the same', () => {
    const { vm, out } = runVm(pvImage, 'pv', 10_000_000);
    expect(native.stop).toBe('halted with exit code 0');
    expect(out).toEqual(native);
    const c = vm.monitor!.counters;
    // Nothing was emulated or caught: every request was a hypercall.
    expect([c.emulated, c.tracedWrites, c.trapProtection]).toEqual([0, 0, 1]); // the meddler's cli, at ring 3
    expect(c.hypercalls).toBe(c.trapUndefined);
    expect(c.hypercallErrors).toBe(0);
  });

  test('building an address space is one hypercall: the kernel\'s, then one per process', () => {
    const c = runVm(pvImage, 'pv', 10_000_000).vm.monitor!.counters;
    expect(c.hcMmuUpdate).toBe(1 + 5);
    expect(c.mmuUpdateEntries).toBe(1024 + 5 * 4);
  });

  test('interrupts are masked and unmasked without hypercalls: far fewer traps than under trap-and-emulate', () => {
    const { vm } = runVm(pvImage, 'pv', 10_000_000);
    const c = vm.monitor!.counters;
    // console_write saves, masks and restores the flags around every one of its 50 calls.
    expect(c.hcConsoleWrite).toBe(50);
    expect(c.hcEventCheck).toBeLessThan(5);
    expect(c.injected).toBeGreaterThan(30); // the ticks arrive as upcalls
    expect(c.traps).toBeLessThan(500);
  });

  test('its kernel has no privileged and no sensitive instruction; the unmodified kernel has both', () => {
    const kernelText = (image: Image) => classesIn(image, image.sections.find((s) => s.name === '.text')!.addr, symbol(image, 'user_text_start'));
    const pv = kernelText(pvImage);
    expect(pv.get('privileged')).toBeUndefined();
    expect(pv.get('sensitive')).toBeUndefined();
    expect(pv.get('hypercall')!.length).toBeGreaterThan(10);
    const plain = kernelText(tinyos());
    expect(plain.get('sensitive')).toEqual(expect.arrayContaining(['rdflags', 'wrflags']));
    expect(plain.get('privileged')).toEqual(expect.arrayContaining(['mtcr', 'mfcr', 'rett', 'out', 'cli', 'sti', 'halt']));
    expect(plain.get('hypercall')).toBeUndefined();
  });

  test('the processes\' code is at the same address in both builds, so the printed fault pcs agree', () => {
    const plain = tinyos();
    for (const name of ['user_text_start', 'user_text_end', 'prober', 'meddler', 'worker_a']) {
      expect(symbol(pvImage, name)).toBe(symbol(plain, name));
    }
    const text = (image: Image) => {
      const t = image.sections.find((s) => s.name === '.text')!;
      const from = symbol(image, 'user_text_start') - t.addr, to = symbol(image, 'user_text_end') - t.addr;
      return createHash('sha1').update(t.data.subarray(from, to)).digest('hex');
    };
    expect(text(pvImage)).toBe(text(plain));
  });

  test.each([50, 300, 5000])('TICK_PERIOD=%i: the native default output', (p) => {
    const { out } = runVm(tinyos({ PV: 1, TICK_PERIOD: p }), 'pv', 20_000_000);
    expect(out).toEqual(native);
  });

  test('reset() after running gives a fresh VM and the same run; a snapshot restores the shared page\'s registration', () => {
    const fresh = createVm({ image: pvImage, mode: 'pv', console: {} });
    const reused = createVm({ image: pvImage, mode: 'pv', console: {} });
    reused.run(30_000);
    const snap = reused.machine.captureState(), ram = reused.machine.mem.u8.slice(); // the debugger journals RAM itself
    const rest = reused.run(10_000_000);
    const after = { counters: reused.counters() };
    reused.reset();
    expect(pvMode(reused).shared.gpa).toBeUndefined();
    reused.machine.restoreState(snap);
    reused.machine.mem.u8.set(ram);
    expect(pvMode(reused).shared.gpa).toBe(symbol(pvImage, 'pv_shared'));
    expect(reused.run(10_000_000).stop).toEqual(rest.stop);
    expect(reused.counters()).toEqual(after.counters); // (the console's capture does not survive reset())
    reused.reset();
    expect(reused.machine.captureState()).toEqual(fresh.machine.captureState());
    const a = fresh.run(10_000_000), b = reused.run(10_000_000);
    expect(b.stop).toEqual(a.stop);
    expect(reused.counters()).toEqual(fresh.counters());
  });
});

describe('the two builds in the wrong place', () => {
  test('the unmodified build is refused under pv, with a one-line error', async () => {
    expect(() => createVm({ image: tinyos(), mode: 'pv' })).toThrow(PvImageError);
    const r = await runCli(['run', '--mode', 'pv', TINYOS]);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe('virtlab: cannot load the image: not a paravirtualized build (no VIRTLAB_PV_ABI symbol): assemble it with -D PV to run it under --mode pv');
    expect(r.stdout).toBe('');
  });

  test('virtlab run -D PV --mode pv runs it', async () => {
    const r = await runCli(['run', '-D', 'PV', '--mode', 'pv', TINYOS]);
    expect(r).toEqual({ code: 0, stdout: native.console, stderr: '' });
  });

  test('the PV build on bare metal stops at its first hypercall: an undefined instruction', () => {
    const { out } = runVm(tinyos({ PV: 1 }), 'native', 1_000_000);
    expect(out.console).toBe('');
    expect(out.stop).toMatch(/^unhandled trap: undefined instruction .*\(TVEC is 0\)$/);
  });
});
