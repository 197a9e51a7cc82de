; divzero.s: a divide by zero in the kernel, N times (Adams & Agesen's
; "divzero"): the handler counts the fault and resumes after the div.
;   native: the fault goes through the guest's vector
;   bt:     the div is copied unchanged (IDENT); its fault traps to the monitor,
;           which delivers it to the translated handler at the div's guest pc
;   pv:     the monitor delivers the fault to the trap table; iret is a hypercall
;   hw:     no exit: the guest's own vector takes it

        .equ BENCH_TRAPS_PER_ITERATION, 1
        .include "lib/bench.inc"

        .text
bench_main:
        li      s1, 7
        beqz    s0, 2f
1:      div     s2, s1, zero            ; faults; the handler skips it
        addi    s0, s0, -1
        bnez    s0, 1b
2:      j       bench_done

bench_trap:
        BENCH_EXPECT_CAUSE EXC_DIVIDE_BY_ZERO
        BENCH_COUNT
        BENCH_SKIP_INSN
        PRIV_RETURN

        .data
bench_name:     .asciz "divzero"

        .include "lib/kernel.inc"
