; address-spaces.s: two address spaces that map VA to different frames,
; switched back and forth; then the table of the one not in use is edited
; (as a kernel edits a sleeping process's mappings) and so is its directory.
; Writing PTBR flushes the TLB, so switching back must show the new mappings.
; results: A B A B A B, then C (edited table), then D (edited directory).

        .include "tables.inc"
        .equ VA, 0x400000

        .text
        .global _start
_start:
        la      s0, results
        la      t0, frame_a
        li      t1, 0xa
        sw      t1, 0(t0)
        la      t0, frame_b
        li      t1, 0xb
        sw      t1, 0(t0)
        la      t0, frame_c
        li      t1, 0xc
        sw      t1, 0(t0)
        la      t0, frame_d
        li      t1, 0xd
        sw      t1, 0(t0)
        IDENTITY_TABLE pt0, PTE_P | PTE_W
        la      t0, pt_a
        POINT   t0, 0, frame_a
        la      t0, pt_b
        POINT   t0, 0, frame_b
        la      t0, pt_d
        POINT   t0, 0, frame_d
        la      s1, dir_a
        la      s2, dir_b
        POINT   s1, 0, pt0
        POINT   s2, 0, pt0
        POINT   s1, 4, pt_a
        POINT   s2, 4, pt_b
        mtcr    ptbr, s1
        PAGING_ON t0
        li      a2, VA
        li      t3, 3
2:      lw      t0, 0(a2)
        sw      t0, 0(s0)
        mtcr    ptbr, s2
        lw      t0, 0(a2)
        sw      t0, 4(s0)
        mtcr    ptbr, s1
        addi    s0, s0, 8
        addi    t3, t3, -1
        bnez    t3, 2b
        mtcr    ptbr, s2                ; B runs; A's table and directory get edited
        la      t0, pt_a
        POINT   t0, 0, frame_c
        mtcr    ptbr, s1
        lw      t0, 0(a2)
        sw      t0, 0(s0)               ; C
        mtcr    ptbr, s2
        POINT   s1, 4, pt_d             ; A's directory: VA's region -> pt_d
        mtcr    ptbr, s1
        lw      t0, 0(a2)
        sw      t0, 4(s0)               ; D
        halt    zero

        .data
results: .space 32
        .bss
        .align  4096
dir_a:   .space 4096
dir_b:   .space 4096
pt0:     .space 4096
pt_a:    .space 4096
pt_b:    .space 4096
pt_d:    .space 4096
frame_a: .space 4096
frame_b: .space 4096
frame_c: .space 4096
frame_d: .space 4096
