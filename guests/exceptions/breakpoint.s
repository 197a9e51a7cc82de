; breakpoint.s: brk raises exception 6 with the saved pc on the brk itself (a debugger resumes after it).
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
faulting:
        brk
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        PRIV_HALT zero

        .include "../lib/rt.inc"