; hypercall.s: hcall on bare metal is an undefined instruction (exception 1): only a monitor gives it meaning.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
faulting:
        .ifdef PV
        ; PV build: under --mode pv an hcall of the kernel is a hypercall (that
        ; is the build's point), so no hcall traps here. The nearest honest
        ; equivalent of "an instruction only a monitor gives meaning to, met
        ; where none does": a word that no monitor or CPU defines, which the pv
        ; monitor reflects to the kernel as the undefined instruction it is
        ; (docs/hypercalls.md, "PV builds of the guests").
        .word   0
        .else
        hcall   7
        .endif
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        PRIV_HALT zero

        .include "../lib/rt.inc"