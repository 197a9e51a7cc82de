; callout-store.s: a hostile guest kernel aimed at binary translation's
; adaptive callouts: a store the monitor performs for the guest.
;
; Under bt a kernel store that keeps faulting on a traced page (a page-table
; update) is retranslated into a callout: the monitor itself performs that
; store through the guest's tables (src/vmm/emulate.ts). This kernel makes one
; store instruction (`poke`) write into its own page table six times, so that
; bt turns it into a callout, then uses that same store to point virtual
; 0x400000 at a frame that is not its own, invalidates the page, and stores a
; marker there through the callout. The frames: right above its RAM (its
; monitor's memory), 1 MiB above (under bt on a host: its translation cache;
; otherwise the next VM's window) and 2 MiB above (the next VM's window).
; After each it loads the word back and prints it: all ones, as on a bare
; machine with just its RAM, where nothing is there. Then it halts with 0.
; Under the other modes the same stores are traced page-table writes (trap,
; pv, hw --no-ept) or plain stores (hw). The PV build (-D PV) flushes the page
; with tlb_flush_page. test/host/isolation.test.ts runs it beside victims.

        .equ PTE_PW, 3

        .include "../lib/trap-test.inc"

.macro TLB_FLUSH rs                     ; clobbers a0 under PV
        .ifdef PV
        mov     a0, \rs
        hcall   HC_TLB_FLUSH_PAGE
        .else
        tlbi    \rs
        .endif
.endm

        .text
        .global _start
_start:
        la      t0, ram_top             ; sp at reset: the top of RAM
        sw      sp, 0(t0)
        la      sp, stack_top           ; a stack the identity map below keeps mapped
        la      t0, handler
        PRIV_SET_TVEC t0
        la      t0, pt0                 ; 0..4 MiB onto themselves
        li      t1, 0
        li      t2, 0x400000
1:      ori     t3, t1, PTE_PW
        sw      t3, 0(t0)
        addi    t0, t0, 4
        li      t3, 4096
        add     t1, t1, t3
        bltu    t1, t2, 1b
        la      t0, pt1                 ; 0x400000 onto a frame of its own RAM, for now
        la      t1, own_page
        ori     t1, t1, PTE_PW
        sw      t1, 0(t0)
        la      s0, dir
        la      t1, pt0
        ori     t1, t1, PTE_PW
        sw      t1, 0(s0)
        la      t1, pt1
        ori     t1, t1, PTE_PW
        sw      t1, 4(s0)
        PRIV_SET_PTBR s0
        PRIV_PAGING_ON t0
        li      t0, 0x400000
        lw      t1, 0(t0)               ; the shadow reads pt1: a traced page from now on
        li      s1, 6
2:      la      t0, pt1                 ; the same store into the traced table, again and again
        addi    t0, t0, 8
        li      t1, 0
        call    poke
        addi    s1, s1, -1
        bnez    s1, 2b

        li      s1, 0                   ; the targets: 0, 1 and 2 MiB above RAM
3:      la      t0, ram_top
        lw      t1, 0(t0)
        add     t1, t1, s1
        ori     t1, t1, PTE_PW
        la      t0, pt1                 ; the same store: 0x400000 -> the frame above RAM
        call    poke
        li      t0, 0x400000
        TLB_FLUSH t0
        li      t0, 0x400000
        li      t1, 0x5a5a5a5a
        call    poke                    ; and once more: the marker through that mapping
        li      t0, 0x400000
        lw      a0, 0(t0)
        call    rt_hex
        la      a0, msg_nl
        call    rt_puts
        li      t0, 0x100000
        add     s1, s1, t0
        li      t0, 0x300000
        bltu    s1, t0, 3b
        PRIV_HALT zero

poke:   sw      t1, 0(t0)               ; the one store every write above goes through
        ret

handler:                                ; no trap is expected: report it and stop
        call    rt_report
        li      a0, 2
        PRIV_HALT a0

        .include "../lib/rt.inc"
        .data
        .align  4
ram_top:        .word 0
msg_nl:         .asciz "\n"
        .bss
        .align  4096
dir:    .space  4096
pt0:    .space  4096
pt1:    .space  4096
own_page: .space 4096
stack:  .space  4096
stack_top:
