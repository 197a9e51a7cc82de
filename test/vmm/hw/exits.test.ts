// The VMX-like extension under the hw mode: what exits and what does not,
// event injection, the two-dimensional walk, EPT violations, VPID, snapshots.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createVm } from '../../../src/vmm/index.js';
import { guestImage, imageOfFile, kernel, nonZero, runVm, runWithRewind, VMM_GUESTS } from '../helpers.js';

const TINYOS = guestImage('tinyos/tinyos.s');
let tinyosRuns: { native: ReturnType<typeof runVm>; hw: ReturnType<typeof runVm> } | undefined;
/** tinyos natively and under hw with the defaults, run once for the tests that only look at the runs. */
function tinyos() {
  return tinyosRuns ??= { native: runVm(TINYOS, 'native', 100_000_000), hw: runVm(TINYOS, 'hw', 100_000_000) };
}

describe('what exits', () => {
  test('hello.s: port I/O and halt exit; nothing else', () => {
    const { vm, out } = runVm(guestImage('hello.s'), 'hw');
    expect(out.console).toBe('Hello from virtlab!\n');
    const c = vm.monitor!.counters;
    expect(c.exitIo).toBe('Hello from virtlab!\n'.length);
    expect(c.exitHlt).toBe(1);
    expect(c.vmExits).toBe(c.exitIo + c.exitHlt);
  });

  test.each(['rdflags', 'wrflags', 'rdtvec', 'rdptbr'])('popek/%s.s: the sensitive instruction sees the guest\'s own state, without an exit', (insn) => {
    const { vm, out } = runVm(guestImage(`popek/${insn}.s`), 'hw');
    expect(out.console).toMatch(/: yes\n$/);
    const c = vm.monitor!.counters;
    // Only console output, the timer (wrflags.s) and halt exit: no control-register or flags access does.
    expect(c.exitCrAccess).toBe(0);
    expect(c.vmExits).toBe(c.exitIo + c.exitHlt + c.exitExternalInterrupt + c.exitInterruptWindow);
  });

  test('exceptions go to the guest\'s own vector with EPT; hcall exits and is turned into the guest\'s undefined-instruction trap', () => {
    const sys = runVm(guestImage('exceptions/syscall.s'), 'hw').vm.monitor!.counters;
    expect(sys.exitException).toBe(0);
    expect(sys.reflected).toBe(0);
    const hc = runVm(guestImage('exceptions/hypercall.s'), 'hw');
    expect(hc.out.console).toContain('epc is the faulting instruction: yes');
    expect(hc.vm.monitor!.counters.exitVmcall).toBe(1);
    expect(hc.vm.monitor!.counters.reflected).toBe(1);
    expect(hc.vm.monitor!.counters.reflectUndefined).toBe(1); // reflected through the monitor's one path, counted by cause
  });

  test('timer interrupts: the real one exits, the virtual one is injected at entry, once per native interrupt', () => {
    const { native, hw: { vm, out } } = tinyos();
    expect(out).toEqual(native.out);
    const c = vm.monitor!.counters;
    expect(c.exitExternalInterrupt).toBeGreaterThan(0);
    expect(c.injected).toBe(native.vm.machine.counters.interrupts);
    expect(c.injected).toBeGreaterThan(20);
    // The guest ran the same instructions, so the ticks landed on the same ones.
    expect(vm.machine.counters.instructions).toBe(native.vm.machine.counters.instructions);
    // tinyos acknowledges each tick with IE off: no window exit for it, only where a tick is still
    // pending when the guest sets IE (the boot's timer check), not once per tick.
    expect(c.exitInterruptWindow).toBeLessThan(c.injected / 5);
    // A window exit is a step the bare machine does not take; nothing else differs.
    expect(vm.machine.counters.steps).toBe(native.vm.machine.counters.steps + c.exitInterruptWindow);
  });

  test('the interrupt window: an interrupt pending while the guest has IE off is injected when it sets it', () => {
    const image = kernel(`la      t0, handler
        mtcr    tvec, t0
        li      t0, 50
        out     t0, 0x20                 ; the timer fires while interrupts are still off
        li      t1, 500
1:      addi    t1, t1, -1
        bnez    t1, 1b
        li      t0, 0x30
        out     t0, 0x30                 ; another exit while the tick is pending and IE is off
        li      s0, 0
        sti                              ; now: the pending tick arrives here
        li      s0, 1
        halt    s0
handler: li     t0, 1
        out     t0, 0x21
        halt    s0                       ; 0: taken right after sti, before li s0, 1
`);
    const native = runVm(image, 'native');
    expect(native.out.code).toBe(0);
    const { vm, out } = runVm(image, 'hw');
    expect(out).toEqual(native.out);
    const c = vm.monitor!.counters;
    expect(c.exitInterruptWindow).toBe(1);
    expect(c.injected).toBe(1);
  });
});

describe('the VMCS', () => {
  test('an exit saves the guest state and loads the host state; the entry restores the guest', () => {
    const vm = createVm({ image: guestImage('popek/rdtvec.s'), mode: 'hw', console: {} });
    const setup = vm.machine.vmx!;
    const seen: { status: number; tvec: number; pc: number; guestTvec: number }[] = [];
    const handler = setup.onExit;
    setup.onExit = (e) => {
      seen.push({ status: vm.machine.cpu.cr[0]!, tvec: vm.machine.cpu.cr[1]! >>> 0, pc: vm.machine.cpu.pc >>> 0, guestTvec: setup.vmcs.guestCr[1]! >>> 0 });
      handler(e);
    };
    vm.run(1_000_000);
    expect(vm.consoleText()).toMatch(/: yes\n$/);
    expect(seen.length).toBeGreaterThan(1);
    for (const s of seen) expect(s).toMatchObject({ status: 0, tvec: 0xffc00000, pc: 0xffc00000 });
    expect(seen.at(-1)!.guestTvec).not.toBe(0); // the guest's own vector, saved in the VMCS
  });
});

