; aspace.s: an address space created, used and destroyed, N times, as a fork
; or exec would: a directory and a table are filled (the kernel's table at
; entry 0, a private table mapping a data page and a stack page), the kernel
; switches to the new space, writes both pages, switches back, checks through
; its own map that the data frame got the write, and clears the entries again.
; The spaces rotate over ASPACE_SETS sets of frames, more than the monitor's
; shadow cache holds (8), so each one is new to the monitor as it would be
; after a real fork.
;   native: 4 + 4 stores, two PTBR writes, TLB misses
;   bt:     the stores hit traced page tables (emulated, then adaptive
;           callouts); the PTBR writes are callouts; the monitor builds a
;           shadow for each new space
;   pv:     one batched mmu_update to create, one to destroy, two set_ptbr
;   hw:     no exit with EPT; with --no-ept the PTBR writes exit, the stores
;           into traced tables are emulated and the new space's pages fault
;           into its shadow

        .include "lib/bench.inc"

        .equ ASPACE_SETS, 16
        .equ SET_SIZE, 4 * PAGE         ; directory, table, data page, stack page

        .text
bench_main:
        la      s1, aspace_frames       ; the set to use next
        beqz    s0, 9f
1:      ; create
        la      t0, bench_kernel_pt
        ori     t0, t0, PTE_PWU
        PRIV_PT_SET t0, s1, 0, t1       ; directory[0]: 0..4 MiB, the kernel
        li      t2, PAGE
        add     t2, s1, t2              ; the table
        ori     t0, t2, PTE_PWU
        PRIV_PT_SET t0, s1, 8, t1       ; directory[2]: 8..12 MiB
        li      t0, 2 * PAGE
        add     t0, s1, t0
        ori     t0, t0, PTE_PWU
        PRIV_PT_SET t0, t2, 0, t1       ; the data page at USER_DATA
        li      t0, 3 * PAGE
        add     t0, s1, t0
        ori     t0, t0, PTE_PWU
        PRIV_PT_SET t0, t2, 4092, t1    ; the stack page below USER_STACK_TOP
        PRIV_PT_COMMIT
        ; use
        PRIV_SET_PTBR s1
        li      t0, USER_DATA
        sw      s0, 0(t0)
        li      t0, USER_STACK_TOP
        sw      s0, -4(t0)
        la      t0, bench_kernel_dir
        PRIV_SET_PTBR t0
        li      t0, 2 * PAGE
        add     t0, s1, t0
        lw      t0, 0(t0)               ; the data frame, through the kernel's map
        bne     t0, s0, wrong_frame
        ; destroy
        PRIV_PT_SET zero, s1, 0, t1
        PRIV_PT_SET zero, s1, 8, t1
        li      t2, PAGE
        add     t2, s1, t2
        PRIV_PT_SET zero, t2, 0, t1
        PRIV_PT_SET zero, t2, 4092, t1
        PRIV_PT_COMMIT
        ; the next set of frames
        li      t0, SET_SIZE
        add     s1, s1, t0
        la      t0, aspace_frames_end
        bltu    s1, t0, 2f
        la      s1, aspace_frames
2:      addi    s0, s0, -1
        bnez    s0, 1b
9:      j       bench_done
wrong_frame:
        la      a0, s_wrong_frame
        j       bench_fail

bench_trap:                             ; no trap is expected
        j       bench_unexpected

        .data
bench_name:     .asciz "aspace"
s_wrong_frame:  .asciz "the write through the new address space missed its data frame"

        .bss
        .align  4096
aspace_frames:  .space ASPACE_SETS * SET_SIZE
aspace_frames_end:

        .include "lib/kernel.inc"
