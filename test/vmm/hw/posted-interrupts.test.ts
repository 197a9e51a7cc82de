// Posted interrupts under hw: a real device's line posted to the guest as a
// virtual line reaches the guest's handler with no VM exit; with
// `posted: false` (--no-posted-interrupts) the same guest sees the same
// interrupts, each through an external-interrupt exit and an injection.

import { describe, expect, test } from 'vitest';
import { createJit } from '../../../src/engine/jit/index.js';
import type { Engine } from '../../../src/engine/engine.js';
import { CAUSE } from '../../../src/isa/index.js';
import type { Machine } from '../../../src/machine/machine.js';
import { Host } from '../../../src/host/index.js';
import type { HwMode } from '../../../src/vmm/modes/hw.js';
import { kernel, nonZero, symbol } from '../helpers.js';
import { PulseDevice, postedVm, pulseHpa, type PostedVm, type PulseSpec } from './posted-device.js';

const DEV0 = 0x0100_0000; // guest-physical, just past the 16 MiB of guest RAM
const DEV1 = 0x0100_1000;

/**
 * Interrupts on (phase A), off (B), on again (C), then halt with the number
 * of device events its handler acknowledged. The handler logs each CAUSE and
 * acknowledges the device of virtual line 3 (DEV0) or 5 (DEV1) by reading
 * its register, mapped straight into the guest.
 */
const GUEST = kernel(`la      t0, handler
        mtcr    tvec, t0
        li      s1, 0                    ; device events acknowledged
        li      s2, 0                    ; interrupts taken
        sti
        li      t1, 3000
1:      addi    t1, t1, -1
        bnez    t1, 1b
        cli
        li      t1, 3000
2:      addi    t1, t1, -1
        bnez    t1, 2b
        sti                              ; what was posted meanwhile arrives here
        li      t1, 1000
3:      addi    t1, t1, -1
        bnez    t1, 3b
        cli
        halt    s1
handler: mfcr   t0, cause
        la      t2, log
        slli    t3, s2, 2
        add     t2, t2, t3
        sw      t0, 0(t2)
        addi    s2, s2, 1
        andi    t0, t0, 15
        li      t2, 3
        bne     t0, t2, 4f
        li      t2, ${DEV0}
        lw      t3, 0(t2)                ; reading the count lowers the line
        add     s1, s1, t3
        rett
4:      li      t2, ${DEV1}
        lw      t3, 0(t2)
        add     s1, s1, t3
        rett
        .data
log:    .space  256
`);
const LOG = symbol(GUEST, 'log');

/**
 * Real line 9 posted as virtual line 3: two events while IE is on, then two
 * while it is off (the second before the guest acknowledged the first: one
 * interrupt for both, as a level line natively). Real line 10 as virtual
 * line 5: one event while IE is off, between those two.
 */
const SPECS: PulseSpec[] = [
  { line: 9, vline: 3, deadlines: [1000, 3000, 7000, 9000], gpa: DEV0 },
  { line: 10, vline: 5, deadlines: [8000], gpa: DEV1 },
];
const INT = (v: number): number => (CAUSE.INTERRUPT | v) >>> 0;
const EXPECTED_LOG = [INT(3), INT(3), INT(3), INT(5)];

function logOf(vm: PostedVm, n = 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = vm.monitor.guest.read(LOG + 4 * i, 4) >>> 0;
    if (w === 0) break;
    out.push(w);
  }
  return out;
}

function run(posted: boolean, engine?: (m: Machine) => Engine) {
  const vm = postedVm(GUEST, SPECS, posted, engine);
  const r = vm.run();
  return { vm, stop: r.stop, log: logOf(vm), c: vm.monitor.counters };
}

