; calls.s: a call-heavy recursive function (naive Fibonacci) with paging on,
; following the calling convention: ra and s0 saved on the stack.
        .include "../lib/priv.inc"      ; halt: PRIV_HALT (a PV build with -D PV)
        .ifndef N
        .equ N, 24
        .endif

        .text
        .global _start
_start:
        li      sp, 0x00300000
        call    rt_paging_on
        li      a0, N
        call    fib
        PRIV_HALT a0

; fib(a0 = n) -> a0
fib:
        li      t0, 2
        blt     a0, t0, 1f
        push    ra
        push    s0
        addi    s0, a0, -2              ; keep n-2 for the second call
        addi    a0, a0, -1
        call    fib
        mov     t1, a0
        mov     a0, s0
        mov     s0, t1                  ; s0 = fib(n-1)
        call    fib
        add     a0, a0, s0
        pop     s0
        pop     ra
1:      ret

        .include "../lib/paging.inc"
        .bss
        .align  4096
paging_dir:     .space 4096
paging_pt:      .space 4096
