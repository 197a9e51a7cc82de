; hello.s: the smallest complete virtlab program.
; Prints a line on the console (port 0x10) and halts with exit code 0.

        .equ CONSOLE, 0x10              ; console data port (docs/machine.md)
        .ifndef PV                      ; -D PV: the paravirtualized build, at the end
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
        .endif
        .data
message:
        .asciz  "Hello from virtlab!\n"

        .ifdef PV
; The PV build (`virtlab run -D PV --mode pv`, docs/hypercalls.md): the same
; loop, with the port write and the halt made hypercalls by guests/lib/priv.inc.
; It is a second copy rather than macros in the loop above because the lines
; of that loop are the ones docs/trace.md and the debugger's tests show.
        .include "lib/priv.inc"
        .text
        .global _start
_start:
        la      a0, message
1:      lbu     t0, 0(a0)
        beqz    t0, 2f
        PRIV_PUTC t0                    ; console_write of one byte
        addi    a0, a0, 1
        j       1b
2:      PRIV_HALT zero
        .endif
