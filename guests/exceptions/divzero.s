; divzero.s: div by zero raises exception 5; nothing of the div is committed.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
        li      t1, 7
        li      t2, 99
faulting:
        div     t2, t1, zero
        RT_NO_TRAP

handler:
        mov     s0, t2                  ; rt_report clobbers t-registers
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        li      t0, 99                  ; the destination kept its old value
        sub     a0, s0, t0
        seqz    a0, a0
        la      a1, msg_kept
        call    rt_check
        .data
msg_kept:       .asciz "destination register unchanged"
        .text
        PRIV_HALT zero

        .include "../lib/rt.inc"