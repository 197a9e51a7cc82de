; crwrite.s: a control-register write by the kernel, N times (Adams & Agesen's
; "cr8wr" wrote the x86 task-priority register; here the kernel writes STATUS,
; the register that holds its interrupt flag and paging switch, with the value it
; already has).
;   native: mtcr status
;   bt:     a callout that writes the virtual STATUS
;   pv:     a PV kernel has no STATUS to write: its interrupt flag and the status
;           iret returns to are words of the shared page, so the write is a store
;   hw:     no exit with EPT; with --no-ept a STATUS write exits (cr-access),
;           because the monitor must see paging being switched

        .include "lib/bench.inc"

        .text
bench_main:
        PRIV_READ_STATUS s1
        beqz    s0, 2f
1:      PRIV_WRITE_STATUS s1
        addi    s0, s0, -1
        bnez    s0, 1b
2:      j       bench_done

bench_trap:                             ; no trap is expected
        j       bench_unexpected

        .data
bench_name:     .asciz "crwrite"

        .include "lib/kernel.inc"
