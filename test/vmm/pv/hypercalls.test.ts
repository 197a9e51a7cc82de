// Every hypercall of the pv ABI (docs/hypercalls.md), and each of its error
// returns: an error changes nothing. Inline paravirtualized guests run under
// --mode pv; most halt with a hypercall's result as their exit code.

import { describe, expect, test } from 'vitest';
import { CAUSE, EXC, STATUS } from '../../../src/isa/index.js';
import { HYPERCALLS, MMU_UPDATE_MAX, PV_ABI_VERSION } from '../../../src/vmm/pv/abi.js';
import { callAndHalt, calls, err, pv, pvMode, sharedWord } from './helpers.js';

/** Register the trap table and the shared page, both pointing at on_trap. */
const SETUP = `
        la      a0, on_trap
        hcall   HC_SET_TRAP_TABLE
        la      a0, shared
        la      a1, on_trap
        hcall   HC_REGISTER_VCPU_INFO
`;
/** A handler that halts with the delivered cause. */
const HALT_WITH_CAUSE = `
on_trap:
        la      t0, shared
        lw      a0, PV_SH_CAUSE(t0)
        hcall   HC_HALT
`;
/** A handler that counts timer upcalls, acknowledges the timer and returns. */
const COUNT_TICKS = `
on_trap:
        push    t0
        push    t1
        push    a0
        la      t0, upcalls
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        hcall   HC_TIMER_ACK
        pop     a0
        pop     t1
        pop     t0
        hcall   HC_IRET
`;
const PAGE = `
        .data
upcalls:        .word 0
        .bss
        .align  4096
shared:         .space 4096
`;

function word(r: ReturnType<typeof pv>, symbolName: string, offset = 0): number {
  const s = r.vm.image.symbols.find((x) => x.name === symbolName)!;
  return r.vm.monitor!.guest.read(s.value + offset, 4) | 0;
}

describe('calling convention', () => {
  test('version returns the ABI version; the result is in a0, other registers are kept', () => {
    const r = pv(`
        li      t0, 0x1234
        li      a1, 77
        hcall   HC_VERSION
        add     a0, a0, t0              ; 0x1234 + 1
        add     a0, a0, a1              ; + 77
        hcall   HC_HALT
`);
    expect(r.code).toBe(0x1234 + PV_ABI_VERSION + 77);
    expect(r.vm.machine.cpu.cpl).toBe(1); // the kernel (virtual ring 0) runs deprivileged at ring 1
    expect(r.vm.monitor!.vcpu.ring).toBe(0);
    expect(calls(r.events)).toEqual([`version -> ${PV_ABI_VERSION}`, 'halt']);
  });

  test('each hypercall retires one guest instruction and is counted by name', () => {
    const r = pv(`${callAndHalt('HC_YIELD')}`);
    expect(r.code).toBe(0);
    expect(r.vm.machine.counters.instructions).toBe(4); // li, li, hcall yield, hcall halt
    const c = r.vm.monitor!.counters;
    expect([c.hypercalls, c.hcYield, c.hcHalt, c.emulated]).toEqual([2, 1, 1, 0]);
  });

  test('an unknown number returns ENOSYS and changes nothing', () => {
    const r = pv(`
        li      t0, 5
        hcall   999
        add     a0, a0, t0
        hcall   HC_HALT
`);
    expect(r.code).toBe(err('ENOSYS') + 5);
    const c = r.vm.monitor!.counters;
    expect([c.hcUnknown, c.hypercallErrors]).toEqual([1, 1]);
    expect(r.events).toContainEqual({ kind: 'hypercall', pc: 0x1004, nr: 999, name: 'unknown', result: err('ENOSYS'), error: 'ENOSYS' });
  });

  test('every hypercall of the table has a counter', () => {
    const c = pv(callAndHalt('HC_YIELD')).vm.monitor!.counters;
    for (const h of HYPERCALLS) expect(c).toHaveProperty(`hc${h.name.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`);
  });
});

