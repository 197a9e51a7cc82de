; wrflags.s: a kernel saves its flags, disables interrupts and restores them,
; as Linux's local_irq_save/restore does. At ring 0 the restore turns interrupts
; back on. At ring 1 wrflags silently leaves the interrupt flag alone: no
; fault, so a trap-and-emulate monitor never sees it (x86 POPF).

        .text
        .global _start
_start:
        sti
        rdflags s0                      ; save: interrupts on
        cli
        wrflags s0                      ; restore
        rdflags s1
        andi    a0, s1, 4
        snez    a0, a0
        la      a1, msg_restored
        call    rt_check
        cli
        halt    zero

        .include "../lib/rt.inc"
        .data
msg_restored:   .asciz "interrupts are on again after the flags restore"
