; rdflags.s: a kernel reads its flags. On bare metal it sees ring 0 with
; interrupts off after cli. A deprivileged kernel (trap-and-emulate, ring 1)
; sees the real ring and the real interrupt flag instead: rdflags is sensitive
; but not privileged, so it does not trap and the monitor cannot hide them
; (x86 PUSHF/SMSW, Robin & Irvine 2000).
        .include "../lib/priv.inc"      ; PRIV_ macros: a PV build with -D PV
        .text
        .global _start
_start:
        PRIV_INIT                       ; PV: register the shared page (nothing natively)
        PRIV_IRQ_DISABLE                ; cli
        ; PV build: the flags are the ring the kernel knows it runs at (0) and
        ; the shared page's mask word as STATUS.IE (docs/hypercalls.md)
        PRIV_READ_FLAGS s0              ; rdflags s0
        andi    a0, s0, 3               ; STATUS.CPL
        seqz    a0, a0
        la      a1, msg_ring0
        call    rt_check
        andi    a0, s0, 4               ; STATUS.IE
        seqz    a0, a0
        la      a1, msg_ie_off
        call    rt_check
        PRIV_HALT zero

        .include "../lib/rt.inc"
        .data
msg_ring0:      .asciz "rdflags says the kernel runs at ring 0"
msg_ie_off:     .asciz "rdflags says interrupts are off after cli"
