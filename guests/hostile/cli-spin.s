; cli-spin.s: a guest kernel that disables interrupts and spins for ever.
;
; On a bare machine it owns the CPU: nothing can take it back (it never halts;
; `virtlab run` ends it with its --max-steps budget, exit code 124). Under a
; monitor the real timer is the monitor's, not the guest's: the guest masks
; only its virtual interrupts, so on a host of several VMs the host's timer
; still ends its slices and every other VM runs as it runs alone
; (test/host/isolation.test.ts). The PV build (-D PV) masks events with a
; store to its shared page, the paravirtual interrupt flag.

        .include "../lib/priv.inc"
        .text
        .global _start
_start:
        PRIV_INIT
        PRIV_IRQ_DISABLE
1:      j       1b

        .include "../lib/rt.inc"
