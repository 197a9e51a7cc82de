; ctxswitch.s: the address-space half of a context switch, N times: the kernel
; alternates between two processes' address spaces (a page-table base write,
; which flushes the TLB) and reads the new process's private page at USER_DATA,
; which holds that space's directory address, so a switch that did not happen
; fails the run. (The register half of a switch is loads and stores; its ring
; transitions are the syscall benchmark's.)
;   native: mtcr ptbr, then a TLB miss and a page walk
;   bt:     a callout; the monitor switches to the space's shadow, cached
;   pv:     set_ptbr, a hypercall
;   hw:     no exit with EPT (the walk is two-dimensional); with --no-ept the
;           write exits (cr-access) and the monitor switches shadows

        .include "lib/bench.inc"

        .text
bench_main:
        la      a0, space_a
        call    make_space
        la      a0, space_b
        call    make_space
        la      s1, space_a             ; the current space (directory)
        la      s2, space_b
        xor     s2, s2, s1              ; s1 ^= s2 alternates between the two
        beqz    s0, 2f
1:      xor     s1, s1, s2
        PRIV_SET_PTBR s1
        li      t0, USER_DATA
        lw      t0, 0(t0)               ; the process's own page
        bne     t0, s1, wrong_space
        addi    s0, s0, -1
        bnez    s0, 1b
2:      la      t0, bench_kernel_dir
        PRIV_SET_PTBR t0
        j       bench_done
wrong_space:
        la      a0, s_wrong_space
        j       bench_fail

; make_space(a0 = four pages: directory, table, data, spare): the kernel's
; table at directory entry 0, a private table at entry 2 mapping the data page
; at USER_DATA; the data page holds the directory's address.
make_space:
        mov     t2, a0
        la      t0, bench_kernel_pt
        ori     t0, t0, PTE_PWU
        PRIV_PT_SET t0, t2, 0, t1
        li      t3, PAGE
        add     t3, t2, t3              ; the table
        ori     t0, t3, PTE_PWU
        PRIV_PT_SET t0, t2, 8, t1
        li      t0, 2 * PAGE
        add     t0, t2, t0              ; the data page
        sw      t2, 0(t0)
        ori     t0, t0, PTE_PWU
        PRIV_PT_SET t0, t3, 0, t1
        PRIV_PT_COMMIT
        ret

bench_trap:                             ; no trap is expected
        j       bench_unexpected

        .data
bench_name:     .asciz "ctxswitch"
s_wrong_space:  .asciz "the switch did not reach the other address space"

        .bss
        .align  4096
space_a:        .space 4 * PAGE
space_b:        .space 4 * PAGE

        .include "lib/kernel.inc"
