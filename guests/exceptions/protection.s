; protection.s: a privileged instruction at ring 3 raises exception 2 (protection fault).
; The handler prints the trap registers and checks the saved pc.

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        la      t0, user                ; drop to ring 3: PPL = 3, then rett
        mtcr    epc, t0
        li      t0, 0x18
        mtcr    status, t0
        rett
user:
faulting:
        cli
        RT_NO_TRAP

handler:
        call    rt_report
        RT_CHECK_EPC faulting, rt_s_epc_is
        halt    zero

        .include "../lib/rt.inc"