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
        .include "../lib/priv.inc"      ; PRIV_ macros: a PV build with -D PV
        .equ TIMER_PERIOD_PORT, 0x20
        .equ TIMER_ACK_PORT, 0x21

        .text
        .global _start
_start:
        la      t0, handler
        PRIV_SET_TVEC t0
        li      s1, 0                   ; ticks seen
        li      t0, 50
        PRIV_TIMER_PERIOD t0            ; a tick every 50 instructions
        PRIV_IRQ_ENABLE                 ; sti
        ; PV build: the flags are the shared page's mask word (as STATUS.IE);
        ; the restore is a store to it, and an event_check if that unmasks
        ; with the tick pending: the monitor cannot miss it (docs/hypercalls.md)
        PRIV_READ_FLAGS s0              ; rdflags s0: save, interrupts on
        PRIV_IRQ_DISABLE                ; cli
        PRIV_WRITE_FLAGS s0             ; wrflags s0: restore
        li      t1, 200                 ; wait: a tick is due within 50 instructions
1:      bnez    s1, 2f
        addi    t1, t1, -1
        bnez    t1, 1b
2:      PRIV_IRQ_DISABLE
        PRIV_TIMER_PERIOD zero
        snez    a0, s1
        la      a1, msg_arrived
        call    rt_check
        PRIV_HALT zero

handler:
        li      s1, 1
        li      t0, 1
        PRIV_TIMER_ACK t0
        PRIV_TIMER_PERIOD zero          ; one tick is enough
        PRIV_RETURN

        .include "../lib/rt.inc"
        .data
msg_arrived:    .asciz "a timer interrupt arrives after the flags restore"
