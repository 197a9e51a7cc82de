// Many VMs on one host: tinyos's 1 MiB build (-D SMALL, guests/tinyos/memory.inc)
// differs from the default build in exactly its two memory constants, prints
// what the default build prints, and 64 of them in a mix of modes on one host
// each print, retire and idle exactly as the same VM alone. Nothing here is
// timed: the host's speed with 1 to 64 VMs is `virtlab bench --suite host`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import { Machine } from '../../src/machine/index.js';
import { createVm } from '../../src/vmm/index.js';
import { GUESTS } from '../vmm/helpers.js';

const TINYOS = join(GUESTS, 'tinyos/tinyos.s');
const MIB = 1 << 20;

function build(defines: Record<string, number>): Image {
  const r = assembleFile(TINYOS, { defines });
  if (!r.image) throw new Error(`tinyos does not assemble with ${JSON.stringify(defines)}`);
  return r.image;
}

/** The 1-based line of tinyos.s that matches `re`, which must match exactly one. */
function lineOf(re: RegExp): number {
  const lines = readFileSync(TINYOS, 'utf8').split('\n');
  const at = lines.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
  expect(at).toHaveLength(1);
  return at[0]!;
}

const symbol = (image: Image, name: string) => image.symbols.find((s) => s.name === name)?.value;

describe('tinyos -D SMALL', () => {
  test.each([[{}], [{ PV: 1 }]])('with %j: the same layout and lines as the default build, two instruction words apart', (defines) => {
    const big = build(defines), small = build({ ...defines, SMALL: 1 });
    expect(small.entry).toBe(big.entry);
    expect(small.lines).toEqual(big.lines);
    expect(small.sections.map((s) => [s.name, s.addr, s.size])).toEqual(big.sections.map((s) => [s.name, s.addr, s.size]));
    expect([symbol(big, 'KERNEL_SPACE_END'), symbol(big, 'FRAME_POOL')]).toEqual([0x0040_0000, 0x0010_0000]);
    expect([symbol(small, 'KERNEL_SPACE_END'), symbol(small, 'FRAME_POOL')]).toEqual([0x0010_0000, 0x0008_0000]);
    // Where the bytes differ: the first word (lui) of the two `li`s of these constants, nowhere else.
    const differing: number[] = [];
    big.sections.forEach((s, i) => {
      const other = small.sections[i]!.data;
      for (let a = 0; a < s.data.length; a += 4) {
        if (s.data.subarray(a, a + 4).some((b, k) => b !== other[a + k])) differing.push(s.addr + a);
      }
    });
    const lineAt = (addr: number) => big.lines.find((l) => l.addr === addr && l.file.endsWith('tinyos.s'))?.line;
    expect(differing.map(lineAt)).toEqual([lineOf(/^\s+li\s+a1, KERNEL_SPACE_END\b/), lineOf(/^\s+li\s+a0, FRAME_POOL\b/)]);
  });
});

// 64 VMs: bt, pv (its -D PV build), hw with EPT, hw without EPT or VPID, in turn.
// Not trap: tinyos's boot-time timer check fails under trap-and-emulate (docs/virtualization.md).
const KINDS: (Omit<HostVmConfig, 'name'> & { kind: string })[] = [
  { kind: 'bt', mode: 'bt', image: build({ SMALL: 1 }) },
  { kind: 'pv', mode: 'pv', image: build({ SMALL: 1, PV: 1 }) },
  { kind: 'hw', mode: 'hw', image: build({ SMALL: 1 }) },
  { kind: 'hw-noept', mode: 'hw', image: build({ SMALL: 1 }), hw: { ept: false, vpid: false } },
];

function alone(c: Omit<HostVmConfig, 'name'>, guestMemory: number) {
  const vm = createVm({ image: c.image, mode: c.mode, guestMemory, ...(c.hw ? { hw: c.hw } : {}) });
  const { stop } = vm.run(50_000_000);
  return { console: vm.consoleText(), stop: Machine.describeStop(stop), instructions: vm.machine.counters.instructions, idle: vm.machine.counters.idle };
}

describe('64 small tinyos VMs on one host', () => {
  const ALONE = new Map(KINDS.map((k) => [k.kind, alone(k, MIB)]));

  test('alone in 1 MiB, each prints what the default build prints in 16 MiB', () => {
    const defaults = { bt: build({}), pv: build({ PV: 1 }), hw: build({}), 'hw-noept': build({}) } as Record<string, Image>;
    for (const k of KINDS) {
      const a = ALONE.get(k.kind)!;
      expect(a.stop).toBe('halted with exit code 0');
      expect(a.console).toBe(alone({ ...k, image: defaults[k.kind]! }, 16 * MIB).console);
      expect(a.console).toMatch(/all processes exited, halting\n$/);
    }
  });

  test('every VM prints, retires and idles exactly as alone', () => {
    const vms: HostVmConfig[] = Array.from({ length: 64 }, (_, i) => {
      const { kind, ...c } = KINDS[i % KINDS.length]!;
      return { ...c, name: `${kind}-${i}`, guestMemory: MIB };
    });
    const host = new Host({ vms });
    // The 64 windows (1 MiB of guest RAM, 1 MiB of monitor memory, bt's translation cache) fit in well under 1 GiB.
    expect(host.machine.mem.size).toBeLessThanOrEqual(MIB + 64 * (2 * MIB + (1 << 18)));
    expect(host.run(500_000_000).end).toBe('stopped');
    host.vms.forEach((vm, i) => {
      const a = ALONE.get(KINDS[i % KINDS.length]!.kind)!;
      expect({ vm: vm.name, console: vm.consoleText(), stop: vm.stop ? Machine.describeStop(vm.stop) : 'running', instructions: vm.counters.instructions, idle: vm.counters.idle })
        .toEqual({ vm: vm.name, ...a });
      expect(vm.host.slices).toBeGreaterThan(2); // it shared the CPU, slice after slice
    });
    expect(host.counters.worldSwitches).toBe(host.vms.reduce((n, vm) => n + vm.host.slices, 0));
  });
});
