// PVHVM under hw: a guest that declares the pv ABI gets hypercalls for its
// timer and events (the same dispatcher and handlers as pv's), each a vmcall
// exit; events are virtual interrupts through its own trap vector, published
// in its shared page. tinyos -D PVHVM prints what the native build prints,
// with the same ticks, on both engines.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../../src/asm/index.js';
import type { Image } from '../../../src/elf/image.js';
import { ENGINE_FACTORIES, type EngineName } from '../../../src/engine/registry.js';
import { createVm } from '../../../src/vmm/index.js';
import { GUESTS, imageOf, runVm, runWithRewind } from '../helpers.js';

function tinyos(defines: Record<string, number>): Image {
  const r = assembleFile(join(GUESTS, 'tinyos/tinyos.s'), { defines });
  if (!r.image) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.image;
}

describe.each(['interp', 'jit'] as EngineName[])('tinyos -D PVHVM under hw on %s', (engineName) => {
  const engine = ENGINE_FACTORIES[engineName];

  test.each([
    ['the demonstration processes', {}],
    ['-D WORKLOAD=1 -D TICK_PERIOD=200', { WORKLOAD: 1, TICK_PERIOD: 200 }],
  ] as const)('%s: the native build\'s output and ticks, the timer by hypercall', (_label, defs) => {
    const native = runVm(tinyos(defs), 'native', 100_000_000, { engine });
    const v = runVm(tinyos({ ...defs, PVHVM: 1 }), 'hw', 100_000_000, { engine });
    expect(native.out.stop).toMatch(/^halted/);
    expect(v.out).toEqual(native.out);
    const c = v.vm.monitor!.counters;
    expect(v.vm.machine.counters.interrupts).toBe(native.vm.machine.counters.interrupts);
    expect(c.injected).toBe(native.vm.machine.counters.interrupts);
    // The registration (at each trap-vector install), then a timer call for each timer port write of the native build; each one exit.
    expect(c.hcRegisterVcpuInfo).toBeGreaterThanOrEqual(1);
    expect(c.hcTimerSet + c.hcTimerAck + c.hcRegisterVcpuInfo).toBe(c.hypercalls);
    expect(c.hcTimerAck).toBe(native.vm.machine.counters.interrupts);
    expect([c.exitVmcall, c.hypercallErrors, c.hcUnknown]).toEqual([c.hypercalls, 0, 0]);
    // The console's port is still emulated: its exits are the native build's console writes.
    expect(c.exitIo).toBeGreaterThan(0);
    expect(c.exitIo + c.hcTimerSet + c.hcTimerAck).toBe(native.vm.machine.counters.ioWrites + native.vm.machine.counters.ioReads);
    // Priced as exits: no row of pv's hypercall work on top of each exit's handling.
    const rows = v.vm.stats('p4-2006').cost.rows;
    expect(rows.find((r) => r.counter === 'vmExits')!.count).toBe(c.vmExits);
    expect(rows.map((r) => r.counter)).not.toContain('hypercalls');
  });
});

const HC = `        .include "../pv/hypercalls.inc"
        .text
        .global _start
_start: `;

