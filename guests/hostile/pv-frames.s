; pv-frames.s: a hostile paravirtualized kernel (run it with --mode pv) that
; names memory that is not its own in every hypercall taking a frame or an
; address, and prints what each returned.
;
; Under pv the guest's frame numbers are guest-physical: one past its RAM is,
; in host RAM, its monitor's memory and then the next VMs' windows (src/host/
; layout.ts); a huge one would wrap, in a monitor that added the base without
; a bound, to the VMs before it. The monitor checks every such argument before
; it changes anything (src/vmm/pv/hypercalls.ts, docs/hypercalls.md): each
; call below must fail with the error in brackets, and a refused list must
; leave the page table it named unchanged.
;
;   register_vcpu_info  the page right above RAM, 2 MiB above, 0xfffff000 [EFAULT];
;                       a page not page-aligned [EINVAL]
;   set_ptbr            the same directories [EFAULT]; 0x80000000 [EFAULT]
;   mmu_update          entries mapping the frame above RAM, 1 MiB above,
;                       0xfffff000, 0x80000000 [EPERM]; an entry (the word
;                       to write) above RAM or 0xfffff000 [EFAULT], not
;                       aligned [EINVAL]; the list itself above RAM or
;                       straddling its end [EFAULT]; count -1 [EINVAL]; a
;                       good entry followed by a bad one [EPERM], the good
;                       one not written
;   console_write       a buffer above RAM, straddling its end, at 0xfffffff0,
;                       [EFAULT]; length -1 [EINVAL]
;   console_read        a buffer above RAM, at 0xfffff000 [EFAULT]
;   paging on           with tables it wrote itself mapping 4..8 MiB onto the
;                       frames above RAM (plain stores before set_ptbr: the
;                       monitor's shadow never maps them): console_write and
;                       console_read there [EFAULT], mmu_update with its list
;                       there [EFAULT]; a load there reads all ones and a
;                       store is dropped (nothing is there for it)
;   hcall 999           [ENOSYS]
;   from ring 3         mmu_update is the undefined instruction it is on bare
;                       metal, delivered to its trap table: the last line,
;                       then it halts with 0
;
; It is always a PV build (it defines PV itself); on a bare machine its first
; hcall is an undefined instruction with no trap vector installed.
; test/host/isolation.test.ts runs it beside victims on one host.

        .ifndef PV
        .equ PV, 1
        .endif
        .equ PTE_P, 1
        .equ PTE_PWU, 7                 ; P | W | U

        .include "../lib/trap-test.inc"

; TRY msg, nr: print msg, make hypercall nr with the arguments in a0 and a1, print a0.
.macro TRY msg, nr
        mov     s1, a0
        mov     s2, a1
        la      a0, \msg
        call    rt_puts
        mov     a0, s1
        mov     a1, s2
        hcall   \nr
        call    rt_hex
        la      a0, msg_nl
        call    rt_puts
.endm
; MMU_ONE msg, entry, value: mmu_update of a one-pair list (entry and value in registers).
.macro MMU_ONE msg, entry, value
        la      a0, list
        sw      \entry, 0(a0)
        sw      \value, 4(a0)
        li      a1, 1
        TRY     \msg, HC_MMU_UPDATE
.endm

        .text
        .global _start
_start:
        mov     s0, sp                  ; s0: the top of RAM (sp at reset), for the whole run
        la      sp, stack_top           ; a stack its 0..4 MiB identity map keeps mapped
        la      t0, handler
        PRIV_SET_TVEC t0                ; trap table and shared page (rt-pv.inc)

        mov     a0, s0
        li      a1, 0
        TRY     m_vcpu_above, HC_REGISTER_VCPU_INFO
        li      t0, 0x200000
        add     a0, s0, t0
        li      a1, 0
        TRY     m_vcpu_2m, HC_REGISTER_VCPU_INFO
        li      a0, 0xfffff000
        li      a1, 0
        TRY     m_vcpu_top, HC_REGISTER_VCPU_INFO
        la      a0, dir
        addi    a0, a0, 4
        li      a1, 0
        TRY     m_vcpu_unaligned, HC_REGISTER_VCPU_INFO

        mov     a0, s0
        TRY     m_ptbr_above, HC_SET_PTBR
        li      t0, 0x200000
        add     a0, s0, t0
        TRY     m_ptbr_2m, HC_SET_PTBR
        li      a0, 0xfffff000
        TRY     m_ptbr_top, HC_SET_PTBR
        li      a0, 0x80000000
        TRY     m_ptbr_neg, HC_SET_PTBR

        la      s1, pt0                 ; mmu_update: values naming frames that are not its own
        ori     t1, s0, PTE_P
        MMU_ONE m_mmu_above, s1, t1
        la      s1, pt0
        li      t0, 0x100000 | PTE_P
        add     t1, s0, t0
        MMU_ONE m_mmu_1m, s1, t1
        la      s1, pt0
        li      t1, 0xfffff000 | PTE_P
        MMU_ONE m_mmu_top, s1, t1
        la      s1, pt0
        li      t1, 0x80000000 | PTE_P
        MMU_ONE m_mmu_neg, s1, t1
        mov     s1, s0                  ; entries that are not its own
        li      t1, 0
        MMU_ONE m_mmu_entry_above, s1, t1
        li      s1, 0xfffff000
        li      t1, 0
        MMU_ONE m_mmu_entry_top, s1, t1
        la      s1, pt0
        addi    s1, s1, 2
        li      t1, 0
        MMU_ONE m_mmu_entry_unaligned, s1, t1
        mov     a0, s0                  ; the list itself
        li      a1, 1
        TRY     m_mmu_list_above, HC_MMU_UPDATE
        addi    a0, s0, -4
        li      a1, 1
        TRY     m_mmu_list_end, HC_MMU_UPDATE
        la      a0, list
        li      a1, -1
        TRY     m_mmu_count, HC_MMU_UPDATE
        la      a0, list                ; a good pair, then a bad one: nothing written
        la      t0, pt0
        sw      t0, 0(a0)
        li      t1, 0x1000 | PTE_P
        sw      t1, 4(a0)
        addi    t0, t0, 4
        sw      t0, 8(a0)
        ori     t1, s0, PTE_P
        sw      t1, 12(a0)
        li      a1, 2
        TRY     m_mmu_mixed, HC_MMU_UPDATE
        la      a0, m_pt0_word
        call    rt_puts
        la      a0, pt0
        lw      a0, 0(a0)
        call    rt_hex
        la      a0, msg_nl
        call    rt_puts

        mov     a0, s0                  ; console buffers
        li      a1, 4
        TRY     m_cw_above, HC_CONSOLE_WRITE
        addi    a0, s0, -2
        li      a1, 4
        TRY     m_cw_end, HC_CONSOLE_WRITE
        li      a0, 0xfffffff0
        li      a1, 16
        TRY     m_cw_top, HC_CONSOLE_WRITE
        la      a0, m_cw_len
        li      a1, -1
        TRY     m_cw_len, HC_CONSOLE_WRITE
        mov     a0, s0
        li      a1, 1
        TRY     m_cr_above, HC_CONSOLE_READ
        li      a0, 0xfffff000
        li      a1, 1
        TRY     m_cr_top, HC_CONSOLE_READ

        ; Paging on, with tables written by plain stores: 0..4 MiB onto themselves,
        ; 4..8 MiB onto the frames above RAM. Neither call may fail.
        la      t0, pt0
        li      t1, 0
        li      t2, 0x400000
1:      ori     t3, t1, PTE_PWU
        sw      t3, 0(t0)
        addi    t0, t0, 4
        li      t3, 4096
        add     t1, t1, t3
        bltu    t1, t2, 1b
        la      t0, pt1
        mov     t1, s0
        li      t2, 1024
2:      ori     t3, t1, PTE_PWU
        sw      t3, 0(t0)
        addi    t0, t0, 4
        li      t3, 4096
        add     t1, t1, t3
        addi    t2, t2, -1
        bnez    t2, 2b
        la      t0, dir
        la      t1, pt0
        ori     t1, t1, PTE_PWU
        sw      t1, 0(t0)
        la      t1, pt1
        ori     t1, t1, PTE_PWU
        sw      t1, 4(t0)
        la      a0, dir
        TRY     m_ptbr_own, HC_SET_PTBR
        li      a0, 1
        TRY     m_paging, HC_SET_PAGING
        li      a0, 0x400000
        li      a1, 4
        TRY     m_cw_mapped, HC_CONSOLE_WRITE
        li      a0, 0x400000
        li      a1, 1
        TRY     m_cr_mapped, HC_CONSOLE_READ
        li      a0, 0x400000
        li      a1, 1
        TRY     m_mmu_mapped, HC_MMU_UPDATE
        la      a0, m_load
        call    rt_puts
        li      t0, 0x400000
        li      t1, 0x12345678
        sw      t1, 0(t0)
        lw      a0, 0(t0)
        call    rt_hex
        la      a0, msg_nl
        call    rt_puts

        li      a0, 0
        TRY     m_unknown, 999

        la      a0, m_user
        call    rt_puts
        la      t0, user
        PRIV_WRITE_EPC t0
        li      t0, 0x18                ; PPL 3
        PRIV_WRITE_STATUS t0
        PRIV_RETURN
user:
        la      a0, list
        li      a1, 1
        hcall   HC_MMU_UPDATE           ; not the kernel: an undefined instruction
        RT_NO_TRAP

handler:
        call    rt_report
        PRIV_HALT zero

        .include "../lib/rt.inc"
        .data
m_vcpu_above:   .asciz "register_vcpu_info(page above RAM) [EFAULT] "
m_vcpu_2m:      .asciz "register_vcpu_info(2 MiB above RAM) [EFAULT] "
m_vcpu_top:     .asciz "register_vcpu_info(0xfffff000) [EFAULT] "
m_vcpu_unaligned: .asciz "register_vcpu_info(not page-aligned) [EINVAL] "
m_ptbr_above:   .asciz "set_ptbr(page above RAM) [EFAULT] "
m_ptbr_2m:      .asciz "set_ptbr(2 MiB above RAM) [EFAULT] "
m_ptbr_top:     .asciz "set_ptbr(0xfffff000) [EFAULT] "
m_ptbr_neg:     .asciz "set_ptbr(0x80000000) [EFAULT] "
m_mmu_above:    .asciz "mmu_update(map the frame above RAM) [EPERM] "
m_mmu_1m:       .asciz "mmu_update(map 1 MiB above RAM) [EPERM] "
m_mmu_top:      .asciz "mmu_update(map 0xfffff000) [EPERM] "
m_mmu_neg:      .asciz "mmu_update(map 0x80000000) [EPERM] "
m_mmu_entry_above: .asciz "mmu_update(entry above RAM) [EFAULT] "
m_mmu_entry_top: .asciz "mmu_update(entry 0xfffff000) [EFAULT] "
m_mmu_entry_unaligned: .asciz "mmu_update(entry not aligned) [EINVAL] "
m_mmu_list_above: .asciz "mmu_update(list above RAM) [EFAULT] "
m_mmu_list_end: .asciz "mmu_update(list across the end of RAM) [EFAULT] "
m_mmu_count:    .asciz "mmu_update(count -1) [EINVAL] "
m_mmu_mixed:    .asciz "mmu_update(good pair, bad pair) [EPERM] "
m_pt0_word:     .asciz "the good pair's entry, unwritten: "
m_cw_above:     .asciz "console_write(buffer above RAM) [EFAULT] "
m_cw_end:       .asciz "console_write(buffer across the end of RAM) [EFAULT] "
m_cw_top:       .asciz "console_write(0xfffffff0) [EFAULT] "
m_cw_len:       .asciz "console_write(length -1) [EINVAL] "
m_cr_above:     .asciz "console_read(buffer above RAM) [EFAULT] "
m_cr_top:       .asciz "console_read(0xfffff000) [EFAULT] "
m_ptbr_own:     .asciz "set_ptbr(its own directory) "
m_paging:       .asciz "set_paging(1) "
m_cw_mapped:    .asciz "console_write(page mapped above RAM) [EFAULT] "
m_cr_mapped:    .asciz "console_read(page mapped above RAM) [EFAULT] "
m_mmu_mapped:   .asciz "mmu_update(list in a page mapped above RAM) [EFAULT] "
m_load:         .asciz "store, then load, in a page mapped above RAM: "
m_unknown:      .asciz "hcall 999 [ENOSYS] "
m_user:         .asciz "mmu_update from ring 3:\n"
msg_nl:         .asciz "\n"
        .align  4
list:   .space  16
        .bss
        .align  4096
dir:    .space  4096
pt0:    .space  4096
pt1:    .space  4096
stack:  .space  4096
stack_top:
