; slow-timer.s: a timer handler slower than the timer period. The handler
; spins for about three periods before it acknowledges the tick, so the
; deadlines that pass meanwhile find the line still raised: on the bare machine
; they change nothing (ticks are not queued), and after the handler's return
; the main loop runs until the next deadline. Every mode must count the same
; ticks and the main loop must advance between them.
; -D CRIT: the main loop also runs short critical sections with interrupts off;
; -D FLAGS: the same, saving and restoring the flags around them (pushf/cli/popf).

        .include "../../../guests/lib/priv.inc"
        .ifndef PERIOD
        .equ PERIOD, 200
        .endif
        .ifndef SPIN
        .equ SPIN, 200                  ; 3 instructions per round: ~600 per handler
        .endif
        .ifndef LOOPS
        .equ LOOPS, 3000                ; main-loop iterations before halting
        .endif

        .text
        .global _start
_start:
        PRIV_INIT
        la      t0, handler
        PRIV_SET_TVEC t0
        li      s0, 0                   ; ticks taken
        li      s1, 0                   ; main-loop iterations
        li      t0, PERIOD
        PRIV_TIMER_PERIOD t0
        PRIV_IRQ_ENABLE
1:      addi    s1, s1, 1
        .ifdef CRIT
        PRIV_IRQ_DISABLE
        addi    s2, s2, 1
        addi    s2, s2, 1
        addi    s2, s2, 1
        PRIV_IRQ_ENABLE
        .endif
        .ifdef FLAGS
        PRIV_READ_FLAGS s2              ; save the flags, interrupts off, restore (pushf/cli/popf)
        PRIV_IRQ_DISABLE
        addi    t1, t1, 1
        addi    t1, t1, 1
        PRIV_WRITE_FLAGS s2
        .endif
        li      t0, LOOPS
        blt     s1, t0, 1b
        PRIV_IRQ_DISABLE
        mov     a0, s0
        call    rt_hex
        li      t0, 10
        PRIV_PUTC t0
        PRIV_HALT zero

handler:
        push    t0
        li      t0, SPIN
2:      addi    t0, t0, -1
        nop
        bnez    t0, 2b
        addi    s0, s0, 1
        li      t0, 1
        PRIV_TIMER_ACK t0
        pop     t0
        PRIV_RETURN

        .include "../../../guests/lib/rt.inc"
