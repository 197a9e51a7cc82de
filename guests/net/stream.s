; stream.s: one-way frames, for throughput (docs/network.md).
;
; The sender (the default) sends COUNT frames of SIZE bytes to DST (default:
; broadcast) in batches of BATCH, telling the NIC once per batch (net_flush:
; one kick of the virtio NIC; the e1000 is told at each frame by its tail
; register), then prints how many it sent and the guest clock ticks it took.
; With -D RECEIVER it counts COUNT frames arriving (from the wire's `gen`, or a
; sender VM) and prints them. A send the NIC refuses (its ring full) is retried
; after a flush.
;
; Defines: RECEIVER, COUNT (default 1000), SIZE (60..1514, default 1514),
; BATCH (default 16), PV.
;
;   npx virtlab run guests/net/stream.s --nic virtio --peer sink --stats

        .include "common.inc"
        .ifndef COUNT
        .equ COUNT, 1000
        .endif
        .ifndef SIZE
        .equ SIZE, 1514
        .endif
        .ifndef BATCH
        .equ BATCH, 16
        .endif
        .equ ETHERTYPE, 0x88b5

        .text
        .global _start
_start:
        li      sp, 0x00100000
        call    net_init
        bnez    a0, no_nic
        .ifdef RECEIVER
        j       receiver
        .endif

sender:
        la      s0, tx_frame            ; broadcast, from us, our ethertype
        li      t0, -1
        sh      t0, 0(s0)
        sh      t0, 2(s0)
        sh      t0, 4(s0)
        la      t1, net_mac
        lhu     t0, 0(t1)
        sh      t0, 6(s0)
        lhu     t0, 2(t1)
        sh      t0, 8(s0)
        lhu     t0, 4(t1)
        sh      t0, 10(s0)
        li      t0, ((ETHERTYPE & 0xff) << 8) | (ETHERTYPE >> 8)
        sh      t0, 12(s0)
        NET_CLOCK_READ t0
        la      t1, start_clock
        sw      t0, 0(t1)
        li      s1, 0                   ; frames sent
        li      s2, 0                   ; frames in this batch
1:      sw      s1, 16(s0)              ; sequence number
        mov     a0, s0
        li      a1, SIZE
        call    net_send
        beqz    a0, 2f
        call    net_flush               ; ring full: let the device drain it, then retry
        li      s2, 0
        j       1b
2:      addi    s1, s1, 1
        addi    s2, s2, 1
        li      t0, BATCH
        blt     s2, t0, 3f
        call    net_flush
        li      s2, 0
3:      li      t0, COUNT
        blt     s1, t0, 1b
        call    net_flush
        NET_CLOCK_READ t0
        la      t1, start_clock
        lw      t1, 0(t1)
        sub     s2, t0, t1
        la      a0, s_sent
        call    net_puts
        mov     a0, s1
        call    net_putd
        la      a0, s_of
        call    net_puts
        li      a0, SIZE
        call    net_putd
        la      a0, s_bytes_in
        call    net_puts
        mov     a0, s2
        call    net_putd
        la      a0, s_ticks
        call    net_puts
        NET_HALT zero

receiver:
        li      s1, 0
1:      la      a0, rx_frame
        call    net_recv
        beqz    a0, 1b
        addi    s1, s1, 1
        li      t0, COUNT
        blt     s1, t0, 1b
        la      a0, s_received
        call    net_puts
        mov     a0, s1
        call    net_putd
        la      a0, s_frames
        call    net_puts
        NET_HALT zero

no_nic:
        la      a0, s_no_nic
        call    net_puts
        li      t0, 2
        NET_HALT t0

        .include "print.inc"
        .include "../lib/net.inc"

        .data
s_sent:         .asciz "stream: sent "
s_of:           .asciz " frames of "
s_bytes_in:     .asciz " bytes in "
s_ticks:        .asciz " ticks\n"
s_received:     .asciz "stream: received "
s_frames:       .asciz " frames\n"
s_no_nic:       .asciz "no network card found\n"
        .align 4
start_clock:    .word 0
tx_frame:       .space 1516
rx_frame:       .space 1516
