// Loading from program headers changes nothing for our own images: every guest,
// assembled with and without -D PV, gives under every mode the same machine
// (host RAM, registers) whether it is loaded as assembled (one segment per
// section) or from its ELF file's program headers; and the guest's RAM holds
// exactly what the section-by-section loader used to put there.

import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile, formatDiagnostic } from '../../src/asm/index.js';
import { readElf, writeElf, type Image } from '../../src/elf/index.js';
import { createVm, MODE_NAMES, type ModeName, type Vm } from '../../src/vmm/index.js';
import { GUESTS_DIR, guestSources } from '../support/guest-files.js';

/** Small, so that comparing whole RAMs stays quick; every shipped guest fits. */
const GUEST_MEMORY = 4 << 20;
const guestsDir = GUESTS_DIR;
const guests = guestSources();

/** What the loader did before program headers: zeroed RAM with each section's bytes at its address. */
function sectionBySection(image: Image, size: number): Uint8Array {
  const ram = new Uint8Array(size);
  for (const s of image.sections) ram.set(s.data, s.addr);
  return ram;
}

function tryVm(image: Image, mode: ModeName): Vm | string {
  try {
    return createVm({ image, mode, console: false, guestMemory: GUEST_MEMORY });
  } catch (e) {
    return (e as Error).message;
  }
}

function guestRam(vm: Vm): Uint8Array {
  const base = vm.layout?.base ?? 0;
  return vm.machine.mem.u8.subarray(base, base + (vm.layout?.guestSize ?? vm.machine.mem.size));
}

const builds = guests.flatMap((path) => [
  [relative(guestsDir, path), path, {}],
  [`${relative(guestsDir, path)} -D PV`, path, { PV: 1 }],
] as const);

describe('program-header loading of the shipped guests is byte-identical to section loading', () => {
  test.each(builds)('guests/%s', (name, path, defines) => {
    const result = assembleFile(path, { defines });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      // A guest that has no PV build says so in its own words; nothing to load.
      expect(Object.keys(defines)).toEqual(['PV']);
      expect(errors.map(formatDiagnostic).join('\n')).not.toBe('');
      return;
    }
    const assembled = result.image!;
    const fromElf = readElf(writeElf(assembled, name), name);
    expect(fromElf.segments!.length).toBeGreaterThan(0);
    let loaded = 0;
    for (const mode of MODE_NAMES) {
      const a = tryVm(assembled, mode);
      const b = tryVm(fromElf, mode);
      if (typeof a === 'string') {
        expect(b, `${mode}: both refuse the image the same way`).toBe(a);
        continue;
      }
      if (typeof b === 'string') throw new Error(`${mode}: the ELF file is refused (${b}) but the assembled image loads`);
      loaded++;
      expect(Buffer.compare(a.machine.mem.u8, b.machine.mem.u8), `${mode}: host RAM`).toBe(0);
      expect([...b.machine.cpu.regs], `${mode}: registers`).toEqual([...a.machine.cpu.regs]);
      expect(b.machine.cpu.pc, `${mode}: pc`).toBe(a.machine.cpu.pc);
      const ram = guestRam(b);
      expect(Buffer.compare(ram, sectionBySection(assembled, ram.length)), `${mode}: guest RAM`).toBe(0);
    }
    expect(loaded).toBeGreaterThan(0);
  });
});
