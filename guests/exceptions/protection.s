; protection.s: a privileged instruction at ring 3 raises exception 2 (protection fault).
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
        la      t0, user                ; drop to ring 3: PPL = 3, then rett
        PRIV_WRITE_EPC t0
        li      t0, 0x18
        PRIV_WRITE_STATUS t0
        PRIV_RETURN
user:
faulting:
        ; PV build: the same cli. It runs at ring 3 (entered with the shared
        ; page's epc and status and iret), where a privileged instruction is a
        ; protection fault under every mode: the point, unchanged; the pv
        ; monitor delivers it to the trap table (docs/hypercalls.md).
        cli
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        PRIV_HALT zero

        .include "../lib/rt.inc"