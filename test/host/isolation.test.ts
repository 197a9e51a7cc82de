// Isolation on a host: the hostile guests of guests/hostile/ run beside
// victims on one machine, in every mode where they apply. Each hostile VM
// must reach its own memory only (every RAM write made while its vCPU runs
// lands in its own window), get the faults or hypercall errors the bare
// machine or the pv ABI gives it (its console, its monitor's counters), and
// leave every victim exactly as it is alone: the same console, stop,
// instructions and idle ticks, and a guest-physical window hashing the same.
// A VM spinning with interrupts off cannot starve the others.
// docs/isolation.md says which mechanism each case shows.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { createJit } from '../../src/engine/jit/index.js';
import type { Image } from '../../src/elf/image.js';
import { CR, STATUS } from '../../src/isa/index.js';
import { allocateLayouts, Host, type HostMode, type HostVmConfig } from '../../src/host/index.js';
import { Machine, MemoryJournal, type PhysicalMemory } from '../../src/machine/index.js';
import { createVm, DEFAULT_MONITOR_MEMORY, type Vm } from '../../src/vmm/index.js';
import { DEFAULT_TC_SIZE } from '../../src/vmm/layout.js';
import type { HwOptions } from '../../src/vmm/modes/hw.js';
import { GUESTS, imageOf, symbol } from '../vmm/helpers.js';

const HOSTILE = join(GUESTS, 'hostile');
const MiB = 1 << 20;
const SMALL = MiB;