describe('hypercalls under hw', () => {
  test('a tick through block: delivered through the guest\'s vector, its line published in the shared page until the ack', () => {
    const img = imageOf(`${HC}
        la      t0, handler
        mtcr    tvec, t0
        la      a0, shared
        li      a1, 0
        hcall   HC_REGISTER_VCPU_INFO
        mov     a2, a0                  ; 0
        li      a0, 300
        hcall   HC_TIMER_SET
        hcall   HC_BLOCK                ; interrupts on, wait for the tick
        cli
        la      t0, shared
        lw      s2, PV_SH_PENDING(t0)   ; after the ack: nothing pending
        slli    a0, s2, 4
        or      a0, a0, s1
        slli    t0, a3, 8
        or      a0, a0, t0
        or      a0, a0, a2
        hcall   HC_HALT
handler:
        la      t0, shared
        lw      s1, PV_SH_PENDING(t0)   ; the timer's line
        mfcr    t0, cause
        li      t1, 0x80000000
        sub     t0, t0, t1
        seqz    a3, t0                  ; an interrupt on line 0
        li      a0, 0
        hcall   HC_TIMER_SET            ; stop it
        hcall   HC_TIMER_ACK
        rett
        .bss
        .align  4096
shared: .space  4096
`);
    const v = runVm(img, 'hw', 1_000_000);
    expect(v.out.stop, v.out.console).toMatch(/^halted/);
    expect(v.out.code!.toString(16)).toBe('101');
    const c = v.vm.monitor!.counters;
    expect([c.hcBlock, c.injected, c.exitVmcall]).toEqual([1, 1, c.hypercalls]);
    expect(v.vm.machine.counters.idle).toBeGreaterThan(0);
  });

  test('the calls for hardware the guest has are ENOSYS, a callback is EINVAL, a process\'s hcall is undefined', () => {
    const img = imageOf(`${HC}
        la      a0, _start
        hcall   HC_SET_TRAP_TABLE
        mov     s0, a0
        li      a0, 1
        hcall   HC_SET_PAGING
        mov     s1, a0
        la      a0, shared
        la      a1, _start
        hcall   HC_REGISTER_VCPU_INFO
        mov     s2, a0
        li      t0, 38 + 38 + 22
        add     a0, s0, s1
        add     a0, a0, s2
        add     a0, a0, t0              ; 0 if all three failed as they should
        halt    a0
        .bss
        .align  4096
shared: .space  4096
`);
    const v = runVm(img, 'hw', 1_000_000);
    expect(v.out.code).toBe(0);
    const c = v.vm.monitor!.counters;
    expect([c.hypercalls, c.hypercallErrors, c.hcSetTrapTable, c.hcSetPaging]).toEqual([3, 3, 1, 1]);
  });

  test('a buffer argument is found through the guest\'s own page tables (its CPU\'s, not a virtual CPU\'s)', () => {
    // Identity-map 4 MiB, then map the unused page at 0x300000 onto msg's page: console_write reads it there.
    const img = imageOf(`${HC}
        call    rt_paging_on
        la      t0, msg
        srli    t0, t0, 12
        slli    t0, t0, 12
        ori     t0, t0, PAGING_PTE_PW
        la      t1, paging_pt
        li      t2, 0x300 * 4
        add     t1, t1, t2
        sw      t0, 0(t1)
        li      t1, 0x300000
        tlbi    t1
        la      a0, msg
        andi    a0, a0, 0xfff
        add     a0, a0, t1
        li      a1, 6
        hcall   HC_CONSOLE_WRITE
        halt    a0
        .data
msg:    .ascii  "paged\\n"
        .bss
        .align  4096
paging_dir: .space 4096
paging_pt:  .space 4096
        .text
        .include "paging.inc"
`);
    const v = runVm(img, 'hw', 1_000_000);
    expect(v.out.console).toBe('paged\n');
    expect(v.out.code).toBe(6);
  });

  test('a reset equals a fresh VM, and a rewind mid-run gives the same run (the shared page is monitor state)', () => {
    const img = tinyos({ PVHVM: 1 });
    const straight = runVm(img, 'hw', 100_000_000);
    const vm = createVm({ image: img, mode: 'hw', console: {} });
    vm.run(40_000);
    vm.reset();
    expect(vm.machine.captureState()).toEqual(createVm({ image: img, mode: 'hw', console: {} }).machine.captureState());
    runWithRewind(vm, 30_000, 30_000);
    expect(vm.consoleText()).toBe(straight.out.console);
    expect(vm.machine.counters.instructions).toBe(straight.vm.machine.counters.instructions);
  });

  test('a guest that does not declare the ABI finds hcall undefined, as on the bare machine', () => {
    const img = imageOf(`        .text
        .global _start
_start: la      t0, handler
        mtcr    tvec, t0
        hcall   12
        halt    zero
handler:
        mfcr    a0, cause
        halt    a0
`);
    const native = runVm(img, 'native');
    const v = runVm(img, 'hw');
    expect(v.out).toEqual(native.out);
    expect(v.out.code).toBe(1); // exception 1: undefined instruction
    expect(v.vm.monitor!.counters.hypercalls).toBe(0);
  });
});
