; rdflags.s: a kernel reads its flags. On bare metal it sees ring 0 with
; interrupts off after cli. A deprivileged kernel (trap-and-emulate, ring 1)
; sees the real ring and the real interrupt flag instead: rdflags is sensitive
; but not privileged, so it does not trap and the monitor cannot hide them
; (x86 PUSHF/SMSW, Robin & Irvine 2000).

        .text
        .global _start
_start:
        cli
        rdflags s0
        andi    a0, s0, 3               ; STATUS.CPL
        seqz    a0, a0
        la      a1, msg_ring0
        call    rt_check
        andi    a0, s0, 4               ; STATUS.IE
        seqz    a0, a0
        la      a1, msg_ie_off
        call    rt_check
        halt    zero

        .include "../lib/rt.inc"
        .data
msg_ring0:      .asciz "rdflags says the kernel runs at ring 0"
msg_ie_off:     .asciz "rdflags says interrupts are off after cli"