describe('posted interrupts under hw', () => {
  test('posted: the guest\'s handler gets interrupt | v with no exit for it; only halt exits', () => {
    const { stop, log, c } = run(true);
    expect(stop).toMatchObject({ kind: 'halted', code: 5 }); // every event acknowledged, none lost
    expect(log).toEqual(EXPECTED_LOG);
    expect(c.postedInterrupts).toBe(4);
    expect(c.postedWhileNotRunning).toBe(0);
    expect(c.exitExternalInterrupt).toBe(0);
    expect(c.injected).toBe(0);
    expect(nonZero(c)).toMatchObject({ vmExits: 1, exitHlt: 1 });
  });

  test('--no-posted-interrupts: the same guest output, one external-interrupt exit per interrupt and an injection', () => {
    const posted = run(true);
    const { stop, log, c, vm } = run(false);
    expect(stop).toEqual(posted.stop);
    expect(log).toEqual(posted.log);
    expect(c.postedInterrupts).toBe(0);
    expect(c.exitExternalInterrupt).toBe(posted.c.postedInterrupts);
    expect(c.injected).toBe(4);
    // The two posted while IE was off wait for the guest's sti: an interrupt window, then one more after the first handler's rett.
    expect(c.exitInterruptWindow).toBe(2);
    expect(c.vmExits).toBe(c.exitExternalInterrupt + c.exitInterruptWindow + c.exitHlt);
    // The guest retired the same instructions either way.
    expect(vm.machine.counters.instructions).toBe(posted.vm.machine.counters.instructions);
  });

  test('posted while IE is off: pending in the PIR, no exit, delivered lowest line first once the guest sets IE', () => {
    const vm = postedVm(GUEST, SPECS, true);
    vm.run(9500); // past the three events of phase B; IE is still off
    expect(vm.machine.cpu.cr[0]! & 4).toBe(0);
    expect(vm.hw.vmcs.pid.pir).toBe((1 << 3) | (1 << 5));
    expect(vm.hw.pendingPosted()).toBe((1 << 3) | (1 << 5));
    expect(logOf(vm)).toEqual([INT(3), INT(3)]);
    expect(vm.monitor.counters.vmExits).toBe(0);
    expect(vm.run().stop).toMatchObject({ kind: 'halted', code: 5 });
    expect(vm.hw.vmcs.pid.pir).toBe(0);
  });

  test('interp and jit: identical runs', () => {
    for (const posted of [true, false]) {
      const a = run(posted);
      const b = run(posted, createJit);
      expect(b.stop).toEqual(a.stop);
      expect(b.log).toEqual(a.log);
      expect(b.c).toEqual(a.c);
      const pick = (m: Machine) => ({ i: m.counters.instructions, s: m.counters.steps, n: m.counters.interrupts, pc: m.cpu.pc });
      expect(pick(b.vm.machine)).toEqual(pick(a.vm.machine));
    }
  });

  test.each([true, false])('snapshots carry the PIR and the lines\' edges (posted: %s)', (posted) => {
    const straight = run(posted);
    const vm = postedVm(GUEST, SPECS, posted);
    const m = vm.machine;
    m.enableJournal();
    vm.run(8500); // events at 7000 and 8000 pending, line 9 still high (not acknowledged)
    const pending = vm.hw.pendingPosted();
    expect(pending).toBe((1 << 3) | (1 << 5));
    const snap = m.captureState();
    const mark = m.mem.journal!.mark();
    const first = vm.run();
    expect(vm.hw.pendingPosted()).toBe(0);
    m.mem.journal!.undoTo(mark);
    m.restoreState(snap);
    expect(vm.hw.pendingPosted()).toBe(pending);
    const again = vm.run();
    expect(again.stop).toEqual(first.stop);
    expect(again.stop).toEqual(straight.stop);
    expect(logOf(vm)).toEqual(straight.log);
    expect(vm.monitor.counters).toEqual(straight.c);
    expect(m.counters.steps).toBe(straight.vm.machine.counters.steps);
  });

  test('postLine refuses a line posted to another VMCS, and lines that do not exist', () => {
    const vm = postedVm(GUEST, SPECS, true);
    const other = postedVm(GUEST, [], true);
    expect(() => vm.machine.remapLine(9, { vmcs: other.hw.vmcs, vline: 1 })).toThrow(/posted to another VMCS/);
    expect(() => vm.hw.postLine(16, 1)).toThrow(/line 16 does not exist/);
    expect(() => vm.hw.postLine(11, 16)).toThrow(/virtual line 16 does not exist/);
    expect(() => vm.hw.post(-1)).toThrow(/virtual line -1 does not exist/);
  });
});

/** The handler of GUEST, for the guests below: it logs at `log` and acknowledges DEV0 (virtual line 3). */
const handler = `handler: mfcr   t0, cause
        la      t2, log
        slli    t3, s2, 2
        add     t2, t2, t3
        sw      t0, 0(t2)
        addi    s2, s2, 1
        li      t2, ${DEV0}
        lw      t3, 0(t2)
        add     s1, s1, t3
        rett
        .data
log:    .space  256
`;

