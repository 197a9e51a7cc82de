; ptemod.s: a page-table entry changed by the kernel, N times (Adams & Agesen's
; "ptemod"): the entry of one page of its own map has its W bit flipped, then the
; page's TLB entry is invalidated, as mprotect would.
;   native: a store and a tlbi
;   bt:     the store hits a page table the shadow traces: it faults and is
;           emulated, until after a few faults the monitor retranslates it into a
;           callout (adaptive translation); the tlbi is a callout
;   pv:     the change is an mmu_update of one entry and tlb_flush_page: two
;           hypercalls
;   hw:     with EPT, no exit; with --no-ept the store faults on the traced table
;           and is emulated, and the tlbi exits (invlpg)

        .include "lib/bench.inc"

        .equ PTE_PAGE, KERNEL_SPACE_END - PAGE  ; the map's last page, which nothing uses

        .text
bench_main:
        la      s1, bench_kernel_pt + (PTE_PAGE >> 12) * 4      ; its entry
        li      s2, PTE_PAGE | PTE_PWU                          ; its value
        beqz    s0, 2f
1:      xori    s2, s2, PTE_W
        PRIV_PT_SET s2, s1, 0, t0
        PRIV_PT_COMMIT
        PRIV_TLB_FLUSH_PAGE s2          ; s2 is an address in the page
        addi    s0, s0, -1
        bnez    s0, 1b
2:      j       bench_done

bench_trap:                             ; no trap is expected
        j       bench_unexpected

        .data
bench_name:     .asciz "ptemod"

        .include "lib/kernel.inc"
