; syscall.s: syscall from ring 3 raises exception 7; the saved pc is the next instruction.
; The handler prints the trap registers and checks the saved pc.

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
        la      a0, msg_missed          ; only reached if nothing trapped
        call    rt_puts
        li      a0, 1
        halt    a0

handler:
        call    rt_report
        mfcr    t0, epc
        la      t1, faulting
        sub     a0, t0, t1
        seqz    a0, a0
        la      a1, msg_epc_next
        call    rt_check
        halt    zero

        .include "../lib/rt.inc"
        .data
msg_missed:     .asciz "no trap was taken\n"
msg_epc_is:     .asciz "epc is the faulting instruction"
msg_epc_next:   .asciz "epc is the instruction after it"
