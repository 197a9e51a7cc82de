; pingpong.s: round trips over the network, for latency (docs/network.md).
;
; The client (the default) sends COUNT frames of 64 bytes, one at a time, each
; carrying its sequence number, and waits for the reply to each before the
; next; it prints the round trips and the mean round-trip time in guest clock
; ticks (instructions retired while it waited), then halts with 0. Its first
; ping goes to the broadcast address; later ones to whoever answered (the
; wire's echo, or a server VM). A ping unanswered after RETRY polls (the
; server not listening yet, or not yet scheduled) is sent again, and the resends are reported. With -D SERVER
; it is the server: it answers every ping (each back to its sender, from its own MAC), a resent one too (the
; client resends when it has not seen the reply yet; its reply to the first copy may still be on the way), but
; counts only new sequence numbers: it halts after answering COUNT different ones, and reports the resent
; pings it answered again.
;
; It finds its NIC by PCI enumeration (guests/lib/net.inc: the emulated e1000
; or the virtio NIC) and polls it. Defines: SERVER, COUNT (default 100), PV
; (the paravirtualized build: configuration space and kicks by hypercall).
;
;   npx virtlab run guests/net/pingpong.s --nic virtio --peer echo --stats

        .include "common.inc"
        .ifndef COUNT
        .equ COUNT, 100
        .endif
        .ifndef RETRY
        .equ RETRY, 20000               ; polls of an unanswered ping before it is sent again
        .endif
        .equ FRAME_LEN, 64
        .equ ETHERTYPE, 0x88b5          ; IEEE local experimental

        .text
        .global _start
_start:
        li      sp, 0x00100000          ; a stack of our own: 1 MiB is in every VM
        call    net_init
        bnez    a0, no_nic
        .ifdef SERVER
        j       server
        .endif

; --- client -----------------------------------------------------------------------
client:
        la      s0, tx_frame
        call    fill_header             ; dst = broadcast until someone answers
        li      s1, 0                   ; sequence number
        NET_CLOCK_READ t0
        la      t1, start_clock
        sw      t0, 0(t1)
1:      sw      s1, 16(s0)              ; the sequence number, 4-aligned in the payload
        mov     a0, s0
        li      a1, FRAME_LEN
        call    net_send
        bnez    a0, send_failed
        call    net_flush
        li      s2, RETRY               ; polls left before the ping counts as lost
2:      la      a0, rx_frame            ; wait for the reply with this sequence number
        call    net_recv
        bnez    a0, 3f
        addi    s2, s2, -1
        bnez    s2, 2b
        la      t0, retries             ; lost (the peer was not listening yet): send it again
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        j       1b
3:      la      t0, rx_frame
        lw      t1, 16(t0)
        bne     t1, s1, 2b              ; a stray frame: not ours
        mov     a0, s0                  ; learn the peer: its source MAC is our next destination
        addi    a1, t0, 6
        call    copy_mac
        addi    s1, s1, 1
        li      t0, COUNT
        blt     s1, t0, 1b
        NET_CLOCK_READ t0
        la      t1, start_clock
        lw      t1, 0(t1)
        sub     s2, t0, t1              ; ticks for all round trips
        la      a0, s_client
        call    net_puts
        mov     a0, s1
        call    net_putd
        la      a0, s_rtt
        call    net_puts
        li      t0, COUNT
        divu    a0, s2, t0
        call    net_putd
        la      a0, s_ticks
        call    net_puts
        la      t0, retries
        lw      s1, 0(t0)
        beqz    s1, 4f
        la      a0, s_resent
        call    net_puts
        mov     a0, s1
        call    net_putd
        la      a0, s_times
        call    net_puts
4:      NET_HALT zero

; --- server -----------------------------------------------------------------------
server:
        li      s1, 0                   ; the next new sequence number (= new pings answered)
1:      la      a0, rx_frame
        call    net_recv
        beqz    a0, 1b
        mov     s2, a0                  ; its length
        la      a0, rx_frame            ; dst = its source, src = our MAC
        addi    a1, a0, 6
        call    copy_mac
        la      a0, rx_frame + 6
        la      a1, net_mac
        call    copy_mac
        la      a0, rx_frame
        mov     a1, s2
        call    net_send
        bnez    a0, send_failed
        call    net_flush
        la      t0, rx_frame            ; answered; count it only if its sequence number is new
        lw      t1, 16(t0)
        bltu    t1, s1, 2f
        addi    s1, t1, 1
        li      t0, COUNT
        blt     s1, t0, 1b
        j       3f
2:      la      t0, repeats             ; a resend of a ping already answered: not counted
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        j       1b
3:      la      a0, s_server
        call    net_puts
        mov     a0, s1
        call    net_putd
        la      a0, s_frames
        call    net_puts
        la      t0, repeats
        lw      s1, 0(t0)
        beqz    s1, 4f
        la      a0, s_server
        call    net_puts
        mov     a0, s1
        call    net_putd
        la      a0, s_again
        call    net_puts
4:      NET_HALT zero

; copy_mac(a0 = to, a1 = from): six bytes, as halfwords (MACs in a frame are 2-aligned).
copy_mac:
        lhu     t0, 0(a1)
        sh      t0, 0(a0)
        lhu     t0, 2(a1)
        sh      t0, 2(a0)
        lhu     t0, 4(a1)
        sh      t0, 4(a0)
        ret

; fill_header(s0 = frame): broadcast (or PEER's) destination, our MAC as source, our ethertype.
fill_header:
        push    ra
        .ifdef PEER
        li      t0, 0x0002              ; 02:00:00:00:00:PEER, a host's default MAC of its PEER-th VM
        sh      t0, 0(s0)
        sh      zero, 2(s0)
        li      t0, PEER << 8
        sh      t0, 4(s0)
        .else
        li      t0, -1
        sh      t0, 0(s0)
        sh      t0, 2(s0)
        sh      t0, 4(s0)
        .endif
        addi    a0, s0, 6
        la      a1, net_mac
        call    copy_mac
        pop     ra
        li      t0, ((ETHERTYPE & 0xff) << 8) | (ETHERTYPE >> 8)   ; big-endian on the wire
        sh      t0, 12(s0)
        ret

no_nic:
        la      a0, s_no_nic
        call    net_puts
        li      t0, 2
        NET_HALT t0
send_failed:
        la      a0, s_send_failed
        call    net_puts
        li      t0, 3
        NET_HALT t0

        .include "print.inc"
        .include "../lib/net.inc"

        .data
s_client:       .asciz "ping: "
s_rtt:          .asciz " round trips, mean "
s_ticks:        .asciz " ticks each\n"
s_resent:       .asciz "ping: resent "
s_times:        .asciz " unanswered pings\n"
s_server:       .asciz "pong: answered "
s_frames:       .asciz " frames\n"
s_again:        .asciz " resent pings again\n"
s_no_nic:       .asciz "no network card found\n"
s_send_failed:  .asciz "the NIC refused a frame\n"
        .align 4
start_clock:    .word 0
retries:        .word 0
repeats:        .word 0                 ; the server's resent pings answered again
tx_frame:       .space 1516
rx_frame:       .space 1516
