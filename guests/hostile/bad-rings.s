; bad-rings.s: a guest that hands its NIC malformed rings (docs/nics.md,
; "Device errors"): the device must stop for this VM alone, tell the guest,
; count the error, and never read or write outside the VM's memory.
;
; With the emulated e1000 it points the transmit ring past its RAM (and, after
; a reset, a transmit buffer past its RAM); with the virtio NIC it queues a
; descriptor chain that loops. It prints what the device says (STATUS.DERR,
; DEVICE_NEEDS_RESET) and halts with 0 if the device reported every error, 1
; if one went unreported. test/network/bad-rings.test.ts runs it beside a
; ping-pong pair on one host.

        .include "../net/common.inc"
        .equ OUTSIDE, 0x7ff00000        ; past any VM's RAM (at most 1 GiB)
        .equ E1000_ID, 0x100e8086
        .equ VIRTIO_ID, 0x10411af4

        .text
        .global _start
_start:
        li      sp, 0x00100000
        li      a0, E1000_ID
        call    pci_find
        bge     a0, zero, e1000
        li      a0, VIRTIO_ID
        call    pci_find
        bge     a0, zero, virtio
        la      a0, s_none
        call    net_puts
        li      t0, 2
        NET_HALT t0

; --- e1000: a ring past RAM, then a buffer past RAM ----------------------------------
e1000:
        mov     s0, a0
        call    pci_enable
        mov     a0, s0
        li      a1, 0
        call    pci_bar
        mov     s0, a0                  ; s0 = the registers
        li      t0, OUTSIDE
        sw      t0, 0x3800(s0)          ; TDBAL: the ring is not the guest's memory
        sw      zero, 0x3804(s0)
        li      t0, 128
        sw      t0, 0x3808(s0)          ; TDLEN: 8 descriptors
        li      t0, 2
        sw      t0, 0x0400(s0)          ; TCTL.EN
        li      t0, 1
        sw      t0, 0x3818(s0)          ; TDT: one descriptor to send
        call    e1000_report
        li      t0, 0x04000000
        sw      t0, 0x0000(s0)          ; CTRL.RST: the device starts over
        la      t1, ring                ; a ring in RAM whose one buffer is not
        li      t0, OUTSIDE
        sw      t0, 0(t1)
        sw      zero, 4(t1)
        li      t0, 0x0b000040          ; length 64, CMD = EOP | IFCS | RS
        sw      t0, 8(t1)
        sw      zero, 12(t1)
        sw      t1, 0x3800(s0)
        sw      zero, 0x3804(s0)
        li      t0, 128
        sw      t0, 0x3808(s0)
        sw      zero, 0x3810(s0)        ; TDH
        li      t0, 2
        sw      t0, 0x0400(s0)
        li      t0, 1
        sw      t0, 0x3818(s0)
        call    e1000_report
        j       done

; e1000_report: print STATUS.DERR; count an unreported error in s2.
e1000_report:
        push    ra
        lw      t0, 0x0008(s0)          ; STATUS
        srli    t0, t0, 31
        bnez    t0, 1f
        addi    s2, s2, 1
        la      a0, s_e1000_silent
        call    net_puts
        pop     ra
        ret
1:      la      a0, s_e1000_derr
        call    net_puts
        pop     ra
        ret

; --- virtio: a descriptor chain that loops -------------------------------------------
virtio:
        mov     s0, a0
        call    pci_enable
        mov     a0, s0
        li      a1, 0
        call    pci_bar
        mov     s0, a0                  ; s0 = BAR0: common configuration at 0
        li      t0, 3
        sb      t0, 0x14(s0)            ; ACKNOWLEDGE | DRIVER
        li      t0, 1
        sw      t0, 0x08(s0)            ; driver_feature_select = 1
        sw      t0, 0x0c(s0)            ; VERSION_1 (feature 32)
        li      t0, 0xb
        sb      t0, 0x14(s0)            ; | FEATURES_OK
        li      t0, 1
        sh      t0, 0x16(s0)            ; queue_select = 1 (transmit)
        li      t0, 8
        sh      t0, 0x18(s0)            ; queue_size = 8
        la      t1, vq_desc
        sw      t1, 0x20(s0)
        sw      zero, 0x24(s0)
        la      t1, vq_avail
        sw      t1, 0x28(s0)
        sw      zero, 0x2c(s0)
        la      t1, vq_used
        sw      t1, 0x30(s0)
        sw      zero, 0x34(s0)
        li      t0, 1
        sh      t0, 0x1c(s0)            ; queue_enable
        li      t0, 0xf
        sb      t0, 0x14(s0)            ; | DRIVER_OK
        la      t1, vq_desc             ; descriptor 0 -> 1 -> 0 -> ...: a loop
        la      t0, buffer
        sw      t0, 0(t1)
        li      t0, 64
        sw      t0, 8(t1)
        li      t0, 0x00010001          ; flags NEXT, next 1
        sw      t0, 12(t1)
        la      t0, buffer
        sw      t0, 16(t1)
        li      t0, 64
        sw      t0, 24(t1)
        li      t0, 0x00000001          ; flags NEXT, next 0
        sw      t0, 28(t1)
        la      t1, vq_avail
        sh      zero, 4(t1)             ; ring[0] = descriptor 0
        li      t0, 1
        sh      t0, 2(t1)               ; idx = 1
        sw      t0, 0x1004(s0)          ; the transmit queue's doorbell
        lbu     t0, 0x14(s0)            ; device_status
        andi    t0, t0, 0x40            ; DEVICE_NEEDS_RESET
        bnez    t0, 1f
        addi    s2, s2, 1
        la      a0, s_virtio_silent
        call    net_puts
        j       done
1:      la      a0, s_virtio_reset
        call    net_puts

done:
        NET_HALT s2

        .include "../net/print.inc"
        .include "../lib/pci.inc"

        .data
s_none:          .asciz "no network card found\n"
s_e1000_derr:    .asciz "e1000: the device stopped (STATUS.DERR)\n"
s_e1000_silent:  .asciz "e1000: no device error reported\n"
s_virtio_reset:  .asciz "virtio-net: the device needs a reset (DEVICE_NEEDS_RESET)\n"
s_virtio_silent: .asciz "virtio-net: no device error reported\n"
        .align 16
ring:           .space 128
vq_desc:        .space 128
vq_avail:       .space 32
        .align 4
vq_used:        .space 80
buffer:         .space 64
