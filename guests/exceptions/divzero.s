; divzero.s: div by zero raises exception 5; nothing of the div is committed.
; The handler prints the trap registers and checks the saved pc.

        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        li      t1, 7
        li      t2, 99
faulting:
        div     t2, t1, zero
        la      a0, msg_missed          ; only reached if nothing trapped
        call    rt_puts
        li      a0, 1
        halt    a0

handler:
        mov     s0, t2                  ; rt_report clobbers t-registers
        call    rt_report
        mfcr    t0, epc
        la      t1, faulting
        sub     a0, t0, t1
        seqz    a0, a0
        la      a1, msg_epc_is
        call    rt_check
        li      t0, 99                  ; the destination kept its old value
        sub     a0, s0, t0
        seqz    a0, a0
        la      a1, msg_kept
        call    rt_check
        .data
msg_kept:       .asciz "destination register unchanged"
        .text
        halt    zero

        .include "../lib/rt.inc"
        .data
msg_missed:     .asciz "no trap was taken\n"
msg_epc_is:     .asciz "epc is the faulting instruction"
msg_epc_next:   .asciz "epc is the instruction after it"
