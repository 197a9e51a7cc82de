; misaligned.s: a word load from an address that is not 4-aligned raises exception 4, faultaddr = the address.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
        li      t1, 0x2002
faulting:
        lw      t2, 0(t1)
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        PRIV_HALT zero

        .include "../lib/rt.inc"