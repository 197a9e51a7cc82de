; syscall.s: syscall from ring 3 raises exception 7; the saved pc is the next instruction.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        la      t0, user
        mtcr    epc, t0
        li      t0, 0x18
        mtcr    status, t0
        rett
user:
        syscall
faulting:
        nop
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_next
        halt    zero

        .include "../lib/rt.inc"