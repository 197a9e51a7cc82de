; undefined.s: an undefined instruction (an all-zero word) raises exception 1.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
faulting:
        .word   0
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        PRIV_HALT zero

        .include "../lib/rt.inc"