function build(path: string, defines: Record<string, number> = {}): Image {
  const r = assembleFile(path, { defines });
  if (!r.image) throw new Error(`${path} does not assemble: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.image;
}

const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// --- the modes a hostile guest runs in ------------------------------------------------

interface ModeCase { label: string; mode: HostMode; hw?: HwOptions; pv: boolean }
const MODES: ModeCase[] = [
  { label: 'trap', mode: 'trap', pv: false },
  { label: 'bt', mode: 'bt', pv: false },
  { label: 'pv', mode: 'pv', pv: true },
  { label: 'hw', mode: 'hw', pv: false },
  { label: 'hw --no-ept', mode: 'hw', hw: { ept: false, vpid: false }, pv: false },
];
/** The other two hw combinations: a TLB tagged per VM (kept across world switches) with shadow paging, EPT flushed. */
const HW_MORE: ModeCase[] = [
  { label: 'hw --no-ept with VPID', mode: 'hw', hw: { ept: false, vpid: true }, pv: false },
  { label: 'hw --no-vpid', mode: 'hw', hw: { ept: true, vpid: false }, pv: false },
];

// --- the victims: each as it runs alone ---------------------------------------------------

const tinyos = build(join(GUESTS, 'tinyos/tinyos.s'));
const VICTIMS: HostVmConfig[] = [
  { name: 'tinyos-bt', image: tinyos, mode: 'bt' },
  { name: 'tinyos-hw', image: tinyos, mode: 'hw' },
  { name: 'hello-pv', image: build(join(GUESTS, 'hello.s'), { PV: 1 }), mode: 'pv', guestMemory: SMALL },
  { name: 'timer-trap', image: build(join(GUESTS, 'exceptions/timer.s')), mode: 'trap', guestMemory: SMALL },
  { name: 'tinyos-noept', image: tinyos, mode: 'hw', hw: { ept: false, vpid: false } },
];

function vmOf(c: HostVmConfig): Vm {
  return createVm({ image: c.image, mode: c.mode, ...(c.guestMemory ? { guestMemory: c.guestMemory } : {}), ...(c.hw ? { hw: c.hw } : {}) });
}

interface Seen { console: string; stop: string; instructions: number; idle: number; ram: string }

const ALONE = new Map(VICTIMS.map((c) => {
  const vm = vmOf(c);
  const { stop } = vm.run(50_000_000);
  const l = vm.layout!;
  const seen: Seen = {
    console: vm.consoleText(), stop: Machine.describeStop(stop), instructions: vm.machine.counters.instructions,
    idle: vm.machine.counters.idle, ram: hash(vm.machine.mem.u8.subarray(l.base, l.base + l.guestSize)),
  };
  return [c.name, seen] as const;
}));

// --- the host, watched ----------------------------------------------------------------------

/**
 * Every RAM write (the CPU's stores, the MMU's accessed and dirty bits, the
 * monitors' own writes) is journaled first; this journal keeps none, it
 * checks that each lands in the window of the VM whose vCPU runs. (The CPU's
 * loads are checked by the host's observer, watchedHost().)
 */
class WindowWatch extends MemoryJournal {
  /** RAM writes made while each VM ran; and, when watched, the CPU's data accesses for it. */
  readonly writes = new Map<string, number>();
  readonly reads = new Map<string, number>();
  readonly stray: string[] = [];

  constructor(mem: PhysicalMemory, private readonly host: () => Host) {
    super(mem);
  }

  override record(paddr: number, width: 1 | 2 | 4): void {
    const vm = this.host().running();
    const l = vm?.layout;
    if (vm) this.writes.set(vm.name, (this.writes.get(vm.name) ?? 0) + 1);
    if (l && paddr >= l.base && paddr + width <= l.ramSize) return;
    if (this.stray.length < 5) this.stray.push(`${width}-byte write at 0x${paddr.toString(16)} while ${vm?.name ?? 'no VM'} ran`);
  }
}

/**
 * `reads`: also every data access of the CPU (the observer's step records),
 * each of which must lie in the guest RAM of the VM it ran for, not even in
 * that VM's monitor memory. Slow: map-all's millions of steps go without
 * (each of its loads follows its store, and its output shows what it read).
 */
function watchedHost(vms: HostVmConfig[], reads = false): { host: Host; watch: WindowWatch } {
  const host = new Host({ vms, slice: 5_000 });
  const watch = new WindowWatch(host.machine.mem, () => host);
  host.machine.mem.journal = watch;
  if (reads) host.machine.observer = (rec) => {
    const vm = host.running(), l = vm?.layout;
    for (const a of rec.mem) {
      if (vm) watch.reads.set(vm.name, (watch.reads.get(vm.name) ?? 0) + 1);
      if (!(l && a.paddr >= l.base && a.paddr + a.size <= l.base + l.guestSize) && watch.stray.length < 5) {
        watch.stray.push(`CPU ${a.kind} of ${a.size} byte(s) at 0x${a.paddr.toString(16)} while ${vm?.name ?? 'no VM'} ran`);
      }
    }
  };
  return { host, watch };
}

/** Run until every VM but `spinner` (if any) has stopped. */
function runHost(host: Host, spinner?: string): void {
  for (let i = 0; i < 200; i++) {
    const r = host.run(1_000_000);
    if (r.end === 'stopped') return;
    expect(r.end).toBe('budget'); // a run stop of the machine itself (none is expected) would end the host
    if (host.vms.every((vm) => vm.stop || vm.name === spinner)) return;
  }
  throw new Error('the host did not finish in 200 M steps');
}

function expectVictimsAsAlone(host: Host): void {
  for (const vm of host.vms.filter((v) => ALONE.has(v.name))) {
    const l = vm.layout;
    expect({
      console: vm.consoleText(), stop: vm.stop ? Machine.describeStop(vm.stop) : 'running', instructions: vm.counters.instructions,
      idle: vm.counters.idle, ram: hash(host.machine.mem.u8.subarray(l.base, l.base + l.guestSize)),
    }, vm.name).toEqual(ALONE.get(vm.name));
  }
}

/** A host of `hostile` (its window first or last) and every victim, run to the end, watched. */
/** `writes`: whether it must have written RAM (cli-spin and timer-storm under hw with EPT write none: no stack, no page tables). */
function hostileHost(hostile: HostVmConfig, opts: { last?: boolean; spins?: boolean; reads?: boolean; writes?: boolean } = {}) {
  const { last = false, spins = false, reads = false, writes = !spins } = opts;
  const vms = last ? [...VICTIMS, hostile] : [hostile, ...VICTIMS];
  const { host, watch } = watchedHost(vms, reads);
  runHost(host, spins ? hostile.name : undefined);
  const vm = host.vms.find((v) => v.name === hostile.name)!;
  expect(watch.stray).toEqual([]);
  if (writes) expect(watch.writes.get(hostile.name)).toBeGreaterThan(0); // the watch saw it write
  if (reads) expect(watch.reads.get(hostile.name)).toBeGreaterThan(100); // and its CPU accesses
  expect(host.machine.mem.u8.subarray(0, host.vms[0]!.layout.base).every((b) => b === 0)).toBe(true); // the guard
  expectVictimsAsAlone(host);
  return { host, vm, counters: vm.monitor.counters as unknown as Record<string, number> };
}

const hexLine = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const withHw = (hw: HwOptions | undefined) => (hw ? { hw } : {});

// --- map-all ------------------------------------------------------------------------------------

const MAP_ALL_RAM = 16 * MiB;
/** Host RAM with map-all's window (of `ram` bytes) first, then every victim's. */
const hostRam = (ram: number) => allocateLayouts([{ guestSize: ram, monitorSize: DEFAULT_MONITOR_MEMORY, tcSize: DEFAULT_TC_SIZE },
  ...VICTIMS.map((c) => ({ guestSize: c.guestMemory ?? 16 * MiB, monitorSize: DEFAULT_MONITOR_MEMORY, tcSize: c.mode === 'bt' ? DEFAULT_TC_SIZE : 0 }))]).ramSize;
// First on the host, the frames right above its RAM are, in host RAM, its monitor's and then every victim's;
// last, the frames at the top of its address space are what a base added without a bound would wrap onto:
// the guard and every window before its own. 'odd': first, with RAM that ends inside a page table's 4 MiB.
const ODD_RAM = 5 * MiB + 0x3000;
const PLACES = {
  first: { last: false, ram: MAP_ALL_RAM, dense: Math.ceil((hostRam(MAP_ALL_RAM) - MiB - MAP_ALL_RAM) / MiB), top: 8 },
  last: { last: true, ram: MAP_ALL_RAM, dense: 2, top: Math.ceil((hostRam(MAP_ALL_RAM) - MAP_ALL_RAM) / MiB) },
  odd: { last: false, ram: ODD_RAM, dense: Math.ceil((hostRam(ODD_RAM) - MiB - ODD_RAM) / MiB), top: 1 },
};

describe('map-all.s: page tables mapping every frame, a marker written through each', () => {
  const STACK_ROOM = 0x10000;

  /** What it must print with `ram` bytes of RAM: its own frames keep the marker, every other frame reads all ones. */
  function expected(image: Image, ram: number, dense: number, top: number): string {
    const own = Math.ceil((ram - STACK_ROOM - (symbol(image, 'dir') + 4096 + 0x400000)) / 4096);
    let sparse = 0;
    for (let a = ram + dense * MiB; a < 2 ** 32 - top * MiB; a += MiB) if (a !== 0xf0000000) sparse++;
    const line = (name: string, frames: number, kept: number) =>
      `${name}: frames ${hexLine(frames)}, kept the marker ${hexLine(kept)}, all ones ${hexLine(frames - kept)}, other ${hexLine(0)}\n`;
    return 'map-all: 4 GiB mapped onto every frame\n' + line('own RAM', own, own) + line('above RAM', dense * 256, 0)
      + line('sparse', sparse, 0) + line('top', top * 256, 0);
  }

  test('natively, with just its RAM, it prints what the test expects (the reference for every mode)', () => {
    for (const { ram, dense, top } of Object.values(PLACES)) {
      const image = build(join(HOSTILE, 'map-all.s'), { DENSE_MIB: dense, TOP_MIB: top });
      const vm = createVm({ image, mode: 'native', guestMemory: ram });
      expect(Machine.describeStop(vm.run(50_000_000).stop)).toBe('halted with exit code 0');
      expect(vm.consoleText()).toBe(expected(image, ram, dense, top));
    }
  });

  const cases = [...MODES.flatMap((m) => (['first', 'last', 'odd'] as const).map((place) => ({ ...m, place }))),
    ...HW_MORE.map((m) => ({ ...m, place: 'first' as const }))];
  test.each(cases)('$label, its window $place: it reaches its own RAM only, the victims run as alone', ({ mode, hw, pv, place }) => {
    const { last, ram, dense, top } = PLACES[place];
    const image = build(join(HOSTILE, 'map-all.s'), { DENSE_MIB: dense, TOP_MIB: top, ...(pv ? { PV: 1 } : {}) });
    const { host, vm, counters: c } = hostileHost({ name: 'hostile', image, mode, guestMemory: ram, ...withHw(hw) }, { last });
    // It named every other window: the ones above its own, or (wrapping) the ones below.
    const l = vm.layout;
    if (last) expect(2 ** 32 - top * MiB + l.base).toBeLessThanOrEqual(2 ** 32);
    else expect(l.base + ram + dense * MiB).toBeGreaterThanOrEqual(host.machine.mem.size);
    expect(vm.consoleText()).toBe(expected(image, ram, dense, top));
    expect(vm.stop).toMatchObject({ kind: 'halted', code: 0 });
    // What it tried, in its monitor's counters: each access beyond its RAM was a device access, emulated on its own bus.
    const beyond = 2 * (dense * 256 + top * 256);
    if (mode === 'hw' && hw?.ept !== false) expect(c.exitEptViolation).toBeGreaterThanOrEqual(beyond);
    else expect(c.mmioEmulated).toBeGreaterThanOrEqual(beyond);
    if (place !== 'first') return;
    // The victims' monitor memory (shadow tables, EPT, translation cache) is what it is beside a harmless neighbour.
    const benign = new Host({ vms: [{ name: 'hostile', image: build(join(GUESTS, 'hello.s'), pv ? { PV: 1 } : {}), mode, guestMemory: ram, ...withHw(hw) }, ...VICTIMS], slice: 5_000 });
    runHost(benign);
    const monitors = (h: Host) => h.vms.slice(1).map((v) => hash(h.machine.mem.u8.subarray(v.layout.monitorBase, v.layout.ramSize)));
    expect(monitors(host)).toEqual(monitors(benign));
  });
});

describe('on the jit (compiled code and its fast memory paths, which the watch would turn off)', () => {
  test.each(MODES)('$label: map-all and jump-monitor print as on the bare machine, the victims run as alone', ({ mode, hw, pv }) => {
    const sized = { DENSE_MIB: PLACES.first.dense, TOP_MIB: PLACES.first.top };
    for (const [file, guestMemory] of [['map-all.s', MAP_ALL_RAM], ['jump-monitor.s', SMALL]] as const) {
      const defines = file === 'map-all.s' ? sized : {};
      const image = build(join(HOSTILE, file), { ...defines, ...(pv ? { PV: 1 } : {}) });
      const host = new Host({ vms: [{ name: 'hostile', image, mode, guestMemory, ...withHw(hw) }, ...VICTIMS], slice: 5_000, engine: createJit });
      runHost(host);
      const native = createVm({ image: build(join(HOSTILE, file), defines), mode: 'native', guestMemory });
      native.run(50_000_000);
      const text = host.vms[0]!.consoleText();
      // The PV build's tables end a page later: one frame fewer of its own RAM to mark (map-all's first line of counts).
      const cut = pv && file === 'map-all.s' ? (t: string) => t.split('\n').slice(2) : (t: string) => [t];
      expect(cut(text), file).toEqual(cut(native.consoleText()));
      expect(host.vms[0]!.stop, file).toMatchObject({ kind: 'halted', code: 0 });
      expect(host.machine.mem.u8.subarray(0, host.vms[0]!.layout.base).every((b) => b === 0)).toBe(true);
      expectVictimsAsAlone(host);
    }
  });
});

// --- jump-monitor ---------------------------------------------------------------------------------

describe('jump-monitor.s: jumps into monitor memory, the next window, the TC window, past RAM', () => {
  const native = createVm({ image: build(join(HOSTILE, 'jump-monitor.s')), mode: 'native', guestMemory: SMALL });
  const nativeStop = Machine.describeStop(native.run(1_000_000).stop);

  test('natively: ten traps, each an undefined instruction (nothing is there) or a page fault', () => {
    expect(nativeStop).toBe('halted with exit code 0');
    const traps = native.consoleText().split('\n').filter((l) => l.startsWith('trap: '));
    // Fetches outside RAM (cause 1) in the kernel, paging off then on; the unmapped TC window; a load and a
    // fetch through a table outside RAM (not present); the same two jumps from ring 3 (cause 0x400: user).
    expect(traps.map((t) => t.slice('trap: cause '.length, 'trap: cause 0x00000000'.length))).toEqual([
      ...Array(5).fill('0x00000001'), '0x00000203', '0x00000003', '0x00000203', '0x00000001', '0x00000603']);
  });

  test.each([...MODES, ...HW_MORE])('$label: the same traps as on the bare machine, the victims run as alone', ({ mode, hw, pv }) => {
    const image = build(join(HOSTILE, 'jump-monitor.s'), pv ? { PV: 1 } : {});
    const { vm, counters: c } = hostileHost({ name: 'hostile', image, mode, guestMemory: SMALL, ...withHw(hw) }, { reads: true });
    expect(vm.consoleText()).toBe(native.consoleText());
    expect(Machine.describeStop(vm.stop!)).toBe(nativeStop);
    // Its monitor delivered each fault to it: six fetches from nothing, four page faults. Under hw with EPT the two
    // page faults of its own tables go through its own vector with no exit, and each access outside RAM (the six
    // fetches, the two walks through the table above RAM) is an EPT violation.
    const ept = mode === 'hw' && hw?.ept !== false;
    expect([c.reflectUndefined, c.reflectPageFault]).toEqual([6, ept ? 2 : 4]);
    if (ept) expect(c.exitEptViolation).toBe(8);
  });
});

// --- callout-store ------------------------------------------------------------------------------------

describe('callout-store.s: a store bt performs for the guest, pointed at frames that are not its own', () => {
  const native = createVm({ image: build(join(HOSTILE, 'callout-store.s')), mode: 'native', guestMemory: SMALL });
  native.run(1_000_000);

  test('natively: nothing above RAM keeps the marker', () => {
    expect(native.consoleText()).toBe('0xffffffff\n'.repeat(3));
  });

  test.each(MODES)('$label: the same as natively, the victims run as alone', ({ mode, hw, pv }) => {
    const image = build(join(HOSTILE, 'callout-store.s'), pv ? { PV: 1 } : {});
    const { vm, counters: c } = hostileHost({ name: 'hostile', image, mode, guestMemory: SMALL, ...withHw(hw) });
    expect(vm.consoleText()).toBe(native.consoleText());
    expect(vm.stop).toMatchObject({ kind: 'halted', code: 0 });
    // Three marker stores and three loads above RAM, each a device access on its own bus.
    expect(c.mmioEmulated).toBe(6);
    if (mode === 'hw' && hw?.ept !== false) expect(c.exitEptViolation).toBe(6);
    // Under bt the store became a callout, which made the three page-table writes and the three marker stores.
    if (mode === 'bt') expect([c.adaptiveRetranslations, c.adaptiveAccesses]).toEqual([1, 9]);
  });
});

// --- pv-frames --------------------------------------------------------------------------------------

describe('pv-frames.s: frames that are not its own in every pv hypercall that takes one', () => {
  const ERRNO: Record<string, number> = { EPERM: -1, EFAULT: -14, EINVAL: -22, ENOSYS: -38 };

  test('every call fails with its error and changes nothing; from ring 3 a hypercall is an undefined instruction', () => {
    const image = build(join(HOSTILE, 'pv-frames.s'));
    const { vm, counters: c } = hostileHost({ name: 'hostile', image, mode: 'pv', guestMemory: SMALL }, { reads: true });
    const lines = vm.consoleText().trimEnd().split('\n');
    const tried = lines.filter((l) => / \[E[A-Z]+\] /.test(l));
    expect(tried.length).toBeGreaterThan(25);
    for (const l of tried) {
      const [, err, got] = / \[(E[A-Z]+)\] 0x([0-9a-f]{8})$/.exec(l)!;
      expect(`${l.split(' [')[0]} -> ${got}`).toBe(`${l.split(' [')[0]} -> ${hexLine(ERRNO[err!]!).slice(2)}`);
    }
    expect(c.hypercallErrors).toBe(tried.length);
    expect(lines).toContain("the good pair's entry, unwritten: 0x00000000");
    expect(lines).toContain('set_ptbr(its own directory) 0x00000000');
    expect(lines).toContain('store, then load, in a page mapped above RAM: 0xffffffff');
    expect(lines.at(-1)).toMatch(/^trap: cause 0x00000001, epc 0x[0-9a-f]{8}, faultaddr 0x[0-9a-f]{8}, from ring 3$/);
    expect(vm.stop).toMatchObject({ kind: 'halted', code: 0 });
  });
});

// --- cli-spin: time ------------------------------------------------------------------------------------

describe('cli-spin.s: interrupts off, a spin for ever', () => {
  test.each(MODES)('$label: the host\'s timer still takes the CPU back; every victim runs as alone', ({ mode, hw, pv }) => {
    const image = build(join(HOSTILE, 'cli-spin.s'), pv ? { PV: 1 } : {});
    const { vm } = hostileHost({ name: 'spinner', image, mode, guestMemory: SMALL, ...withHw(hw) }, { spins: true });
    expect(vm.stop).toBeUndefined(); // it spins on
    expect(vm.host.preempted).toBeGreaterThan(10); // each slice ended by the host's timer, not by the guest
    expect(vm.host.yields).toBe(0);
    expect(vm.monitor.guestCr(CR.status) & STATUS.IE).toBe(0); // its own interrupts are still off (it ran last: the CPU holds its state)
  });
});

describe('timer-storm.s: its timer at a period of one instruction, every tick taken', () => {
  test.each(MODES)('$label: the storm stays in its own slices; it ends as alone, every victim runs as alone', ({ mode, hw, pv }) => {
    const image = build(join(HOSTILE, 'timer-storm.s'), { TICKS: 20_000, ...(pv ? { PV: 1 } : {}) });
    const config = { name: 'storm', image, mode, guestMemory: SMALL, ...withHw(hw) };
    const alone = vmOf(config);
    const stop = Machine.describeStop(alone.run(50_000_000).stop);
    expect(alone.consoleText()).toBe('timer-storm: ticks 0x00004e20, main loop iterations 0x00000000\n');
    const { vm } = hostileHost(config, { writes: mode !== 'hw' || hw?.ept === false });
    expect([vm.consoleText(), Machine.describeStop(vm.stop!), vm.counters.instructions]).toEqual([alone.consoleText(), stop, alone.machine.counters.instructions]);
    expect(vm.host.preempted).toBeGreaterThan(5); // the host's timer ended its slices through the storm
  });
});

// --- a VM that dies ---------------------------------------------------------------------------------------

describe('a VM that dies: a fault with no handler, a wait for an interrupt that cannot come', () => {
  const native = {
    crash: imageOf('        .text\n        .global _start\n_start: li t0, 0x12345678\n        jr t0\n'),
    dead: imageOf('        .text\n        .global _start\n_start: cli\n        wfi\n        halt zero\n'),
  };
  // The PV builds: no trap table registered; block with no event source.
  const paravirtual = {
    crash: imageOf('        .include "../pv/hypercalls.inc"\n        .text\n        .global _start\n_start: li t0, 0x12345678\n        jr t0\n'),
    dead: imageOf('        .include "../pv/hypercalls.inc"\n        .text\n        .global _start\n_start: hcall HC_BLOCK\n        li a0, 0\n        hcall HC_HALT\n'),
  };

  test.each(MODES)('$label: it stops alone, the host runs on and every victim runs as alone', ({ mode, hw, pv }) => {
    const images = pv ? paravirtual : native;
    const host = new Host({ vms: [
      { name: 'crash', image: images.crash, mode, guestMemory: SMALL, ...withHw(hw) },
      { name: 'dead', image: images.dead, mode, guestMemory: SMALL, ...withHw(hw) }, ...VICTIMS], slice: 5_000 });
    runHost(host);
    expect(Machine.describeStop(host.vms[0]!.stop!)).toMatch(/^unhandled trap: undefined instruction .* at pc 0x12345678 /);
    expect(Machine.describeStop(host.vms[1]!.stop!)).toMatch(/^deadlock: /);
    expectVictimsAsAlone(host);
  });
});

// --- the checks themselves --------------------------------------------------------------------------------

describe('the checks catch a monitor that reaches another window', () => {
  test('a write into a victim\'s RAM during the hostile VM\'s slice is a stray write and changes the victim\'s hash', () => {
    const image = build(join(HOSTILE, 'jump-monitor.s'));
    const { host, watch } = watchedHost([{ name: 'hostile', image, mode: 'trap', guestMemory: SMALL }, ...VICTIMS]);
    const victim = host.vms.find((v) => v.name === 'tinyos-hw')!;
    let done = false;
    host.vms[0]!.monitor.listener = (e) => {
      // A simulated bug: at its first reflected fault, the hostile VM's monitor writes a word of a victim's RAM.
      if (e.kind !== 'reflect' || done) return;
      done = true;
      host.machine.mem.write32(victim.layout.base + 0x1000, 0x0badf00d);
    };
    runHost(host);
    expect(done).toBe(true);
    expect(watch.stray).toEqual([`4-byte write at 0x${(victim.layout.base + 0x1000).toString(16)} while hostile ran`]);
    const l = victim.layout;
    expect(hash(host.machine.mem.u8.subarray(l.base, l.base + l.guestSize))).not.toBe(ALONE.get(victim.name)!.ram);
  });
});
