; rdtvec.s: a kernel installs its trap vector and reads it back. rdtvec works
; at any ring without a fault, so under trap-and-emulate it shows the
; monitor's vector, not the guest's (x86 SIDT).

        .text
        .global _start
_start:
        la      s0, handler
        mtcr    tvec, s0
        rdtvec  s1
        sub     a0, s0, s1
        seqz    a0, a0
        la      a1, msg_same
        call    rt_check
        halt    zero
handler:
        li      a0, 2
        halt    a0

        .include "../lib/rt.inc"
        .data
msg_same:       .asciz "rdtvec returns the vector the kernel installed"
