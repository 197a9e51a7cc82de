; jump-monitor.s: a hostile guest that jumps where the monitor's memory and
; code are, from its kernel and from a process, and reports each trap.
;
; Under a monitor the guest's RAM is a window of host RAM with the monitor's
; memory right above it (shadow tables, EPT, bt's translation cache), the next
; VMs' windows after that (src/host/layout.ts), and bt runs its translations
; from a fetch window at virtual 0xffc00000. None of it may run as guest code:
; each jump below must end in the trap the bare machine raises with just the
; guest's RAM, the handler prints it (`trap: cause, epc, faultaddr, ring`) and
; goes on with the next stage.
;
;   paging off, kernel:  the first word above RAM (monitor memory), 2 MiB
;                        above RAM (the next VM's window), 0xffc00000 (bt's
;                        translation-cache window, and the monitor's trap
;                        vector `rdtvec` shows under trap), 0xfffffffc
;   paging on, kernel:   0x400000, mapped onto the frames right above RAM;
;                        0xffc00000, not mapped; a load from and a jump to
;                        0x800000, whose directory entry names a page table
;                        1 MiB above RAM (on a host: the monitor's memory or
;                        the next VM's RAM, which a walk there would read)
;   paging on, ring 3:   the same two
;
; Natively an instruction fetch outside RAM reads all ones, an undefined
; instruction (cause 1); an unmapped page is a page fault, and so is a page
; whose table lies outside RAM (the walk reads it as not present). Every mode
; must print exactly what the bare machine prints; it halts with 0. The PV
; build (-D PV) builds its tables with plain stores before installing them.
; test/host/isolation.test.ts runs it beside victims on one host.

        .equ PTE_PWU, 7                 ; P | W | U
        .equ STATUS_PPL, 0x18

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, ram_top             ; sp at reset: the top of RAM
        sw      sp, 0(t0)
        la      sp, stack_top           ; a stack the 0..4 MiB identity map below keeps mapped
        la      t0, handler
        PRIV_SET_TVEC t0
        la      a0, msg_off
        call    rt_puts
        la      t0, ram_top             ; the monitor's memory
        lw      t0, 0(t0)
        jr      t0
stage1: la      t0, ram_top             ; the next VM's window
        lw      t0, 0(t0)
        li      t1, 0x200000
        add     t0, t0, t1
        jr      t0
stage2: li      t0, 0xffc00000          ; the translation cache's window
        jr      t0
stage3: li      t0, 0xfffffffc          ; the last word of the address space
        jr      t0
stage4: ; paging on: 0..4 MiB onto themselves, 4..8 MiB onto the frames above RAM
        la      t0, pt0
        li      t1, 0
        li      t2, 0x400000
1:      ori     t3, t1, PTE_PWU
        sw      t3, 0(t0)
        addi    t0, t0, 4
        li      t3, 4096
        add     t1, t1, t3
        bltu    t1, t2, 1b
        la      t0, pt1
        la      t1, ram_top
        lw      t1, 0(t1)
        li      t2, 1024
2:      ori     t3, t1, PTE_PWU
        sw      t3, 0(t0)
        addi    t0, t0, 4
        li      t3, 4096
        add     t1, t1, t3
        addi    t2, t2, -1
        bnez    t2, 2b
        la      s0, dir
        la      t1, pt0
        ori     t1, t1, PTE_PWU
        sw      t1, 0(s0)
        la      t1, pt1
        ori     t1, t1, PTE_PWU
        sw      t1, 4(s0)
        PRIV_SET_PTBR s0
        PRIV_PAGING_ON t0
        la      a0, msg_on
        call    rt_puts
        li      t0, 0x400000            ; mapped, onto what lies above RAM
        jr      t0
stage5: li      t0, 0xffc00000          ; not mapped
        jr      t0
stage6: ; 8..12 MiB through a "page table" 1 MiB above RAM: the walk finds nothing there
        la      t0, dir
        la      t1, ram_top
        lw      t1, 0(t1)
        li      t2, 0x100000 | PTE_PWU
        add     t1, t1, t2
        sw      t1, 8(t0)
        li      t0, 0x800000
        lw      t1, 0(t0)               ; a load through it
stage7: li      t0, 0x800000            ; a jump through it
        jr      t0
stage8: la      a0, msg_user
        call    rt_puts
        la      t0, user_above          ; the same from ring 3
        call    to_user
stage9: la      t0, user_tc
        call    to_user
stage10: la     a0, msg_done
        call    rt_puts
        PRIV_HALT zero

user_above:
        li      t0, 0x400000
        jr      t0
user_tc:
        li      t0, 0xffc00000
        jr      t0

        .include "../lib/rt.inc"        ; before its RT_ macros are used

; to_user(t0 = where): continue at ring 3 there.
to_user:
        PRIV_WRITE_EPC t0
        RT_READ_STATUS t0
        ori     t0, t0, STATUS_PPL
        PRIV_WRITE_STATUS t0
        PRIV_RETURN

; Every trap: print it, then go on with the next stage at ring 0.
handler:
        call    rt_report
        la      t0, stage
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        la      t0, stages
        slli    t1, t1, 2
        add     t0, t0, t1
        lw      t0, -4(t0)
        PRIV_WRITE_EPC t0
        RT_READ_STATUS t0
        li      t1, ~STATUS_PPL
        and     t0, t0, t1
        PRIV_WRITE_STATUS t0
        PRIV_RETURN

        .data
        .align  4
ram_top:        .word 0
stage:          .word 0                 ; stages done
stages:         .word stage1, stage2, stage3, stage4, stage5, stage6, stage7, stage8, stage9, stage10
msg_off:        .asciz "paging off, kernel:\n"
msg_on:         .asciz "paging on, kernel:\n"
msg_user:       .asciz "paging on, ring 3:\n"
msg_done:       .asciz "jump-monitor: every jump trapped\n"
        .bss
        .align  4096
dir:    .space  4096
pt0:    .space  4096
pt1:    .space  4096
stack:  .space  4096
stack_top:
