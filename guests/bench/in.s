; in.s: a port read by the kernel, N times (Adams & Agesen's "in"): the
; timer's clock port, which every mode can read without side effects.
;   native: the device answers
;   bt:     the in is a callout that emulates the virtual timer
;   pv:     the port has no place in a PV kernel: timer_read is a hypercall
;   hw:     an I/O exit to the monitor, which emulates the virtual timer

        .include "lib/bench.inc"

        .text
bench_main:
        beqz    s0, 2f
1:      PRIV_READ_CLOCK t0
        addi    s0, s0, -1
        bnez    s0, 1b
2:      j       bench_done

bench_trap:                             ; no trap is expected
        j       bench_unexpected

        .data
bench_name:     .asciz "in"

        .include "lib/kernel.inc"