describe('trap table, shared page, iret', () => {
  test('set_trap_table: a misaligned handler is EINVAL; an exception then reaches the handler with its state in the shared page', () => {
    expect(pv(callAndHalt('HC_SET_TRAP_TABLE', '0x1002')).code).toBe(err('EINVAL'));
    const r = pv(`${SETUP}
        li      sp, 0x7000
        brk
${HALT_WITH_CAUSE}${PAGE}`);
    expect(r.code).toBe(EXC.BREAKPOINT);
    expect(sharedWord(r.vm, 'sp')).toBe(0x7000);
    expect(sharedWord(r.vm, 'mask')).not.toBe(0); // delivery masks events
    expect(sharedWord(r.vm, 'status') & STATUS.PPL_MASK).toBe(0); // from the kernel
    expect(r.vm.monitor!.counters.reflectBreakpoint).toBe(1);
  });

  test('the epc in the shared page is the faulting instruction', () => {
    const r = pv(`${SETUP}
fault:  brk
${HALT_WITH_CAUSE}${PAGE}`);
    const fault = r.vm.image.symbols.find((s) => s.name === 'fault')!.value;
    expect(sharedWord(r.vm, 'epc')).toBe(fault);
    expect(sharedWord(r.vm, 'cause')).toBe(EXC.BREAKPOINT);
  });

  test('register_vcpu_info: misaligned page or callback is EINVAL, a page outside guest RAM is EFAULT', () => {
    expect(pv(callAndHalt('HC_REGISTER_VCPU_INFO', '0x3004', '0x1000')).code).toBe(err('EINVAL'));
    expect(pv(callAndHalt('HC_REGISTER_VCPU_INFO', '0x3000', '0x1002')).code).toBe(err('EINVAL'));
    expect(pv(callAndHalt('HC_REGISTER_VCPU_INFO', '0x01000000', '0x1000')).code).toBe(err('EFAULT')); // the first byte past 16 MiB
    expect(pv(callAndHalt('HC_REGISTER_VCPU_INFO', '0xfffff000', '0x1000')).code).toBe(err('EFAULT'));
    const r = pv(callAndHalt('HC_REGISTER_VCPU_INFO', '0x01000000', '0x1000'));
    expect(pvMode(r.vm).shared.gpa).toBeUndefined(); // nothing registered
  });

  test('register_vcpu_info: the page starts masked (interrupts are off at boot)', () => {
    const r = pv(`${SETUP}
        li      a0, 0
        hcall   HC_HALT
${HALT_WITH_CAUSE}${PAGE}`);
    expect(r.code).toBe(0);
    expect(sharedWord(r.vm, 'mask')).toBe(1);
    expect(pvMode(r.vm).shared.gpa).toBe(r.vm.image.symbols.find((s) => s.name === 'shared')!.value);
  });

  test('iret without a shared page is EINVAL and continues after the hcall', () => {
    expect(pv(`        li a0, 9\n        hcall HC_IRET\n        hcall HC_HALT\n`).code).toBe(err('EINVAL'));
  });

  test('iret to ring 3: a process runs deprivileged; its hcall is an undefined instruction, its syscall a system call', () => {
    const run = (user: string) => pv(`${SETUP}
        la      t0, shared
        li      t1, 0x18 | 0x20         ; PPL = 3, PIE
        sw      t1, PV_SH_STATUS(t0)
        la      t1, user
        sw      t1, PV_SH_EPC(t0)
        hcall   HC_IRET
user:   ${user}
${HALT_WITH_CAUSE}${PAGE}`);
    const h = run('hcall HC_VERSION');
    expect(h.code).toBe(EXC.UNDEFINED);
    expect(h.vm.monitor!.counters.hcVersion).toBe(0);
    expect(sharedWord(h.vm, 'status') & STATUS.PPL_MASK).toBe(3 << STATUS.PPL_SHIFT);
    expect(sharedWord(h.vm, 'status') & STATUS.PIE).toBe(STATUS.PIE); // events were on in the process
    const s = run('syscall');
    expect(s.code).toBe(EXC.SYSCALL);
    expect(sharedWord(s.vm, 'epc')).toBe(s.vm.image.symbols.find((x) => x.name === 'user')!.value + 4);
  });

  test('a privileged instruction in a pv kernel is not emulated: the guest gets the protection fault', () => {
    const r = pv(`${SETUP}
        cli
${HALT_WITH_CAUSE}${PAGE}`);
    expect(r.code).toBe(EXC.PROTECTION);
    expect(r.vm.monitor!.counters.emulated).toBe(0);
  });

  test('an exception with no trap table stops the machine, as a bare machine with TVEC 0 does', () => {
    const r = pv('        brk\n');
    expect(r.stop).toBe('trap');
    expect(r.vm.machine.stopped).toMatchObject({ kind: 'trap', cause: EXC.BREAKPOINT, message: expect.stringContaining('no trap table registered') });
  });
});

