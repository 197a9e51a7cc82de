; hypercall.s: hcall on bare metal is an undefined instruction (exception 1): only a monitor gives it meaning.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
faulting:
        hcall   7
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        halt    zero

        .include "../lib/rt.inc"