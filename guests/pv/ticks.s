; ticks.s: the smallest paravirtualized kernel (run it with --mode pv).
;
; It registers its trap table and its shared page, prints through the console
; hypercall, starts the timer and sleeps in `block` three times; each tick
; arrives as an upcall to its event callback, which counts it, acknowledges the
; timer and returns with `iret`. The interrupt flag is the shared page's mask
; word: the kernel turns events off and on with plain stores. The ABI is
; docs/hypercalls.md. On bare metal (or under another mode) the first hcall is
; an undefined instruction.

        .include "hypercalls.inc"

        .equ PERIOD, 500                ; instructions between ticks
        .equ TICKS, 3

        .text
_start:
        la      a0, on_event            ; one handler for exceptions and events
        hcall   HC_SET_TRAP_TABLE
        la      a0, shared
        la      a1, on_event
        hcall   HC_REGISTER_VCPU_INFO   ; events start masked, as interrupts do at reset
        la      a0, msg_hello
        li      a1, msg_hello_end - msg_hello
        hcall   HC_CONSOLE_WRITE
        li      a0, PERIOD
        hcall   HC_TIMER_SET
        li      s0, 0                   ; ticks printed
1:      hcall   HC_BLOCK                ; unmask events, sleep until one is pending
        la      t0, shared              ; events off with a store: no hypercall
        sw      t0, PV_SH_MASK(t0)
        la      t0, ticks
        lw      t0, 0(t0)
        beq     t0, s0, 1b
        mov     s0, t0
        la      a0, msg_tick
        li      a1, msg_tick_end - msg_tick
        hcall   HC_CONSOLE_WRITE
        li      t1, TICKS
        blt     s0, t1, 1b
        la      a0, msg_done
        li      a1, msg_done_end - msg_done
        hcall   HC_CONSOLE_WRITE
        li      a0, 0
        hcall   HC_HALT

; The upcall: events are masked and the trap state is in the shared page.
; Anything but the timer is unexpected here: halt with the cause as exit code.
on_event:
        push    t0
        push    t1
        push    a0
        la      t0, shared
        lw      t1, PV_SH_CAUSE(t0)
        li      t0, 0x80000000          ; interrupt line 0: the timer
        beq     t1, t0, 2f
        mov     a0, t1
        hcall   HC_HALT
2:      la      t0, ticks
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        hcall   HC_TIMER_ACK            ; lower the line (clobbers a0, saved above)
        pop     a0
        pop     t1
        pop     t0
        hcall   HC_IRET                 ; back to the shared page's epc, events as they were

        .data
ticks:          .word 0
msg_hello:      .ascii "pv: hello from a paravirtualized kernel\n"
msg_hello_end:
msg_tick:       .ascii "pv: tick\n"
msg_tick_end:
msg_done:       .ascii "pv: three ticks, halting\n"
msg_done_end:

        .bss
        .align  4096
shared:         .space 4096             ; the shared page
