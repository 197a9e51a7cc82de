; echo.s: console input. Reads bytes from the console data port until it says
; there are none (0xffffffff), and writes each back upper-cased. Give it input
; with `virtlab run guests/echo.s --input 'text'` or `... --stdin`.
        .include "lib/priv.inc"         ; in, out, halt: PRIV_ macros (a PV build with -D PV)
        .equ CONSOLE, 0x10

        .text
        .global _start
_start:
        li      t1, 'a'
        li      t2, 'z'
1:      PRIV_GETC t0                    ; in t0, CONSOLE
        blt     t0, zero, 3f            ; 0xffffffff: no more input
        blt     t0, t1, 2f              ; not a lower-case letter
        bgt     t0, t2, 2f
        addi    t0, t0, 'A' - 'a'
2:      PRIV_PUTC t0
        j       1b
3:      PRIV_HALT zero
