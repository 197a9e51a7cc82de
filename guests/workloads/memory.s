; memory.s: a memory loop over a 64 KiB buffer with paging on: each pass
; reads every word, adds it to a sum and writes it back incremented.
        .include "../lib/priv.inc"      ; halt: PRIV_HALT (a PV build with -D PV)
        .ifndef PASSES
        .equ PASSES, 64
        .endif
        .equ BUFFER_BYTES, 65536

        .text
        .global _start
_start:
        li      sp, 0x00300000
        call    rt_paging_on
        li      t3, PASSES
        li      a0, 0
1:      la      t0, buffer
        li      t1, BUFFER_BYTES
        add     t1, t0, t1
2:      lw      t2, 0(t0)
        add     a0, a0, t2
        addi    t2, t2, 1
        sw      t2, 0(t0)
        addi    t0, t0, 4
        bne     t0, t1, 2b
        addi    t3, t3, -1
        bnez    t3, 1b
        PRIV_HALT a0

        .include "../lib/paging.inc"
        .bss
        .align  4096
paging_dir:     .space 4096
paging_pt:      .space 4096
buffer:         .space 65536
