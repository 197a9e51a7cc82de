; timer-storm.s: a guest kernel that programs its timer with the shortest
; period, 1 instruction, and takes every tick: an interrupt storm.
;
; Natively the handler is longer than the period, so a tick is pending again
; at every rett and the main loop never runs an instruction. Under a monitor the timer is a virtual one: the monitor arms the real
; timer, which is the host's, for the earlier of the guest's next virtual
; deadline and the end of its slice, so on a host the storm costs this VM its
; own slices only and the other VMs run as they run alone
; (test/host/isolation.test.ts). At the TICKS-th tick the handler prints the
; ticks and how far the main loop got (under bt and pv, whose extra
; instructions move the ticks, not as far as natively), and halts with 0. The PV build (-D PV) takes the
; ticks as upcalls.

        .ifndef TICKS
        .equ TICKS, 2000
        .endif

        .include "../lib/priv.inc"
        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
        li      s0, 0                   ; ticks taken
        li      s1, 0                   ; iterations of the main loop
        li      t0, 1
        PRIV_TIMER_PERIOD t0
        PRIV_IRQ_ENABLE
1:      addi    s1, s1, 1
        j       1b

handler:                                ; ack, count; the TICKS-th tick ends the run
        li      t0, 1
        PRIV_TIMER_ACK t0
        addi    s0, s0, 1
        li      t0, TICKS
        bgeu    s0, t0, 2f
        PRIV_RETURN
2:      li      t0, 0
        PRIV_TIMER_PERIOD t0            ; the timer off
        la      a0, msg_ticks
        call    rt_puts
        mov     a0, s0
        call    rt_hex
        la      a0, msg_loop
        call    rt_puts
        mov     a0, s1
        call    rt_hex
        la      a0, msg_nl
        call    rt_puts
        PRIV_HALT zero

        .include "../lib/rt.inc"
        .data
msg_ticks:      .asciz "timer-storm: ticks "
msg_loop:       .asciz ", main loop iterations "
msg_nl:         .asciz "\n"
