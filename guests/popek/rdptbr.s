; rdptbr.s: a kernel sets its page-table base and reads it back. rdptbr works
; at any ring without a fault, so under trap-and-emulate with shadow paging it
; shows the monitor's shadow table, not the guest's (x86 SGDT/SLDT).

        .text
        .global _start
_start:
        la      s0, dir
        mtcr    ptbr, s0
        rdptbr  s1
        sub     a0, s0, s1
        seqz    a0, a0
        la      a1, msg_same
        call    rt_check
        halt    zero

        .include "../lib/rt.inc"
        .data
msg_same:       .asciz "rdptbr returns the table the kernel installed"
        .bss
        .align  4096
dir:    .space  4096
