; user-faults.s: page faults of a ring-3 process, each recorded by the kernel
; (cause, faultaddr, epc) before it moves the process on to the next stage:
;   stage 0  read of a supervisor page           USER | PRESENT
;   stage 1  write to a read-only user page      WRITE | USER | PRESENT
;   stage 2  jump to an unmapped page            FETCH | USER
;   stage 3  read of an unmapped page            USER
;   stage 4  write to its own page, then syscall
; The kernel halts on the system call.

        .include "tables.inc"
        .equ UNMAPPED, 0x800000

        .text
        .global _start
_start:
        la      t0, handler
        mtcr    tvec, t0
        li      a3, 0                   ; faults recorded
        IDENTITY_TABLE pt0, PTE_P | PTE_W | PTE_U ; 0..4 MiB: user, writable...
        la      t0, pt0                 ; ...except the kernel's page and a read-only one
        la      t1, kernel_page
        srli    t2, t1, 10
        add     t2, t2, t0
        ori     t1, t1, PTE_P | PTE_W
        sw      t1, 0(t2)
        la      t1, ro_page
        srli    t2, t1, 10
        add     t2, t2, t0
        ori     t1, t1, PTE_P | PTE_U
        sw      t1, 0(t2)
        la      t0, dir
        la      t1, pt0
        ori     t1, t1, PTE_P | PTE_W | PTE_U
        sw      t1, 0(t0)
        mtcr    ptbr, t0
        la      t0, stage0
        mtcr    epc, t0
        li      t0, 0x58                ; PG | PPL 3
        mtcr    status, t0
        rett

stage0: la      t0, kernel_page
        lw      t1, 0(t0)
stage1: la      t0, ro_page
        sw      t1, 0(t0)
stage2: li      t0, UNMAPPED
        jalr    ra, t0, 0
stage3: li      t0, UNMAPPED
        lw      t1, 4(t0)
stage4: la      t0, user_page
        sw      t0, 0(t0)
        syscall

handler:
        mfcr    t0, cause
        andi    t1, t0, 0xff
        li      t2, 7
        beq     t1, t2, done
        la      t1, results             ; results[3 * n] = cause, faultaddr, epc
        li      t2, 12
        mul     t2, t2, a3
        add     t1, t1, t2
        sw      t0, 0(t1)
        mfcr    t0, faultaddr
        sw      t0, 4(t1)
        mfcr    t0, epc
        sw      t0, 8(t1)
        addi    a3, a3, 1
        la      t1, stages              ; continue at the next stage
        slli    t2, a3, 2
        add     t1, t1, t2
        lw      t0, 0(t1)
        mtcr    epc, t0
        rett
done:   la      t0, user_page
        lw      a0, 0(t0)
        la      t1, user_page
        sub     a0, a0, t1              ; 0 if the process's store landed
        halt    a0

        .data
stages:  .word stage0, stage1, stage2, stage3, stage4
results: .space 48
        .bss
        .align  4096
dir:         .space 4096
pt0:         .space 4096
kernel_page: .space 4096
ro_page:     .space 4096
user_page:   .space 4096
