; undefined.s: an undefined instruction (an all-zero word) raises exception 1.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
faulting:
        .word   0
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        halt    zero

        .include "../lib/rt.inc"