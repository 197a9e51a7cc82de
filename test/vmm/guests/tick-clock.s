; tick-clock.s: where each timer tick falls. The handler reads the timer's
; clock (the instructions retired before its `in`) into a table, one word per
; tick, and prints the table at the end: any mode that delivers a tick at
; another instruction, or reads another clock, prints something else. The
; main loop mixes stretches with interrupts on and off (a tick that falls
; while they are off waits for the sti, as a level line does), and one
; handler in four does not acknowledge at once but re-arms first (period
; writes count from themselves). -D PERIOD, -D TICKS.

        .include "../../../guests/lib/priv.inc"
        .ifndef PERIOD
        .equ PERIOD, 97
        .endif
        .ifndef TICKS
        .equ TICKS, 40
        .endif
        .equ CLOCK_PORT, 0x22

        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
        li      s0, 0                   ; ticks taken
        li      t0, PERIOD
        PRIV_TIMER_PERIOD t0
        PRIV_IRQ_ENABLE
1:      addi    s1, s1, 1               ; interrupts on for a while
        addi    s1, s1, 3
        xor     s2, s2, s1
        PRIV_IRQ_DISABLE                ; then off: a tick due now waits for the sti
        addi    s2, s2, 1
        addi    s2, s2, 1
        addi    s2, s2, 1
        addi    s2, s2, 1
        PRIV_IRQ_ENABLE
        li      t0, TICKS
        blt     s0, t0, 1b
        PRIV_IRQ_DISABLE
        li      s1, 0                   ; print the table: one clock per line
2:      la      t0, clocks
        slli    t1, s1, 2
        add     t0, t0, t1
        lw      a0, 0(t0)
        call    rt_hex
        li      t0, 10
        PRIV_PUTC t0
        addi    s1, s1, 1
        li      t0, TICKS
        blt     s1, t0, 2b
        PRIV_HALT zero

handler:
        in      t0, CLOCK_PORT
        la      t1, clocks
        slli    t2, s0, 2
        add     t1, t1, t2
        sw      t0, 0(t1)
        addi    s0, s0, 1
        andi    t0, s0, 3
        bnez    t0, 3f
        li      t0, PERIOD + 13         ; every fourth tick: a new period first, then the ack
        PRIV_TIMER_PERIOD t0
3:      PRIV_TIMER_ACK t0
        PRIV_RETURN

        .data
clocks: .space  TICKS * 4

        .include "../../../guests/lib/rt.inc"
