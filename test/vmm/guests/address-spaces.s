; address-spaces.s: two address spaces that map VA to different frames,
; switched back and forth; then the table of the one not in use is edited
; (as a kernel edits a sleeping process's mappings) and so is its directory.
; Writing PTBR flushes the TLB, so switching back must show the new mappings.
; results: A B A B A B, then C (edited table), then D (edited directory).

        .equ PTE_P, 1
        .equ PTE_W, 2
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
        la      t0, pt0
        li      t1, 0
        li      t2, 0x400000
1:      ori     a0, t1, PTE_P | PTE_W
        sw      a0, 0(t0)
        addi    t0, t0, 4
        li      a1, 4096
        add     t1, t1, a1
        bltu    t1, t2, 1b
        la      t1, frame_a
        ori     t1, t1, PTE_P | PTE_W
        la      t0, pt_a
        sw      t1, 0(t0)
        la      t1, frame_b
        ori     t1, t1, PTE_P | PTE_W
        la      t0, pt_b
        sw      t1, 0(t0)
        la      t1, frame_d
        ori     t1, t1, PTE_P | PTE_W
        la      t0, pt_d
        sw      t1, 0(t0)
        la      t1, pt0
        ori     t1, t1, PTE_P | PTE_W
        la      t0, dir_a
        sw      t1, 0(t0)
        la      t0, dir_b
        sw      t1, 0(t0)
        la      t1, pt_a
        ori     t1, t1, PTE_P | PTE_W
        la      t0, dir_a
        sw      t1, 4(t0)
        la      t1, pt_b
        ori     t1, t1, PTE_P | PTE_W
        la      t0, dir_b
        sw      t1, 4(t0)
        la      s1, dir_a
        la      s2, dir_b
        mtcr    ptbr, s1
        mfcr    t0, status
        ori     t0, t0, 0x40
        mtcr    status, t0
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
        la      t1, frame_c
        ori     t1, t1, PTE_P | PTE_W
        la      t0, pt_a
        sw      t1, 0(t0)
        mtcr    ptbr, s1
        lw      t0, 0(a2)
        sw      t0, 0(s0)               ; C
        mtcr    ptbr, s2
        la      t1, pt_d
        ori     t1, t1, PTE_P | PTE_W
        sw      t1, 4(s1)               ; A's directory: VA's region -> pt_d
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
