; shadow-tlb.s: the TLB behaviour a shadow page table must reproduce. The
; page at VA maps frame A, then frame B, then (through another page table)
; frame C; each access records what it saw in `results`:
;   r0  VA through a fresh mapping             frame A's word
;   r1  the PTE after that read                 A set by the walk
;   r2  VA after the PTE moved to B, no tlbi    still A (the stale entry)
;   r3  the PTE                                 what the guest wrote
;   r4  VA after tlbi                           frame B's word
;   r5  the PTE                                 A set again
;   r6  the PTE after a store through VA        A and D
;   r7  a store after the PTE became read-only, no invalidation: the cached
;       dirty entry still allows it             the stored value
;   r8  faults taken by a store after tlbia     1
;   r9  the word that store aimed at            unchanged (0)
;   r10 VA after the directory entry moved to another table, no invalidation: frame B's word
;   r11 VA after tlbia                          frame C's word
;   r12 FAULTADDR of the fault                  VA + 12
;   r13 CAUSE of the fault                      page fault | WRITE | PRESENT

        .include "tables.inc"
        .equ VA, 0x400000

        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        la      s0, results
        la      t0, frame_a
        li      t1, 0xaaaa0000
        sw      t1, 0(t0)
        la      t0, frame_b
        li      t1, 0xbbbb0000
        sw      t1, 0(t0)
        la      t0, frame_c
        li      t1, 0xcccc0000
        sw      t1, 0(t0)
        IDENTITY_TABLE pt0, PTE_P | PTE_W ; 0..4 MiB, supervisor, writable
        la      s1, pt1                 ; s1: the PTE for VA
        POINT   s1, 0, frame_a
        la      t0, pt2
        POINT   t0, 0, frame_c
        la      t0, dir
        POINT   t0, 0, pt0
        POINT   t0, 4, pt1
        mtcr    ptbr, t0
        PAGING_ON t0
        li      s2, VA
        lw      t0, 0(s2)
        sw      t0, 0(s0)               ; r0
        lw      t0, 0(s1)
        sw      t0, 4(s0)               ; r1
        la      t0, frame_b
        ori     t0, t0, PTE_P | PTE_W
        sw      t0, 0(s1)               ; VA -> B, no tlbi
        lw      t0, 0(s2)
        sw      t0, 8(s0)               ; r2
        lw      t0, 0(s1)
        sw      t0, 12(s0)              ; r3
        tlbi    s2
        lw      t0, 0(s2)
        sw      t0, 16(s0)              ; r4
        lw      t0, 0(s1)
        sw      t0, 20(s0)              ; r5
        li      t0, 0x77
        sw      t0, 4(s2)
        lw      t0, 0(s1)
        sw      t0, 24(s0)              ; r6
        la      t0, frame_b
        ori     t0, t0, PTE_P           ; read-only, no invalidation
        sw      t0, 0(s1)
        li      t0, 0x88
        sw      t0, 8(s2)
        lw      t0, 8(s2)
        sw      t0, 28(s0)              ; r7
        tlbia
        li      t3, 0
        li      t0, 0x99
        sw      t0, 12(s2)              ; faults now
        sw      t3, 32(s0)              ; r8
        lw      t0, 12(s2)
        sw      t0, 36(s0)              ; r9
        la      t0, dir
        POINT   t0, 4, pt2              ; VA's region -> pt2, no invalidation
        lw      t0, 0(s2)
        sw      t0, 40(s0)              ; r10
        tlbia
        lw      t0, 0(s2)
        sw      t0, 44(s0)              ; r11
        mfcr    t0, faultaddr
        sw      t0, 48(s0)              ; r12
        halt    zero

handler:                                ; count the fault, note its cause, skip the instruction
        addi    t3, t3, 1
        mfcr    fp, cause
        sw      fp, 52(s0)              ; r13
        mfcr    fp, epc
        addi    fp, fp, 4
        mtcr    epc, fp
        rett

        .data
results: .space 56
        .bss
        .align  4096
dir:     .space 4096
pt0:     .space 4096
pt1:     .space 4096
pt2:     .space 4096
frame_a: .space 4096
frame_b: .space 4096
frame_c: .space 4096
