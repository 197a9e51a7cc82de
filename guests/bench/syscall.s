; syscall.s: a system call from a process at ring 3, N times (Adams & Agesen's
; "syscall"). The kernel's handler is a null system call: it checks the cause,
; counts the call and returns. The process's last call (a0 = 1) ends the run.
;   native: syscall traps through the guest's vector, rett returns
;   bt:     the trap reaches the monitor, which reflects it into the translated
;           handler; its mfcr/rett are callouts
;   pv:     the monitor delivers the trap to the trap table; iret is a hypercall
;   hw:     no exit: the guest's own vector takes it, as natively

        .equ BENCH_TRAPS_PER_ITERATION, 1
        .include "lib/bench.inc"

        .text
; bench_main (ring 0, s0 = N): enter the process at ring 3, paging kept on.
bench_main:
        la      t0, bench_user
        PRIV_WRITE_EPC t0
        li      t0, STATUS_PPL_USER | STATUS_PG
        PRIV_WRITE_STATUS t0
        PRIV_RETURN

; The process: N null system calls, then the one that ends the run.
bench_user:
        beqz    s0, 2f
1:      li      a0, 0
        syscall
        addi    s0, s0, -1
        bnez    s0, 1b
2:      li      a0, 1
        syscall

bench_trap:
        BENCH_EXPECT_CAUSE EXC_SYSCALL
        bnez    a0, bench_done          ; the last call
        BENCH_COUNT
        PRIV_RETURN                     ; back after the syscall

        .data
bench_name:     .asciz "syscall"

        .include "lib/kernel.inc"
