; pagefault.s: paging on with an identity map of the first 4 MiB, except one
; page left not present and one page mapped read-only. A read of the missing
; page and a write to the read-only page each raise exception 3; CAUSE carries
; the access kind (bit 8 write) and whether the page was present (bit 11).

        .equ PTE_P, 1
        .equ PTE_W, 2
        .equ MISSING, 0x00300000
        .equ READONLY, 0x00301000

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        li      sp, 0x00380000          ; a stack inside the mapped 4 MiB
        la      t0, handler
        PRIV_SET_TVEC t0
        ; PV build: plain stores too. Paging is off and the table is not in use
        ; yet, so it is ordinary memory (Xen's build-then-pin); set_ptbr and
        ; set_paging install it, and no store is traced (docs/hypercalls.md).
        la      t0, pt                  ; identity-map 0..4 MiB, writable
        li      t1, 0
        li      t2, 0x00400000
1:      ori     t3, t1, PTE_P | PTE_W
        sw      t3, 0(t0)
        addi    t0, t0, 4
        li      t3, 4096
        add     t1, t1, t3
        bltu    t1, t2, 1b
        la      t0, pt                  ; then punch the two holes
        li      t1, (MISSING >> 12) * 4
        add     t1, t0, t1
        sw      zero, 0(t1)             ; MISSING: not present
        li      t2, READONLY | PTE_P
        sw      t2, 4(t1)               ; READONLY: present, not writable
        la      t0, dir
        la      t1, pt
        ori     t1, t1, PTE_P | PTE_W
        sw      t1, 0(t0)
        PRIV_SET_PTBR t0
        PRIV_PAGING_ON t0               ; STATUS.PG
        li      s0, 0                   ; which fault comes next
        li      t2, MISSING
        lw      t1, 0(t2)               ; fault 1: read of a page that is not present
stage1:
        li      t2, READONLY
        lw      t1, 0(t2)               ; reading the read-only page is fine
        sw      t1, 0(t2)               ; fault 2: write to a read-only page
        RT_NO_TRAP

handler:
        call    rt_report
        bnez    s0, 1f
        li      s0, 1                   ; resume after the first fault
        la      t0, stage1
        PRIV_WRITE_EPC t0
        PRIV_RETURN
1:      PRIV_HALT zero

        .include "../lib/rt.inc"
        .bss
        .align  4096
dir:    .space  4096
pt:     .space  4096
