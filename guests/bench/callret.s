; callret.s: a call and return in the kernel, N times (Adams & Agesen's
; "call/ret"). Nothing privileged: it measures what a monitor adds to plain
; control flow.
;   native, pv, hw: the guest's own call and ret
;   bt:     the call is translated to a constant load of the return address and a
;           chained jump; the ret is an indirect exit, whose target the monitor
;           looks up in the translation cache

        .include "lib/bench.inc"

        .text
bench_main:
        beqz    s0, 2f
1:      call    bench_leaf
        addi    s0, s0, -1
        bnez    s0, 1b
2:      j       bench_done

bench_leaf:
        ret

bench_trap:                             ; no trap is expected
        j       bench_unexpected

        .data
bench_name:     .asciz "callret"

        .include "lib/kernel.inc"
