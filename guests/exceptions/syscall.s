; syscall.s: syscall from ring 3 raises exception 7; the saved pc is the next instruction.
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
        la      t0, user
        PRIV_WRITE_EPC t0
        li      t0, 0x18
        PRIV_WRITE_STATUS t0
        PRIV_RETURN
user:
        syscall
faulting:
        nop
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_next
        PRIV_HALT zero

        .include "../lib/rt.inc"