; map-all.s: a hostile guest kernel that maps every 4 KiB frame of the 32-bit
; physical space and writes through the mappings.
;
; It builds one address space that maps all 2^20 virtual pages onto the same
; physical frames (a directory and 1024 page tables, 4 MiB of its RAM, placed
; above its image), turns paging on, then writes a marker (the address xor
; MAGIC) into one word of each frame below and reads it back:
;
;   own       every frame of its RAM above the tables and below the stack
;   above     every frame of the DENSE_MIB MiB right above its RAM: under a
;             monitor, what lies above a VM's window in host RAM is its
;             monitor's memory and then the next VMs' windows (src/host/
;             layout.ts puts them one after another from 1 MiB), so a monitor
;             that forgot the bound would land there
;   sparse    one frame per MiB from there to the top of the address space
;             (the console's page at 0xf0000000 is left alone)
;   top       every frame of the last TOP_MIB MiB (0xffc00000, bt's
;             translation-cache window, among them): host-physical addresses
;             that wrap past 2^32 would reach the VMs before its window
;
; and prints, per range, how many frames kept the marker, read all ones, or
; read something else. On a bare machine with just its RAM, the frames above
; RAM are nothing (loads read all ones, stores are dropped); under every
; monitor mode it must print exactly the same: it reaches its own RAM only.
; Any trap (there should be none: every page is mapped) is reported and
; ends the run with exit code 2. It needs 4 MiB + 64 KiB of RAM above its image; with
; less it says so and halts with 1. The PV build (-D PV) writes its tables
; with plain stores before it installs them, as exceptions/pagefault.s does.
; test/host/isolation.test.ts runs it beside victims on one host.

        .ifndef DENSE_MIB
        .equ DENSE_MIB, 40
        .endif
        .ifndef TOP_MIB
        .equ TOP_MIB, 8
        .endif
        .equ MAGIC, 0x6d617061          ; "mapa"
        .equ STACK_ROOM, 0x10000        ; kept below the top of RAM for the stack
        .equ PTE_PW, 3                  ; P | W

        .include "../lib/trap-test.inc"
        .text
        .global _start
_start:
        la      t0, ram_top             ; sp at reset: the top of RAM
        sw      sp, 0(t0)
        la      t0, handler
        PRIV_SET_TVEC t0
        ; The tables: the directory in .bss, the 1024 tables right after it.
        la      s0, dir
        li      t0, 4096
        add     s1, s0, t0              ; s1 = the first table
        li      t0, 0x400000
        add     s2, s1, t0              ; s2 = the end of the tables: own frames start here
        li      t0, STACK_ROOM
        add     t0, s2, t0
        bgeu    sp, t0, 1f
        la      a0, msg_small
        call    rt_puts
        li      a0, 1
        PRIV_HALT a0
1:      ; every page table entry, in order: frame n | P | W
        mov     t0, s1
        li      t1, 0
        li      t2, 4096
2:      ori     t3, t1, PTE_PW
        sw      t3, 0(t0)
        addi    t0, t0, 4
        add     t1, t1, t2
        bltu    t0, s2, 2b
        ; every directory entry: table n | P | W
        mov     t0, s0
        mov     t1, s1
3:      ori     t3, t1, PTE_PW
        sw      t3, 0(t0)
        addi    t0, t0, 4
        add     t1, t1, t2
        bltu    t0, s1, 3b
        PRIV_SET_PTBR s0
        PRIV_PAGING_ON t0
        la      t0, tables_end
        sw      s2, 0(t0)
        la      a0, msg_mapped
        call    rt_puts

        la      a0, msg_own             ; own RAM above the tables
        la      a1, tables_end
        lw      a1, 0(a1)
        la      a2, ram_top
        lw      a2, 0(a2)
        li      t0, STACK_ROOM
        sub     a2, a2, t0
        li      a3, 4096
        call    touch
        la      a0, msg_above           ; right above RAM
        la      a1, ram_top
        lw      a1, 0(a1)
        li      t0, DENSE_MIB << 20
        add     a2, a1, t0
        li      a3, 4096
        call    touch
        la      a0, msg_sparse          ; one frame per MiB from there up to the top range
        la      a1, ram_top
        lw      a1, 0(a1)
        li      t0, DENSE_MIB << 20
        add     a1, a1, t0
        li      a2, -(TOP_MIB << 20)
        li      a3, 0x100000
        call    touch
        la      a0, msg_top             ; the top of the address space
        li      a1, -(TOP_MIB << 20)
        li      a2, 0
        li      a3, 4096
        call    touch
        PRIV_HALT zero

; touch(a0 = name, a1 = from, a2 = to (0: the end of the address space),
; a3 = stride): the marker into each frame's first word, read back; one line.
touch:
        push    ra
        push    a1
        call    rt_puts
        pop     a1
        li      fp, 0                   ; frames
        li      s0, 0                   ; kept the marker
        li      s1, 0                   ; read all ones
        li      s2, 0                   ; read something else
        li      t3, MAGIC
1:      beqz    a2, 2f                  ; to = 0: until the address wraps
        bgeu    a1, a2, 9f
2:      li      t0, 0xf0000000          ; the console's page: not ours to scribble on
        beq     a1, t0, 8f
        addi    fp, fp, 1
        xor     t1, a1, t3
        sw      t1, 0(a1)
        lw      t2, 0(a1)
        bne     t2, t1, 3f
        addi    s0, s0, 1
        j       8f
3:      li      t0, -1
        bne     t2, t0, 4f
        addi    s1, s1, 1
        j       8f
4:      addi    s2, s2, 1
8:      add     a1, a1, a3
        bnez    a1, 1b                  ; wrapped past the top: done
9:      la      a0, msg_frames
        call    rt_puts
        mov     a0, fp
        call    rt_hex
        la      a0, msg_kept
        call    rt_puts
        mov     a0, s0
        call    rt_hex
        la      a0, msg_ones
        call    rt_puts
        mov     a0, s1
        call    rt_hex
        la      a0, msg_other
        call    rt_puts
        mov     a0, s2
        call    rt_hex
        la      a0, msg_nl
        call    rt_puts
        pop     ra
        ret

handler:                                ; no trap is expected: report it and stop
        call    rt_report
        li      a0, 2
        PRIV_HALT a0

        .include "../lib/rt.inc"
        .data
        .align  4
ram_top:        .word 0
tables_end:     .word 0
msg_small:      .asciz "map-all: needs 4 MiB + 64 KiB of RAM above its image\n"
msg_mapped:     .asciz "map-all: 4 GiB mapped onto every frame\n"
msg_own:        .asciz "own RAM:"
msg_above:      .asciz "above RAM:"
msg_sparse:     .asciz "sparse:"
msg_top:        .asciz "top:"
msg_frames:     .asciz " frames "
msg_kept:       .asciz ", kept the marker "
msg_ones:       .asciz ", all ones "
msg_other:      .asciz ", other "
msg_nl:         .asciz "\n"
        .bss
        .align  4096
dir:    .space  4096