describe('virtual interrupts through the shared page', () => {
  test('with the mask set no upcall comes; the pending word shows the tick; unmasking is a store, event_check delivers', () => {
    const r = pv(`${SETUP}
        li      a0, 50
        hcall   HC_TIMER_SET
        li      t0, 100                 ; spin well past the tick, events masked
1:      addi    t0, t0, -1
        bnez    t0, 1b
        la      t0, shared
        lw      s0, PV_SH_PENDING(t0)   ; s0: pending while masked
        la      t1, upcalls
        lw      s1, 0(t1)               ; s1: upcalls so far (0)
        sw      zero, PV_SH_MASK(t0)    ; events on: a plain store
        lw      s2, 0(t1)               ; still none: nothing made the monitor look
        hcall   HC_EVENT_CHECK
        lw      a0, 0(t1)               ; now one
        slli    s0, s0, 12
        slli    s1, s1, 8
        slli    s2, s2, 4
        or      a0, a0, s0
        or      a0, a0, s1
        or      a0, a0, s2
        hcall   HC_HALT
${COUNT_TICKS}${PAGE}`);
    expect((r.code! >>> 12) & 0xf).toBe(1); // pending bit 0: the timer line
    expect((r.code! >>> 8) & 0xf).toBe(0);
    expect((r.code! >>> 4) & 0xf).toBe(0);
    expect(r.code! & 0xf).toBe(1);
    expect(calls(r.events)).toEqual(['set_trap_table -> 0', 'register_vcpu_info -> 0', 'timer_set -> 0', 'event_check', 'timer_ack -> 0', 'iret', 'halt']);
    expect(r.events.filter((e) => e.kind === 'inject')).toEqual([{ kind: 'inject', line: 0, epc: expect.any(Number) }]);
    expect(sharedWord(r.vm, 'pending')).toBe(0); // acknowledged: the line fell
    expect(sharedWord(r.vm, 'cause')).toBe((CAUSE.INTERRUPT | 0) | 0);
  });

  test('event_check with events masked, or nothing pending, does nothing and leaves a0 alone', () => {
    const r = pv(`${SETUP}
        li      a0, 42
        hcall   HC_EVENT_CHECK
        hcall   HC_HALT
${COUNT_TICKS}${PAGE}`);
    expect(r.code).toBe(42);
    expect(r.vm.monitor!.counters.injected).toBe(0);
  });

  test('unmasked, the tick arrives by itself at its instruction; iret restores the mask', () => {
    const r = pv(`${SETUP}
        la      t0, shared
        sw      zero, PV_SH_MASK(t0)
        li      a0, 100
        hcall   HC_TIMER_SET
        li      t0, 60                  ; 120 instructions: one tick, at the 100th
1:      addi    t0, t0, -1
        bnez    t0, 1b
        la      t0, upcalls
        lw      a0, 0(t0)
        hcall   HC_HALT
${COUNT_TICKS}${PAGE}`);
    expect(r.code).toBe(1);
    expect(sharedWord(r.vm, 'mask')).toBe(0);
    expect(r.vm.monitor!.counters.hcEventCheck).toBe(0);
  });
});

describe('timer, console, scheduling', () => {
  test('timer_read returns the guest clock; yield returns 0', () => {
    const r = pv(`
        hcall   HC_TIMER_READ
        mov     t0, a0
        nop
        nop
        hcall   HC_TIMER_READ
        sub     t0, a0, t0              ; 4 instructions later
        hcall   HC_YIELD
        add     a0, a0, t0
        hcall   HC_HALT
`);
    expect(r.code).toBe(4);
  });

  test('block idles until the tick and takes it; halt stops with its code', () => {
    const r = pv(`${SETUP}
        li      a0, 1000
        hcall   HC_TIMER_SET
        hcall   HC_BLOCK
        la      t0, upcalls
        lw      a0, 0(t0)
        addi    a0, a0, 100
        hcall   HC_HALT
${COUNT_TICKS}${PAGE}`);
    expect(r.code).toBe(101);
    expect(r.vm.machine.counters.idle).toBeGreaterThan(900);
    expect(r.vm.machine.counters.instructions).toBeLessThan(60);
  });

  test('block with no timer is a deadlock, as wfi is', () => {
    const r = pv(`${SETUP}        hcall HC_BLOCK\n${COUNT_TICKS}${PAGE}`);
    expect(r.stop).toBe('deadlock');
  });

  test('console_write prints the buffer and returns its length; too long is EINVAL, outside the guest EFAULT', () => {
    const r = pv(`
        la      a0, text
        li      a1, 6
        hcall   HC_CONSOLE_WRITE
        hcall   HC_HALT
        .data
text:   .ascii "hello\\n"
`);
    expect(r.code).toBe(6);
    expect(r.vm.consoleText()).toBe('hello\n');
    expect(pv(callAndHalt('HC_CONSOLE_WRITE', '0x2000', '4097')).code).toBe(err('EINVAL'));
    expect(pv(callAndHalt('HC_CONSOLE_WRITE', '0xfff00000', '4')).code).toBe(err('EFAULT'));
    const straddle = pv(callAndHalt('HC_CONSOLE_WRITE', '0x00fffff0', '32')); // the last 16 bytes of RAM and 16 beyond
    expect(straddle.code).toBe(err('EFAULT'));
    expect(straddle.vm.consoleText()).toBe(''); // nothing written
    expect(pv(callAndHalt('HC_CONSOLE_WRITE', '0xfff00000', '0')).code).toBe(0);
  });

  test('console_read returns what input there is (0 when none); too long is EINVAL, outside the guest EFAULT', () => {
    const body = `
        la      a0, buf
        li      a1, 8
        hcall   HC_CONSOLE_READ
        mov     s0, a0
        la      a0, buf
        mov     a1, s0
        hcall   HC_CONSOLE_WRITE
        mov     a0, s0
        hcall   HC_HALT
        .data
buf:    .space 8
`;
    const r = pv(body, { console: { input: 'hey' } });
    expect(r.code).toBe(3);
    expect(r.vm.consoleText()).toBe('hey');
    expect(pv(body).code).toBe(0);
    expect(pv(callAndHalt('HC_CONSOLE_READ', '0x2000', '4097'), { console: { input: 'x' } }).code).toBe(err('EINVAL'));
    const outside = pv(`${callAndHalt('HC_CONSOLE_READ', '0x01000000', '1')}`, { console: { input: 'x' } });
    expect(outside.code).toBe(err('EFAULT'));
  });
});

