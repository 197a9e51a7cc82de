; hello.s: the smallest complete virtlab program.
; Prints a line on the console (port 0x10) and halts with exit code 0.

        .equ CONSOLE, 0x10              ; console data port (docs/machine.md)

        .text
        .global _start
_start:
        la      a0, message
1:      lbu     t0, 0(a0)               ; next byte of the string
        beqz    t0, 2f                  ; NUL ends it
        out     t0, CONSOLE
        addi    a0, a0, 1
        j       1b
2:      halt    zero                    ; exit code 0

        .data
message:
        .asciz  "Hello from virtlab!\n"
