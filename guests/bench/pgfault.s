; pgfault.s: a page fault in the kernel, N times (Adams & Agesen's "pgfault"):
; a load from an address its tables do not map; the handler counts the fault
; and resumes after the load.
;   native: the MMU faults through the guest's vector
;   bt, pv, hw --no-ept: the real MMU walks the monitor's shadow tables, which do
;           not map the page either; the monitor walks the guest's tables, finds
;           the guest's own fault and delivers it (under pv the handler's iret is
;           a hypercall)
;   hw:     with EPT the guest's own walk faults and its vector takes it: no exit

        .equ BENCH_TRAPS_PER_ITERATION, 1
        .include "lib/bench.inc"

        .text
bench_main:
        li      s1, UNMAPPED
        beqz    s0, 2f
1:      lw      s2, 0(s1)               ; faults; the handler skips it
        addi    s0, s0, -1
        bnez    s0, 1b
2:      j       bench_done

bench_trap:
        BENCH_EXPECT_CAUSE EXC_PAGE_FAULT
        BENCH_COUNT
        BENCH_SKIP_INSN
        PRIV_RETURN

        .data
bench_name:     .asciz "pgfault"

        .include "lib/kernel.inc"
