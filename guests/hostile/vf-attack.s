; vf-attack.s: a guest that abuses the VF assigned to it (docs/io-virtualization.md,
; "Assigned"): frames with a source MAC and a VLAN tag that are not its own,
; DMA aimed past its memory, a flood of mailbox requests asking for another
; VM's MAC, and stores where the PF's registers sit in host-physical space.
; The NIC's switch drops the spoofed frames and tells the PF, the IOMMU refuses
; the DMA and records a fault, the PF driver NACKs the requests and then
; rate-limits them, and the stores reach nothing of the host: every attempt is
; counted (virtlab host --nic-stats) while the other VMs run on.
; It prints what it saw and halts with 0. Run it beside other VMs with VFs:
; test/network/sriov.test.ts.

        .include "../net/common.inc"
        .equ FLOOD, 200                 ; mailbox requests
        .equ OUTSIDE, 0x7ff00000        ; past any VM's RAM

        .text
        .global _start
_start:
        li      sp, 0x00100000
        call    net_init
        bnez    a0, no_vf
        li      a0, IGBVF_ID            ; the VF's registers
        call    pci_find
        li      a1, 0
        call    pci_bar
        mov     s0, a0

; 1. Spoofed frames: another source MAC, then a VLAN tag of its own choosing.
        la      s1, frame
        li      t0, -1
        sh      t0, 0(s1)
        sh      t0, 2(s1)
        sh      t0, 4(s1)
        li      t0, 0x0002              ; source 02:00:00:00:00:02: another VM's MAC
        sh      t0, 6(s1)
        sh      zero, 8(s1)
        li      t0, 0x0200
        sh      t0, 10(s1)
        li      t0, 0xb588              ; ethertype 0x88b5
        sh      t0, 12(s1)
        mov     a0, s1
        li      a1, 64
        call    net_send
        call    net_mac_source          ; its own MAC again, but tagged VLAN 99
        li      t0, 0x0081              ; TPID 0x8100, big-endian
        sh      t0, 12(s1)
        li      t0, 0x6300              ; TCI: VID 99
        sh      t0, 14(s1)
        li      t0, 0xb588
        sh      t0, 16(s1)
        mov     a0, s1
        li      a1, 64
        call    net_send

; 2. DMA past its memory: a transmit ring outside RAM (the IOMMU's domain maps RAM only).
        li      t0, OUTSIDE
        sw      t0, IGBVF_TDBAL(s0)
        lw      t0, IGBVF_TDT(s0)
        addi    t0, t0, 1
        andi    t0, t0, IGBVF_NTX - 1
        sw      t0, IGBVF_TDT(s0)

; 3. A mailbox flood: SET_MAC_ADDR for another VM's MAC, again and again.
        li      s2, FLOOD
        li      s1, 0                   ; NACKs seen
1:      li      t0, IGBVF_MBX_VFU
        sw      t0, IGBVF_V2PMAILBOX(s0)
        li      t0, 0x02                ; SET_MAC_ADDR
        sw      t0, IGBVF_VMBMEM(s0)
        li      t0, 0x00000002          ; 02:00:00:00:00:02
        sw      t0, IGBVF_VMBMEM + 4(s0)
        li      t0, 0x0200
        sw      t0, IGBVF_VMBMEM + 8(s0)
        li      t0, IGBVF_MBX_REQ
        sw      t0, IGBVF_V2PMAILBOX(s0)
        mov     t3, s0
        li      a0, IGBVF_MBX_PFSTS
        call    igbvf_wait
        li      t0, IGBVF_MBX_VFU
        sw      t0, IGBVF_V2PMAILBOX(s0)
        lw      t1, IGBVF_VMBMEM(s0)
        li      t0, IGBVF_MBX_ACK
        sw      t0, IGBVF_V2PMAILBOX(s0)
        lui     t0, 0x4000              ; NACK
        and     t1, t1, t0
        beqz    t1, 2f
        addi    s1, s1, 1
2:      addi    s2, s2, -1
        bnez    s2, 1b
        la      a0, s_nacked
        call    net_puts
        mov     a0, s1
        call    net_putd
        la      a0, s_of
        call    net_puts

; 4. Stores where a PF's registers are on the host (0xE0000000.. is its own VF here, so
;    it aims past its window: device memory nothing of it answers).
        li      t0, 0xE8000000
        li      t1, -1
        sw      t1, 0(t0)
        lw      t1, 0(t0)
        la      a0, s_pf
        call    net_puts
        NET_HALT zero

; net_mac_source: put the VF's own MAC in the frame at s1's source field.
net_mac_source:
        la      t1, net_mac
        lhu     t0, 0(t1)
        sh      t0, 6(s1)
        lhu     t0, 2(t1)
        sh      t0, 8(s1)
        lhu     t0, 4(t1)
        sh      t0, 10(s1)
        ret

no_vf:
        la      a0, s_no_vf
        call    net_puts
        li      t0, 2
        NET_HALT t0

        .include "../net/print.inc"
        .include "../lib/net.inc"

        .data
s_nacked:   .asciz "vf-attack: the PF refused "
s_of:       .asciz " of 200 MAC changes\n"
s_pf:       .asciz "vf-attack: done\n"
s_no_vf:    .asciz "no VF found\n"
        .align 4
frame:      .space 80
