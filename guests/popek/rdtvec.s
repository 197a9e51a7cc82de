; rdtvec.s: a kernel installs its trap vector and reads it back. rdtvec works
; at any ring without a fault, so under trap-and-emulate it shows the
; monitor's vector, not the guest's (x86 SIDT).
        .include "../lib/priv.inc"      ; PRIV_ macros: a PV build with -D PV
        .text
        .global _start
_start:
        la      s0, handler
        PRIV_SET_TVEC s0                ; mtcr tvec, s0
        ; PV build: set_trap_table, and the read is of the kernel's own copy of
        ; what it installed (Linux on Xen: xen_store_idt), docs/hypercalls.md
        PRIV_READ_TVEC s1               ; rdtvec s1
        sub     a0, s0, s1
        seqz    a0, a0
        la      a1, msg_same
        call    rt_check
        PRIV_HALT zero
handler:
        li      a0, 2
        PRIV_HALT a0

        .include "../lib/rt.inc"
        .data
msg_same:       .asciz "rdtvec returns the vector the kernel installed"
