; wrflags.s: a kernel saves its flags, disables interrupts and restores them, as Linux's
; local_irq_save/restore does, then waits for a timer tick. At ring 0 the
; restore turns interrupts back on and the tick arrives. At ring 1 wrflags
; silently leaves the interrupt flag alone: no fault, so a trap-and-emulate
; monitor never learns that the guest wanted interrupts back, and the tick is
; never delivered (x86 POPF).
;
; Reading the flag back with rdflags would not show this: a monitor keeps
; the real interrupt flag on while its guest runs (it needs its own timer
; interrupts), so rdflags reads 1 natively and under the monitor alike. What
; differs is whether the interrupt arrives.

        .equ TIMER_PERIOD_PORT, 0x20
        .equ TIMER_ACK_PORT, 0x21

        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        li      s1, 0                   ; ticks seen
        li      t0, 50
        out     t0, TIMER_PERIOD_PORT   ; a tick every 50 instructions
        sti
        rdflags s0                      ; save: interrupts on
        cli
        wrflags s0                      ; restore
        li      t1, 200                 ; wait: a tick is due within 50 instructions
1:      bnez    s1, 2f
        addi    t1, t1, -1
        bnez    t1, 1b
2:      cli
        out     zero, TIMER_PERIOD_PORT
        snez    a0, s1
        la      a1, msg_arrived
        call    rt_check
        halt    zero

handler:
        li      s1, 1
        li      t0, 1
        out     t0, TIMER_ACK_PORT
        out     zero, TIMER_PERIOD_PORT ; one tick is enough
        rett

        .include "../lib/rt.inc"
        .data
msg_arrived:    .asciz "a timer interrupt arrives after the flags restore"
