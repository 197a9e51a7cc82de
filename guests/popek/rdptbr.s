; rdptbr.s: a kernel sets its page-table base and reads it back. rdptbr works
; at any ring without a fault, so under trap-and-emulate with shadow paging it
; shows the monitor's shadow table, not the guest's (x86 SGDT/SLDT).
        .include "../lib/priv.inc"      ; PRIV_ macros: a PV build with -D PV
        .text
        .global _start
_start:
        la      s0, dir
        PRIV_SET_PTBR s0                ; mtcr ptbr, s0
        ; PV build: set_ptbr, and the read is of the kernel's own copy of what
        ; it installed (Linux on Xen: xen_read_cr3), docs/hypercalls.md
        PRIV_READ_PTBR s1               ; rdptbr s1
        sub     a0, s0, s1
        seqz    a0, a0
        la      a1, msg_same
        call    rt_check
        PRIV_HALT zero

        .include "../lib/rt.inc"
        .data
msg_same:       .asciz "rdptbr returns the table the kernel installed"
        .bss
        .align  4096
dir:    .space  4096
