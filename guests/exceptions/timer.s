; timer.s: the interval timer raises interrupt line 0 every 100 retired
; instructions; the handler acknowledges it, counts three ticks, then halts.
;
; PV build (-D PV, docs/hypercalls.md): the ticks are upcalls; the timer's
; ports are hypercalls and the interrupt flag the shared page's mask, through
; the macros of lib/priv.inc, included only then. Each privileged instruction is chosen by
; its own .ifdef here rather than by a macro in both builds, so that the
; native build's line table names only this file and lib/rt.inc (a test of
; the assembler's include resolution relies on it). The loop's pc, which the
; handler prints, is the same in both builds.

        .equ CONSOLE, 0x10
        .equ TIMER_PERIOD_PORT, 0x20
        .equ TIMER_ACK_PORT, 0x21
        .ifdef PV
        .include "../lib/priv.inc"
        .endif

        .text
        .global _start
_start:
        la      t0, handler
        .ifdef PV
        PRIV_SET_TVEC t0
        .else
        mtcr    tvec, t0
        .endif
        li      s0, 0                   ; ticks seen
        li      t0, 100
        .ifdef PV
        PRIV_TIMER_PERIOD t0            ; timer_set
        PRIV_IRQ_ENABLE                 ; unmask events: a store
        .else
        out     t0, TIMER_PERIOD_PORT
        sti
        .endif
1:      j       1b                      ; wait for ticks

handler:
        call    rt_report
        li      t0, 1
        .ifdef PV
        PRIV_TIMER_ACK t0
        .else
        out     t0, TIMER_ACK_PORT
        .endif
        addi    s0, s0, 1
        li      t0, 3
        beq     s0, t0, 2f
        .ifdef PV
        PRIV_RETURN
        .else
        rett
        .endif
2:
        .ifdef PV
        PRIV_HALT zero
        .else
        halt    zero
        .endif

        .include "../lib/rt.inc"