describe('posted interrupts and wfi', () => {
  const ONE: PulseSpec[] = [{ line: 9, vline: 3, deadlines: [500], gpa: DEV0 }];

  test.each([true, false])('the posted line ends a wait nothing else could end (posted: %s)', (posted) => {
    const image = kernel(`la      t0, handler
        mtcr    tvec, t0
        li      s1, 0
        li      s2, 0
        sti
        wfi                              ; no timer: only the device can end this wait
        cli
        halt    s1
${handler}`);
    const vm = postedVm(image, ONE, posted);
    expect(vm.run().stop).toMatchObject({ kind: 'halted', code: 1 });
    expect(vm.monitor.guest.read(symbol(image, 'log'), 4) >>> 0).toBe(INT(3));
    expect(vm.machine.counters.idle).toBeGreaterThan(400);
    const c = vm.monitor.counters;
    expect(c.exitWfi).toBe(1);
    // Posted while the vCPU waited in the monitor: it was not running.
    expect([c.postedInterrupts, c.postedWhileNotRunning, c.exitExternalInterrupt]).toEqual(posted ? [1, 1, 0] : [0, 0, 1]);
  });

  test.each([true, false])('wfi with IE off and a posted line pending does not wait (posted: %s)', (posted) => {
    const image = kernel(`la      t0, handler
        mtcr    tvec, t0
        li      s1, 0
        li      s2, 0
        li      t1, 400
1:      addi    t1, t1, -1
        bnez    t1, 1b                   ; the device's event arrives while IE is off
        wfi                              ; it is pending: natively the wait ends at once
        sti
        li      t1, 10
2:      addi    t1, t1, -1
        bnez    t1, 2b
        cli
        halt    s1
${handler}`);
    const vm = postedVm(image, ONE, posted);
    expect(vm.run().stop).toMatchObject({ kind: 'halted', code: 1 });
    expect(vm.machine.counters.idle).toBe(0);
  });

  test('postLine again for the same line changes its virtual line; a line of another VMCS is refused', () => {
    const vm = postedVm(GUEST, SPECS, false);
    vm.hw.postLine(9, 4);
    expect(vm.machine.routeOf(9)).toEqual({ vmcs: vm.hw.vmcs, vline: 4 });
    vm.hw.postLine(9, 3);
    expect(vm.run().stop).toMatchObject({ kind: 'halted', code: 5 });
    expect(logOf(vm)).toEqual(EXPECTED_LOG);
  });
});

/** Two hw VMs running GUEST; real line 9 (an event at machine clock 2500, in a's second slice) is posted to b as line 3. */
function twoVms() {
  const host = new Host({ vms: [{ name: 'a', image: GUEST, mode: 'hw' }, { name: 'b', image: GUEST, mode: 'hw' }], slice: 1000 });
  const m = host.machine;
  const [a, b] = host.vms as [typeof host.vms[0], typeof host.vms[0]];
  const runningAtEvent: (string | undefined)[] = [];
  const ctx = { clock: () => m.clock(), dma: m.dma, setIrq: (line: number, level: boolean) => {
    if (level) runningAtEvent.push(host.running()?.name);
    m.setIrq(line, level);
  } };
  const dev = new PulseDevice('pulse0', ctx, pulseHpa(0), 9, [2500]);
  m.addDevice(dev);
  m.bus.registerMmio(pulseHpa(0), 0x1000, dev.name, dev.mappings[0]!.device);
  b.monitor.guest.assign({ gpa: DEV0, hpa: pulseHpa(0), length: 0x1000 });
  const bHw = b.monitor.mode as HwMode;
  bHw.postLine(9, 3);
  m.reset(0); // the EPT is built at reset, with b's device mapping in it
  return { host, m, a, b, bHw, runningAtEvent };
}

describe('posted interrupts on a host of two hw VMs', () => {
  test('a line posted to b fires while a runs: a takes no exit for it, b gets it at its next entry, counted postedWhileNotRunning', () => {
    const { host, a, b, runningAtEvent } = twoVms();
    const aLine9: number[] = [];
    const onExit = a.hooks.vmx!.onExit;
    a.hooks.vmx!.onExit = (e) => {
      if (e.reason === 'external-interrupt' && e.line === 9) aLine9.push(e.pc);
      onExit(e);
    };
    const r = host.run(10_000_000);
    expect(r.end).toBe('stopped');
    expect(runningAtEvent).toEqual(['a']);
    expect(aLine9).toEqual([]);
    expect(a.stop).toMatchObject({ kind: 'halted', code: 0 });
    expect(b.stop).toMatchObject({ kind: 'halted', code: 1 });
    expect(a.monitor.counters.postedInterrupts + a.monitor.counters.postedWhileNotRunning).toBe(0);
    expect(b.monitor.counters.postedWhileNotRunning).toBe(1);
    expect(b.monitor.counters.postedInterrupts).toBe(1);
    expect(b.monitor.guest.read(LOG, 4) >>> 0).toBe(INT(3));
    expect(a.monitor.guest.read(LOG, 4)).toBe(0);
  });

  test('the host\'s snapshot carries b\'s PIR while a runs', () => {
    const { host, m, b, bHw } = twoVms();
    m.enableJournal();
    while (bHw.pendingPosted() === 0 && !b.stop) host.run(100);
    expect(host.running()?.name).toBe('a');
    const snap = m.captureState();
    const mark = m.mem.journal!.mark();
    host.run(10_000_000);
    const first = { stop: b.stop, counters: { ...b.monitor.counters }, log: b.monitor.guest.read(LOG, 4) >>> 0 };
    expect(bHw.pendingPosted()).toBe(0);
    m.mem.journal!.undoTo(mark);
    m.restoreState(snap);
    expect(bHw.pendingPosted()).toBe(1 << 3);
    expect(bHw.vmcs.pid.on).toBe(true);
    host.run(10_000_000);
    expect({ stop: b.stop, counters: { ...b.monitor.counters }, log: b.monitor.guest.read(LOG, 4) >>> 0 }).toEqual(first);
    expect(first.log).toBe(INT(3));
  });
});
