; hostile.s: a guest kernel that tries to see or change memory that is not
; its own. Under a monitor its guest-physical memory is a window of host RAM
; and the monitor's own memory (shadow page tables) lies right above it; this
; guest writes and reads everything it can name and reports what it saw, so
; its output must be the same as on a bare machine with just its RAM.
;
;   1. paging off: a pattern into every word from the end of the image to the
;      top of RAM (sp at reset), read back;
;   2. paging off: 2 MiB above the top of RAM, every 256th byte, and the top
;      of the address space (including the monitor's vector address): read
;      and written;
;   3. paging on: a 4 MiB region mapped onto guest-physical frames above RAM,
;      a region whose page table lies outside RAM, and unmapped high
;      addresses: read and written. Page faults are counted and skipped.
; It prints the mismatches, the sums of what it read, and the faults.

        .include "tables.inc"
        .equ PATTERN, 0x5a5a5a5a

        .text
        .global _start
_start:
        mov     s1, sp                  ; top of guest RAM
        la      t0, handler
        mtcr    tvec, t0
        li      s2, 0                   ; page faults taken
        li      t3, PATTERN
        ; 1. own RAM
        la      t0, image_end
1:      xor     t1, t3, t0
        sw      t1, 0(t0)
        addi    t0, t0, 4
        bltu    t0, s1, 1b
        li      s0, 0                   ; mismatches
        la      t0, image_end
2:      lw      t1, 0(t0)
        xor     t2, t3, t0
        beq     t1, t2, 3f
        addi    s0, s0, 1
3:      addi    t0, t0, 4
        bltu    t0, s1, 2b
        mov     sp, s1
        ; 2. above RAM and at the top of the address space, paging off
        li      a2, 0                   ; sum of what was read
        mov     t0, s1
        li      t2, 0x200000
        add     t2, t2, s1
4:      lw      t1, 0(t0)
        add     a2, a2, t1
        sw      t3, 0(t0)
        addi    t0, t0, 256
        bltu    t0, t2, 4b
        li      t0, 0xffc00000          ; where the monitor's vector would be
        lw      t1, 0(t0)
        add     a2, a2, t1
        sw      t3, 0(t0)
        li      t0, 0xfffffffc
        lw      t1, 0(t0)
        add     a2, a2, t1
        sw      t3, 0(t0)
        ; 3. paging on: region 0 identity over 0..4 MiB, region 1 onto frames above RAM,
        ; region 2 through a page table outside RAM
        IDENTITY_TABLE pt0, PTE_P | PTE_W
        la      t0, pt1
        mov     t1, s1
        li      t2, 1024
6:      ori     a0, t1, PTE_P | PTE_W
        sw      a0, 0(t0)
        addi    t0, t0, 4
        li      a1, 4096
        add     t1, t1, a1
        addi    t2, t2, -1
        bnez    t2, 6b
        la      t0, dir
        POINT   t0, 0, pt0
        POINT   t0, 4, pt1
        li      t1, 0x7ffff000 | PTE_P | PTE_W
        sw      t1, 8(t0)
        mtcr    ptbr, t0
        PAGING_ON t0
        li      a3, 0                   ; sum of what region 1 read
        li      t0, 0x400000
        li      t2, 0x800000
7:      lw      t1, 0(t0)
        add     a3, a3, t1
        sw      t3, 0(t0)
        li      a1, 4096
        add     t0, t0, a1
        bltu    t0, t2, 7b
        li      t0, 0x800000            ; region 2: its table is outside RAM
        lw      t1, 0(t0)
        sw      t3, 0(t0)
        li      t0, 0xffc00000          ; unmapped
        lw      t1, 0(t0)
        sw      t3, 0(t0)
        ; report
        la      a0, msg_mismatch
        call    rt_puts
        mov     a0, s0
        call    rt_hex
        la      a0, msg_above
        call    rt_puts
        mov     a0, a2
        call    rt_hex
        la      a0, msg_region
        call    rt_puts
        mov     a0, a3
        call    rt_hex
        la      a0, msg_faults
        call    rt_puts
        mov     a0, s2
        call    rt_hex
        la      a0, msg_nl
        call    rt_puts
        halt    zero

handler:                                ; count the fault, skip the instruction
        addi    s2, s2, 1
        mfcr    fp, epc
        addi    fp, fp, 4
        mtcr    epc, fp
        rett

        .include "../../../guests/lib/rt.inc"
        .data
msg_mismatch:   .asciz "mismatches "
msg_above:      .asciz ", sum above RAM "
msg_region:     .asciz ", sum of region 1 "
msg_faults:     .asciz ", page faults "
msg_nl:         .asciz "\n"
        .bss
        .align  4096
dir:    .space  4096
pt0:    .space  4096
pt1:    .space  4096
image_end:
