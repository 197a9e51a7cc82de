; alu.s: an ALU loop with paging on. Halts with the low byte of the result;
; bench/ runs the same arithmetic in JavaScript and checks it (bench/workloads.ts).
        .include "../lib/priv.inc"      ; halt: PRIV_HALT (a PV build with -D PV)
        .ifndef ITERATIONS
        .equ ITERATIONS, 1000000
        .endif

        .text
        .global _start
_start:
        li      sp, 0x00300000
        call    rt_paging_on
        li      t0, ITERATIONS
        li      a0, 0
        li      a1, 1
1:      add     a0, a0, a1
        xor     a1, a1, a0
        slli    a2, a0, 3
        sub     a0, a2, a0
        addi    t0, t0, -1
        bnez    t0, 1b
        add     a0, a0, a1
        PRIV_HALT a0

        .include "../lib/paging.inc"
        .bss
        .align  4096
paging_dir:     .space 4096
paging_pt:      .space 4096
