; hypercall.s: hcall on bare metal is an undefined instruction (exception 1): only a monitor gives it meaning.
; The handler prints the trap registers and checks the saved pc.

        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
faulting:
        hcall   7
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