describe('more exit reasons', () => {
  test('wfi exits, and the monitor idles the guest until its next virtual tick', () => {
    const image = kernel(`la      t0, handler
        mtcr    tvec, t0
        li      t0, 300
        out     t0, 0x20
        sti
        wfi                              ; sleeps until the tick
        li      a0, 2
        halt    a0
handler: li     t0, 1
        out     t0, 0x21
        li      t0, 0
        out     t0, 0x20                 ; no more ticks
        rett
`);
    const native = runVm(image, 'native');
    expect(native.out.code).toBe(2);
    const { vm, out } = runVm(image, 'hw');
    expect(out).toEqual(native.out);
    expect(vm.monitor!.counters.exitWfi).toBe(1);
    expect(vm.machine.counters.idle).toBe(native.vm.machine.counters.idle);
  });

  test('--no-ept: tlbi and tlbia exit to the shadow; with EPT they run in the guest', () => {
    const image = kernel(`call    rt_paging_on
        li      t0, 0x1000
        tlbi    t0
        tlbia
        halt    zero
        .include "paging.inc"
        .bss
        .align 4096
paging_dir: .space 4096
paging_pt:  .space 4096
`);
    const shadow = runVm(image, 'hw', 1_000_000, { hw: { ept: false } }).vm.monitor!.counters;
    expect(shadow.exitInvlpg).toBe(2);
    expect(shadow.exitCrAccess).toBe(2); // PTBR, then STATUS.PG
    const ept = runVm(image, 'hw', 1_000_000).vm.monitor!.counters;
    expect(ept.exitInvlpg + ept.exitCrAccess).toBe(0);
  });
});

describe('memory', () => {
  test('EPT: the guest changes its tables and PTBR without exits; the two-dimensional walk is counted', () => {
    const { vm } = runVm(guestImage('workloads/memory.s'), 'hw', 100_000_000);
    const c = vm.monitor!.counters;
    expect(nonZero(c)).toMatchObject({ exitHlt: 1 });
    expect(c.vmExits).toBe(1);
    // A TLB miss with the guest's paging on translates its two table entries' addresses and the result through
    // EPT (3 second-level walks); with its paging off (the boot), only the address (1).
    const walks = vm.machine.counters.tlbWalks;
    expect(c.eptWalks).toBeGreaterThan(2 * walks);
    expect(c.eptWalks).toBeLessThanOrEqual(3 * walks);
    expect(c.eptEntryReads).toBe(2 * c.eptWalks);
  });

  test('--no-ept: PTBR and STATUS writes, tlbi and page faults exit; the shadow does the rest', () => {
    const { vm } = runVm(guestImage('workloads/memory.s'), 'hw', 100_000_000, { hw: { ept: false } });
    const c = vm.monitor!.counters;
    expect(c.exitCrAccess).toBeGreaterThan(0);
    expect(c.exitException).toBe(c.shadowFaults); // every page fault was a shadow miss
    expect(c.eptWalks).toBe(0);
  });

  test('an access outside guest RAM is an EPT violation the monitor emulates as device memory', () => {
    const image = kernel(`li      t0, 0xf0000000           ; the console's MMIO data register
        li      t1, 'M'
        sw      t1, 0(t0)
        halt    zero
`);
    const { vm, out } = runVm(image, 'hw');
    expect(out.console).toBe('M');
    expect(vm.monitor!.counters.exitEptViolation).toBe(1);
    expect(vm.monitor!.counters.mmioEmulated).toBe(1);
  });

  test('a hostile guest sees the same as natively, with and without EPT', () => {
    const image = imageOfFile(join(VMM_GUESTS, 'hostile.s'));
    const native = runVm(image, 'native', 10_000_000, { guestMemory: 0x40000 }).out;
    expect(runVm(image, 'hw', 10_000_000, { guestMemory: 0x40000 }).out).toEqual(native);
    expect(runVm(image, 'hw', 10_000_000, { guestMemory: 0x40000, hw: { ept: false } }).out).toEqual(native);
  });

  test('VPID keeps the guest\'s TLB entries across exits; without it every entry and exit flushes', () => {
    const tagged = tinyos().hw.vm;
    const flushed = runVm(TINYOS, 'hw', 100_000_000, { hw: { vpid: false } }).vm;
    const t = tagged.monitor!.counters, f = flushed.monitor!.counters;
    expect(t.vpidFlushes).toBe(0);
    expect(f.vpidFlushes).toBe(f.vmEntries + f.vmExits);
    expect(flushed.machine.counters.tlbMisses).toBeGreaterThan(tagged.machine.counters.tlbMisses + f.vmExits / 2);
    expect(flushed.consoleText()).toBe(tagged.consoleText());
  });
});

describe('state', () => {
  test('a reset hw VM equals a fresh one, and restoring a snapshot mid-run gives the same run', () => {
    const straight = tinyos().hw.vm;
    const vm = createVm({ image: TINYOS, mode: 'hw', console: {} });
    vm.run(20_000);
    vm.reset();
    const fresh = createVm({ image: TINYOS, mode: 'hw', console: {} });
    expect(vm.machine.captureState()).toEqual(fresh.machine.captureState());
    runWithRewind(vm, 30_000, 30_000);
    expect(vm.consoleText()).toBe(straight.consoleText());
    expect(vm.machine.stopped).toEqual(straight.machine.stopped);
  });
});
