; timer.s: the interval timer raises interrupt line 0 every 100 retired
; instructions; the handler acknowledges it, counts three ticks, then halts.

        .equ CONSOLE, 0x10
        .equ TIMER_PERIOD_PORT, 0x20
        .equ TIMER_ACK_PORT, 0x21

        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        li      s0, 0                   ; ticks seen
        li      t0, 100
        out     t0, TIMER_PERIOD_PORT
        sti
1:      j       1b                      ; wait for ticks

handler:
        call    rt_report
        li      t0, 1
        out     t0, TIMER_ACK_PORT
        addi    s0, s0, 1
        li      t0, 3
        beq     s0, t0, 2f
        rett
2:      halt    zero

        .include "../lib/rt.inc"
