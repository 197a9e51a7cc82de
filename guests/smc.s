; smc.s: self-modifying code. A loop adds the immediate of one instruction to
; a sum; between passes the program rewrites that instruction's immediate in
; place, so each pass must run the new code. On the bare machine and under
; trap-and-emulate every fetch reads memory; under binary translation a store
; into a page holding translated code must invalidate those translations
; (QEMU's and VMware's code-page coherence), or the stale code runs and the
; sums come out wrong.
        .include "lib/priv.inc"         ; out, halt: PRIV_ macros (a PV build with -D PV)
        .text
        .global _start
_start:
        li      s0, 1                   ; immediate for the next pass
        li      s2, 4                   ; passes
1:      call    patch                   ; patched: addi a0, a0, s0
        li      a0, 0
        li      t0, 10                  ; 10 iterations per pass
2:
patched:
        addi    a0, a0, 0               ; the immediate is rewritten before each pass
        addi    t0, t0, -1
        bnez    t0, 2b
        call    rt_hex_line             ; prints 10 * immediate
        slli    s0, s0, 1               ; 1, 2, 4, 8
        addi    s2, s2, -1
        bnez    s2, 1b
        PRIV_HALT zero

; patch: rewrite the low 16 bits (the immediate) of the word at `patched` to s0.
patch:
        la      t1, patched
        lw      t2, 0(t1)
        lui     t3, 0xffff
        and     t2, t2, t3              ; keep opcode and registers
        or      t2, t2, s0
        sw      t2, 0(t1)
        ret

rt_hex_line:
        push    ra
        call    rt_hex
        li      a0, '\n'
        PRIV_PUTC a0
        pop     ra
        ret

        .include "lib/rt.inc"