/**
 * A kernel that builds its address space with one mmu_update: pages
 * 0x1000-0x7fff identity-mapped (code, data, tables), 0x400000 mapped
 * read-only onto the data page, and paging turned on.
 */
const ADDRESS_SPACE = `
        la      a0, map
        li      a1, (map_end - map) / 8
        hcall   HC_MMU_UPDATE
        mov     s0, a0                  ; pairs applied
        la      a0, kdir
        hcall   HC_SET_PTBR
        li      a0, 1
        hcall   HC_SET_PAGING
`;
const ADDRESS_SPACE_DATA = `
        .data
map:    .word   kdir, ktab + 3          ; directory[0]: the table, P | W
        .word   ktab + 4, 0x1000 + 3
        .word   ktab + 8, 0x2000 + 3
        .word   ktab + 12, 0x3000 + 3
        .word   ktab + 16, 0x4000 + 3
        .word   ktab + 20, 0x5000 + 3
        .word   ktab + 24, 0x6000 + 3
        .word   ktab + 28, 0x7000 + 3
        .word   kdir + 4, ktab2 + 3     ; directory[1]: 4..8 MiB
        .word   ktab2, 0x2000 + 1       ; 0x400000: the data page, read-only
map_end:
text:   .ascii  "ro!\\n"
        .bss
        .align  4096
kdir:   .space  4096
ktab:   .space  4096
ktab2:  .space  4096
`;

