; misaligned.s: a word load from an address that is not 4-aligned raises exception 4, faultaddr = the address.
; The handler prints the trap registers and checks the saved pc.

        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        li      t1, 0x2002
faulting:
        lw      t2, 0(t1)
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
        la      a1, msg_epc_is
        call    rt_check
        halt    zero

        .include "../lib/rt.inc"
        .data
msg_missed:     .asciz "no trap was taken\n"
msg_epc_is:     .asciz "epc is the faulting instruction"
msg_epc_next:   .asciz "epc is the instruction after it"