describe('page tables: set_ptbr, set_paging, mmu_update, TLB flushes', () => {
  test('building an address space is one hypercall; the guest runs paged through it', () => {
    const r = pv(`${ADDRESS_SPACE}
        li      a0, 0x400000 + (text - 0x2000)
        li      a1, 4
        hcall   HC_CONSOLE_WRITE        ; readable through the read-only mapping
        mov     a0, s0
        hcall   HC_HALT
${ADDRESS_SPACE_DATA}`);
    expect(r.code).toBe(10);
    expect(r.vm.consoleText()).toBe('ro!\n');
    const c = r.vm.monitor!.counters;
    expect([c.hcMmuUpdate, c.mmuUpdateEntries, c.tracedWrites]).toEqual([1, 10, 0]);
    expect(r.vm.monitor!.vcpu.pg).toBe(true);
  });

  test('buffers go through the guest\'s tables: read-only is EFAULT for console_read, unmapped EFAULT for both', () => {
    const r = pv(`${ADDRESS_SPACE}
        li      a0, 0x400000
        li      a1, 1
        hcall   HC_CONSOLE_READ         ; not writable
        mov     s1, a0
        li      a0, 0x800000
        li      a1, 1
        hcall   HC_CONSOLE_WRITE        ; not mapped
        sub     a0, a0, s1
        hcall   HC_HALT
${ADDRESS_SPACE_DATA}`, { console: { input: 'z' } });
    expect(r.code).toBe(err('EFAULT') - err('EFAULT'));
    expect(calls(r.events).filter((c) => c.startsWith('console'))).toEqual([`console_read -> ${err('EFAULT')}`, `console_write -> ${err('EFAULT')}`]);
  });

  test('set_ptbr: misaligned is EINVAL, outside guest RAM EFAULT; set_paging: only 0 or 1', () => {
    expect(pv(callAndHalt('HC_SET_PTBR', '0x4004')).code).toBe(err('EINVAL'));
    expect(pv(callAndHalt('HC_SET_PTBR', '0x01000000')).code).toBe(err('EFAULT'));
    expect(pv(callAndHalt('HC_SET_PAGING', '2')).code).toBe(err('EINVAL'));
    const r = pv(callAndHalt('HC_SET_PTBR', '0x4000'));
    expect(r.code).toBe(0);
    expect(r.vm.monitor!.vcpu.ptbr).toBe(0x4000);
    expect(r.vm.monitor!.counters.shadowSwitches).toBe(1);
  });

  /** mmu_update of one list; halts with the result; `t` is a table page at `ktab`. */
  const update = (pairs: string, count = '(list_end - list) / 8') => pv(`
        la      a0, list
        li      a1, ${count}
        hcall   HC_MMU_UPDATE
        hcall   HC_HALT
        .data
list:   ${pairs}
list_end:
        .bss
        .align  4096
ktab:   .space  4096
`);
  const ktab = (r: ReturnType<typeof pv>, i: number) => word(r, 'ktab', 4 * i);

  test('mmu_update applies every pair and returns the count', () => {
    const r = update('.word ktab, 0x5003, ktab + 4, 0x6003, ktab + 8, 0xfffff000');
    expect(r.code).toBe(3);
    expect([ktab(r, 0), ktab(r, 1), ktab(r, 2)]).toEqual([0x5003, 0x6003, 0xfffff000 | 0]); // not present: any frame bits
  });

  test('mmu_update refuses to map monitor memory, the guard below the guest, or another VM\'s memory: EPERM, nothing written', () => {
    // Guest RAM is 16 MiB: the frame at 16 MiB is where the monitor's memory lies in host RAM.
    for (const bad of ['0x01000001', '0xfff00003', '0x02000001', '0x80000007']) {
      const r = update(`.word ktab, 0x5003, ktab + 4, ${bad}`);
      expect(r.code).toBe(err('EPERM'));
      expect(ktab(r, 0)).toBe(0); // the valid first pair was not applied either
      expect(r.vm.monitor!.counters.mmuUpdateEntries).toBe(0);
    }
  });

  test('mmu_update: a misaligned entry is EINVAL, an entry outside guest RAM or an unreadable list EFAULT, too many pairs EINVAL', () => {
    expect(update('.word ktab + 2, 0').code).toBe(err('EINVAL'));
    expect(update('.word 0x01000000, 0').code).toBe(err('EFAULT'));
    expect(pv(callAndHalt('HC_MMU_UPDATE', '0xfff00000', '1')).code).toBe(err('EFAULT'));
    expect(pv(callAndHalt('HC_MMU_UPDATE', '0x2000', String(MMU_UPDATE_MAX + 1))).code).toBe(err('EINVAL'));
    expect(pv(callAndHalt('HC_MMU_UPDATE', '0xfff00000', '0')).code).toBe(0); // nothing to read
  });

  test('an updated entry is stale until the guest flushes it, as a store to its tables would be (tlb_flush_page, tlb_flush_all)', () => {
    const r = pv(`${ADDRESS_SPACE}
        li      s1, 0x400000
        lw      s2, 0(s1)               ; through the mapping to the data page: the first pair's entry address
        la      a0, remap
        li      a1, 1
        hcall   HC_MMU_UPDATE           ; 0x400000 -> the code page instead
        lw      t0, 0(s1)               ; stale: still the data page
        bne     t0, s2, fail
        mov     a0, s1
        hcall   HC_TLB_FLUSH_PAGE
        lw      t0, 0(s1)               ; now the code page
        beq     t0, s2, fail
        la      a0, back
        li      a1, 1
        hcall   HC_MMU_UPDATE
        lw      t0, 0(s1)
        beq     t0, s2, fail            ; stale again
        hcall   HC_TLB_FLUSH_ALL
        lw      t0, 0(s1)
        bne     t0, s2, fail
        li      a0, 0
        hcall   HC_HALT
fail:   li      a0, 99
        hcall   HC_HALT
${ADDRESS_SPACE_DATA}
        .data
remap:  .word   ktab2, 0x1000 + 1
back:   .word   ktab2, 0x2000 + 1
`);
    expect(r.code).toBe(0);
    expect(r.vm.monitor!.counters.hcTlbFlushPage).toBe(1);
    expect(r.vm.monitor!.counters.hcTlbFlushAll).toBe(1);
  });
});
