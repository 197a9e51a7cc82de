; tinyos: a small preemptive kernel for the virtlab machine.
;
; Boots at ring 0, installs its trap vector, builds two-level page tables and
; turns paging on, then runs five user processes at ring 3, each in its own
; address space, switching between them round-robin on timer interrupts. It
; serves the system calls write, exit, yield and getpid, kills a process that
; faults with a message naming the fault, and halts with exit code 0 once every
; process has ended.
;
; The console output never depends on where the timer ticks land (they land on
; different instructions natively, translated, paravirtualized or with hardware
; help): lines pass a turnstile. Every line a process or the kernel prints on a
; process's behalf is that process's next "event"; events are printed in a fixed
; round-robin over the live processes in pid order (1, 2, 3, 4, 5, 1, ...). A
; write that is not its caller's turn blocks the caller and runs again when the
; turn comes; the last line of a process (exit or kill) waits for its turn the
; same way, and the process leaves the order once it is printed. Each process's
; own sequence of lines depends only on its program (the system calls' results
; do not depend on time), so the output is a fixed merge of fixed sequences.
; Preemption decides only when a line is printed, never which one is next.
;
; Every privileged operation goes through priv.inc; `virtlab asm -D PV` builds
; the paravirtualized kernel for `--mode pv`, whose priv-pv.inc makes
; hypercalls instead (docs/hypercalls.md). The console driver saves
; and restores the flags around its critical section, as Linux's printk does
; with spin_lock_irqsave (PUSHF; CLI ... POPF), and the boot path checks that
; timer interrupts really arrive, as Linux's check_timer() does. Under
; trap-and-emulate the flags restore at ring 1 silently keeps interrupts off,
; so that check fails: see docs/virtualization.md.
;
; Address spaces: 0..4 MiB is the kernel, identity-mapped, supervisor-only
; except the user text pages (user, read-only, shared by all processes).
; Each process has private pages: data at 0x00800000, stack below 0x00c00000.

        .include "priv.inc"
        .include "net-config.inc"       ; -D NET: the network layer's hooks (net-kernel.inc)
; --- machine ------------------------------------------------------------------
        .equ CONSOLE, 0x10
        .equ TIMER_PERIOD_PORT, 0x20
        .equ TIMER_ACK_PORT, 0x21
        .ifndef TICK_PERIOD             ; -D TICK_PERIOD=N to change it
        .equ TICK_PERIOD, 1500          ; instructions of a time slice: between timer interrupts
        .endif
        .if TICK_PERIOD < 50
        .error "TICK_PERIOD must be at least 50: the kernel spends about 30 instructions between re-arming the timer and returning"
        .endif
        .equ STATUS_PG, 0x40
        .equ STATUS_PPL, 0x18
        .equ USER_STATUS, 0x78          ; PG | PPL=3 | PIE: how a process is resumed
        .equ EXC_PAGE_FAULT, 3
        .equ EXC_SYSCALL, 7
        .equ PTE_P, 1
        .equ PTE_W, 2
        .equ PTE_U, 4

; --- memory layout --------------------------------------------------------------
        .equ KERNEL_SPACE_END, MEM_SPACE_END    ; 4 MiB (1 MiB with -D SMALL): memory.inc
        .equ FRAME_POOL, MEM_FRAME_POOL ; page frames for tables and process pages
        .equ USER_TEXT, 0x00002000      ; the processes' shared code: right after the kernel's
        .equ USER_DATA, 0x00800000
        .equ USER_STACK_TOP, 0x00c00000
        .equ PAGE, 4096

; --- process table -----------------------------------------------------------
        .equ NPROC, 5 + NET_NPROC       ; -D NET: a sixth slot, the network process
        .equ PCB_SIZE, 128
        .equ PCB_STATE, 0
        .equ PCB_PID, 4
        .equ PCB_PTBR, 8
        .equ PCB_PC, 12
        .equ PCB_STATUS, 16
        .equ PCB_END_CAUSE, 20          ; how it ended: EXC_SYSCALL for exit, else the fault's cause
        .equ PCB_END_VALUE, 24          ; the exit code, or the fault address
        .equ PCB_REGS, 64               ; r0..r15, one word each
        .equ ST_FREE, 0
        .equ ST_READY, 1
        .equ ST_DONE, 2                 ; ended and its last line printed: out of the turn order
        .equ ST_WAITING, 3              ; blocked in write until its turn
        .equ ST_ENDING, 4               ; ended; its last line waits for its turn

; --- trap frame, on the kernel stack -----------------------------------------
        .equ FRAME_SIZE, 80             ; r1..r15 at 4*n
        .equ TF_SP, 8
        .equ TF_A0, 16
        .equ TF_A1, 20
        .equ TF_A2, 24
        .equ TF_EPC, 64
        .equ TF_STATUS, 68
        .equ TF_CAUSE, 72

; --- system calls (number in a0, arguments in a1..a3, result in a0) ----------
        .equ SYS_WRITE, 1
        .equ SYS_EXIT, 2
        .equ SYS_YIELD, 3
        .equ SYS_GETPID, 4

        .text
        .global _start
_start:
        la      sp, kstack_top
        la      t0, trap_entry
        PRIV_SET_TVEC t0
        la      a0, msg_boot
        call    puts
        call    build_kernel_space
        call    create_processes
        .include "workload.inc"         ; -D WORKLOAD=n: benchmark processes instead (virtlab bench)
        NET_BOOT                        ; -D NET: find the NIC, map it, add the network process
        la      t0, kernel_dir          ; paging on, in the kernel's own address space
        PRIV_SET_PTBR t0
        PRIV_PAGING_ON t0
        la      a0, msg_paging
        call    puts

        ; Start the timer and open interrupts, then make sure ticks arrive
        ; before trusting the scheduler to them (Linux: check_timer()). A tick
        ; must come after the console's output, whose flags restore has to
        ; leave interrupts on; one that came before it would prove nothing.
        li      t0, TICK_PERIOD
        PRIV_OUT t0, TIMER_PERIOD_PORT
        PRIV_IRQ_ENABLE
        la      a0, msg_timer
        call    puts                    ; the console saves/restores flags around its output
        la      t0, ticks
        lw      t2, 0(t0)               ; the ticks so far
        li      t1, 20000 + TICK_PERIOD ; bounded wait: a tick is due within TICK_PERIOD instructions, an iteration takes 6
1:      la      t0, ticks
        lw      t0, 0(t0)
        bne     t0, t2, 2f
        addi    t1, t1, -1
        bnez    t1, 1b
        la      a0, msg_no_timer
        call    puts
        li      a0, 1
        PRIV_HALT a0
2:      PRIV_IRQ_DISABLE
        la      a0, msg_timer_ok
        call    puts

        ; First dispatch: an empty trap frame that the scheduler fills in.
        la      sp, kstack_top
        addi    sp, sp, -FRAME_SIZE
        mov     a0, sp
        li      a1, 0                   ; nothing to save: no process ran yet
        call    schedule
        j       trap_return

; build_kernel_space: the page table for 0..4 MiB shared by every address
; space. Page 0 stays unmapped so null pointers fault; user text is U, read-only.
; Entries go through PRIV_PT_SET and take effect at PRIV_PT_COMMIT (one
; hypercall for the whole table in the paravirtualized build).
build_kernel_space:
        la      t0, kernel_pt
        li      t1, PAGE                ; physical address of the page being mapped
        la      t2, user_text_start
        la      t3, user_text_end
        li      a1, KERNEL_SPACE_END
        addi    t0, t0, 4               ; entry for page 1
1:      ori     a0, t1, PTE_P | PTE_W
        bltu    t1, t2, 2f
        bgeu    t1, t3, 2f
        ori     a0, t1, PTE_P | PTE_U   ; user text: readable and executable by ring 3, not writable
2:      PRIV_PT_SET a0, t0, 0, a2
        addi    t0, t0, 4
        li      a2, PAGE
        add     t1, t1, a2
        bltu    t1, a1, 1b
        ; The kernel's own directory maps just this table, supervisor-only.
        la      t0, kernel_dir
        la      t1, kernel_pt
        ori     t1, t1, PTE_P | PTE_W
        PRIV_PT_SET t1, t0, 0, t2
        PRIV_PT_COMMIT
        ret

; create_processes: one process per entry of proc_entries.
create_processes:
        push    ra
        push    s0
        push    s1
        push    s2
        la      s0, proc_entries
        la      s1, pcbs
        li      s2, 1                   ; pid
1:      lw      a0, 0(s0)
        beqz    a0, 2f
        mov     a1, s1
        mov     a2, s2
        call    create_process
        addi    s0, s0, 4
        addi    s1, s1, PCB_SIZE
        addi    s2, s2, 1
        j       1b
2:      la      t0, live
        addi    s2, s2, -1
        sw      s2, 0(t0)               ; all of them are in the turn order
        pop     s2
        pop     s1
        pop     s0
        pop     ra
        ret

; create_process(a0 = entry pc, a1 = pcb, a2 = pid): a new address space with
; the shared kernel table, a private data page and a private stack page
; (its four entries are one PRIV_PT_COMMIT).
create_process:
        push    ra
        push    s0
        push    s1
        push    s2
        mov     s0, a0
        mov     s1, a1
        sw      a2, PCB_PID(s1)
        call    alloc_frame             ; page directory
        sw      a0, PCB_PTBR(s1)
        mov     s2, a0
        la      t0, kernel_pt
        ori     t0, t0, PTE_P | PTE_W | PTE_U   ; U here; the table's entries decide per page
        PRIV_PT_SET t0, s2, 0, t1       ; directory[0]: 0..4 MiB
        call    alloc_frame             ; private table for 8..12 MiB
        ori     t0, a0, PTE_P | PTE_W | PTE_U
        PRIV_PT_SET t0, s2, 8, t1       ; directory[2]
        mov     s2, a0
        call    alloc_frame             ; data page at USER_DATA
        ori     t0, a0, PTE_P | PTE_W | PTE_U
        PRIV_PT_SET t0, s2, 0, t1
        call    alloc_frame             ; stack page just below USER_STACK_TOP
        ori     t0, a0, PTE_P | PTE_W | PTE_U
        PRIV_PT_SET t0, s2, 4092, t1
        PRIV_PT_COMMIT
        li      t0, USER_STACK_TOP
        sw      t0, PCB_REGS+8(s1)      ; sp
        sw      s0, PCB_PC(s1)
        li      t0, USER_STATUS
        sw      t0, PCB_STATUS(s1)
        li      t0, ST_READY
        sw      t0, PCB_STATE(s1)
        pop     s2
        pop     s1
        pop     s0
        pop     ra
        ret

; alloc_frame() -> a0: a zeroed 4 KiB physical frame (identity-mapped for the kernel).
alloc_frame:
        la      t0, next_frame
        lw      a0, 0(t0)
        bnez    a0, 1f
        li      a0, FRAME_POOL          ; first call
1:      li      t1, PAGE
        add     t1, a0, t1
        sw      t1, 0(t0)
        mov     t2, a0
2:      sw      zero, 0(t2)
        addi    t2, t2, 4
        bne     t2, t1, 2b
        ret

; --- traps ---------------------------------------------------------------------
; Every exception and interrupt arrives here with interrupts off. From user
; mode we switch to the kernel stack; from kernel mode (the boot-time timer
; check) we push the frame on the current stack.
trap_entry:
        PRIV_STASH sp
        PRIV_READ_STATUS sp             ; sp as a temporary: which ring did we come from?
        andi    sp, sp, STATUS_PPL
        beqz    sp, 1f
        la      sp, kstack_top
        j       2f
1:      PRIV_UNSTASH sp
2:      addi    sp, sp, -FRAME_SIZE
        sw      ra, 4(sp)
        sw      fp, 12(sp)
        sw      a0, 16(sp)
        sw      a1, 20(sp)
        sw      a2, 24(sp)
        sw      a3, 28(sp)
        sw      t0, 32(sp)
        sw      t1, 36(sp)
        sw      t2, 40(sp)
        sw      t3, 44(sp)
        sw      s0, 48(sp)
        sw      s1, 52(sp)
        sw      s2, 56(sp)
        sw      at, 60(sp)
        PRIV_UNSTASH t0
        sw      t0, TF_SP(sp)
        PRIV_READ_EPC t0
        sw      t0, TF_EPC(sp)
        PRIV_READ_STATUS t0
        sw      t0, TF_STATUS(sp)
        PRIV_READ_CAUSE t0
        sw      t0, TF_CAUSE(sp)
        mov     a0, sp
        call    trap_dispatch
trap_return:
        lw      t0, TF_STATUS(sp)
        PRIV_WRITE_STATUS t0            ; previous ring and interrupt flag for rett
        lw      t0, TF_EPC(sp)
        PRIV_WRITE_EPC t0
        lw      ra, 4(sp)
        lw      fp, 12(sp)
        lw      a0, 16(sp)
        lw      a1, 20(sp)
        lw      a2, 24(sp)
        lw      a3, 28(sp)
        lw      t0, 32(sp)
        lw      t1, 36(sp)
        lw      t2, 40(sp)
        lw      t3, 44(sp)
        lw      s0, 48(sp)
        lw      s1, 52(sp)
        lw      s2, 56(sp)
        lw      at, 60(sp)
        lw      sp, TF_SP(sp)
        PRIV_RETURN

; trap_dispatch(a0 = trap frame)
trap_dispatch:
        push    ra
        push    s0
        mov     s0, a0
        lw      t0, TF_CAUSE(s0)
        blt     t0, zero, interrupt     ; bit 31: an interrupt
        andi    t1, t0, 0xff
        li      t2, EXC_SYSCALL
        beq     t1, t2, syscall_entry
        lw      t2, TF_STATUS(s0)
        andi    t2, t2, STATUS_PPL
        beqz    t2, kernel_fault
        mov     a0, s0                  ; a user process faulted: kill it
        call    kill_current
        mov     a0, s0
        li      a1, 0
        call    schedule
        j       dispatch_done
interrupt:
        andi    t1, t0, 0xff
        NET_IRQ t1                      ; a device's line: the network layer's (-D NET), else ignored
        la      t1, ticks
        lw      t2, 0(t1)
        addi    t2, t2, 1
        sw      t2, 0(t1)
        lw      t2, TF_STATUS(s0)
        andi    t2, t2, STATUS_PPL
        beqz    t2, 1f                  ; a tick in the kernel: no preemption
        mov     a0, s0                  ; a tick in a process: the next one runs
        li      a1, 1
        call    schedule
        ; Re-arm the timer, then lower the line, as late as possible: the slice
        ; of what runs next is a whole period, however long the kernel took. With
        ; a period shorter than this path, a tick acknowledged on entry would be
        ; pending again at rett and no process would ever run an instruction.
1:      li      t1, TICK_PERIOD
        PRIV_OUT t1, TIMER_PERIOD_PORT
        li      t1, 1
        PRIV_OUT t1, TIMER_ACK_PORT
dispatch_done:
        pop     s0
        pop     ra
        ret

kernel_fault:
        la      a0, msg_panic_fault
        call    puts
        lw      a0, TF_CAUSE(s0)
        call    print_hex
        la      a0, msg_at_pc
        call    puts
        lw      a0, TF_EPC(s0)
        call    print_hex
        la      a0, msg_newline
        call    puts
        li      a0, 2
        PRIV_HALT a0

; --- system calls ----------------------------------------------------------------
syscall_entry:
        lw      t0, TF_A0(s0)
        li      t1, SYS_WRITE
        beq     t0, t1, sys_write
        li      t1, SYS_EXIT
        beq     t0, t1, sys_exit
        li      t1, SYS_YIELD
        beq     t0, t1, sys_yield
        li      t1, SYS_GETPID
        beq     t0, t1, sys_getpid
        NET_SYSCALLS                    ; unknown: -1 in t0 (-D NET: the network calls first)
        sw      t0, TF_A0(s0)
        j       dispatch_done

; write(a1 = buffer, a2 = length) -> length, or -1 if the buffer is not the caller's.
; Prints only on the caller's turn (see the turnstile below); otherwise the
; caller waits, and the same syscall instruction runs again once it is woken.
sys_write:
        lw      a0, TF_A1(s0)
        lw      a1, TF_A2(s0)
        call    user_buffer_ok
        beqz    a0, 2f
        la      t0, current
        lw      t0, 0(t0)
        la      t1, turn
        lw      t1, 0(t1)
        bne     t0, t1, 1f
        lw      a0, TF_A1(s0)
        lw      a1, TF_A2(s0)
        call    console_write
        lw      t0, TF_A2(s0)
        sw      t0, TF_A0(s0)
        call    pass_turn
        j       dispatch_done
1:      lw      t0, TF_EPC(s0)          ; the pc after the syscall: back to the syscall itself
        addi    t0, t0, -4
        sw      t0, TF_EPC(s0)
        call    current_pcb
        li      t0, ST_WAITING
        sw      t0, PCB_STATE(a0)
        mov     a0, s0
        li      a1, 1
        call    schedule
        j       dispatch_done
2:      li      t0, -1
        sw      t0, TF_A0(s0)
        j       dispatch_done

; exit(a1 = code): "pid N exited" is printed on the process's turn.
sys_exit:
        mov     a0, s0
        li      a1, EXC_SYSCALL
        lw      a2, TF_A1(s0)
        call    end_current
        mov     a0, s0
        li      a1, 0
        call    schedule
        j       dispatch_done

sys_yield:
        sw      zero, TF_A0(s0)
        mov     a0, s0
        li      a1, 1
        call    schedule
        j       dispatch_done

sys_getpid:
        call    current_pcb
        lw      t0, PCB_PID(a0)
        sw      t0, TF_A0(s0)
        j       dispatch_done

; user_buffer_ok(a0 = address, a1 = length) -> a0 = 1 if the range lies in
; one region a process may pass: the shared user text, its data page or its stack page.
user_buffer_ok:
        li      t0, PAGE
        bgtu    a1, t0, 3f
        add     t3, a0, a1              ; end of the buffer
        bltu    t3, a0, 3f              ; wrapped around
        la      t0, user_text_start
        la      t1, user_text_end
        bltu    a0, t0, 1f
        bleu    t3, t1, 4f
1:      li      t0, USER_DATA
        li      t1, USER_DATA + PAGE
        bltu    a0, t0, 2f
        bleu    t3, t1, 4f
2:      li      t0, USER_STACK_TOP - PAGE
        li      t1, USER_STACK_TOP
        bltu    a0, t0, 3f
        bleu    t3, t1, 4f
3:      li      a0, 0
        ret
4:      li      a0, 1
        ret

; kill_current(a0 = trap frame): end the process that faulted; the message
; naming the fault is printed on its turn.
kill_current:
        lw      a1, TF_CAUSE(a0)
        andi    a1, a1, 0xff
        PRIV_READ_FAULTADDR a2          ; read now: the turn may come after other faults
        j       end_current

; end_current(a0 = trap frame, a1 = how: EXC_SYSCALL or a fault's cause,
; a2 = exit code or fault address): the running process ends. It stays in the
; turn order until its last line is printed.
end_current:
        push    ra
        push    s0
        mov     s0, a0
        call    current_pcb
        sw      a1, PCB_END_CAUSE(a0)
        sw      a2, PCB_END_VALUE(a0)
        lw      t1, TF_EPC(s0)
        sw      t1, PCB_PC(a0)
        li      t1, ST_ENDING
        sw      t1, PCB_STATE(a0)
        call    settle_turn             ; its turn already? then the line is printed now
        pop     s0
        pop     ra
        ret

; announce_end(a0 = pcb): the last line of an ended process.
announce_end:
        push    ra
        push    s0
        mov     s0, a0
        lw      t0, PCB_END_CAUSE(s0)
        li      t1, EXC_SYSCALL
        bne     t0, t1, 1f
        la      a0, msg_pid
        call    puts
        lw      a0, PCB_PID(s0)
        call    print_dec
        la      a0, msg_exited
        call    puts
        lw      a0, PCB_END_VALUE(s0)
        call    print_dec
        j       3f
1:      la      a0, msg_killed
        call    puts
        lw      a0, PCB_PID(s0)
        call    print_dec
        la      a0, msg_colon
        call    puts
        lw      t0, PCB_END_CAUSE(s0)
        li      t1, 7
        bleu    t0, t1, 2f
        li      t0, 0                   ; unknown cause: name 0 is "fault"
2:      slli    t0, t0, 2
        la      t1, cause_names
        add     t1, t1, t0
        lw      a0, 0(t1)
        call    puts
        la      a0, msg_at_pc
        call    puts
        lw      a0, PCB_PC(s0)
        call    print_hex
        lw      t0, PCB_END_CAUSE(s0)
        li      t1, EXC_PAGE_FAULT      ; page faults also name the address
        bne     t0, t1, 3f
        la      a0, msg_addr
        call    puts
        lw      a0, PCB_END_VALUE(s0)
        call    print_hex
3:      la      a0, msg_newline
        call    puts
        pop     s0
        pop     ra
        ret

; --- console turnstile -------------------------------------------------------------
; `turn` is the slot of the process whose line comes next; `live` counts the
; processes still in the order (not ST_DONE). Invariant, whenever a process
; runs: if live > 0, the process at `turn` is ST_READY. So the turn holder
; always gets to run and print, and the other processes never wait for ever.

; pass_turn: the turn holder printed its line; the turn moves to the next process.
pass_turn:
        push    ra
        call    next_turn
        call    settle_turn
        pop     ra
        ret

; settle_turn: restore the invariant. Skip finished slots; print the last line
; of an ended process and drop it from the order; wake a waiting one.
settle_turn:
        push    ra
        push    s0
1:      la      t0, live
        lw      t0, 0(t0)
        beqz    t0, 4f                  ; nobody left
        la      t0, turn
        lw      t0, 0(t0)
        slli    t0, t0, 7               ; * PCB_SIZE
        la      s0, pcbs
        add     s0, s0, t0
        lw      t1, PCB_STATE(s0)
        li      t2, ST_READY
        beq     t1, t2, 4f
        li      t2, ST_WAITING
        bne     t1, t2, 2f
        li      t1, ST_READY            ; its write runs again when it is scheduled
        sw      t1, PCB_STATE(s0)
        j       4f
2:      li      t2, ST_ENDING
        bne     t1, t2, 3f
        mov     a0, s0
        call    announce_end
        li      t1, ST_DONE
        sw      t1, PCB_STATE(s0)
        la      t0, live
        lw      t1, 0(t0)
        addi    t1, t1, -1
        sw      t1, 0(t0)
3:      call    next_turn               ; done (or just announced): not its turn any more
        j       1b
4:      pop     s0
        pop     ra
        ret

; next_turn: the next slot in pid order, wrapping around.
next_turn:
        la      t0, turn
        lw      t1, 0(t0)
        addi    t1, t1, 1
        li      t2, NPROC
        blt     t1, t2, 1f
        li      t1, 0
1:      sw      t1, 0(t0)
        ret

; --- scheduler -------------------------------------------------------------------
; schedule(a0 = trap frame, a1 = 1 to save the running process first):
; round-robin to the next ready process and load it into the frame, so that
; trap_return resumes it. Halts the machine when no process is left.
schedule:
        push    ra
        push    s0
        push    s1
        push    s2
        mov     s0, a0
        beqz    a1, 1f
        call    current_pcb             ; save the frame into the running process
        mov     a1, a0
        addi    a1, a1, PCB_REGS
        mov     a0, s0
        call    copy_regs
        call    current_pcb
        lw      t0, TF_EPC(s0)
        sw      t0, PCB_PC(a0)
        lw      t0, TF_STATUS(s0)
        sw      t0, PCB_STATUS(a0)
1:      la      t0, current
        lw      s1, 0(t0)               ; index of the running process (-1 at boot)
        li      s2, NPROC
2:      addi    s1, s1, 1               ; look at the next slot, wrapping around
        li      t0, NPROC
        blt     s1, t0, 3f
        li      s1, 0
3:      slli    t0, s1, 7               ; * PCB_SIZE
        la      t1, pcbs
        add     t1, t1, t0
        lw      t2, PCB_STATE(t1)
        li      t3, ST_READY
        beq     t2, t3, 4f
        addi    s2, s2, -1
        bnez    s2, 2b
        la      t0, live                ; nothing left to run: all ended, or a kernel bug
        lw      t0, 0(t0)
        bnez    t0, 5f
        la      a0, msg_all_done
        call    puts
        PRIV_HALT zero
5:      la      a0, msg_panic_stuck
        call    puts
        li      a0, 3
        PRIV_HALT a0
4:      la      t0, current
        sw      s1, 0(t0)
        mov     s1, t1
        lw      t0, PCB_PTBR(s1)
        PRIV_SET_PTBR t0
        lw      t0, PCB_PC(s1)
        sw      t0, TF_EPC(s0)
        lw      t0, PCB_STATUS(s1)
        sw      t0, TF_STATUS(s0)
        mov     a0, s1                  ; load the process's registers into the frame
        addi    a0, a0, PCB_REGS
        mov     a1, s0
        call    copy_regs
        pop     s2
        pop     s1
        pop     s0
        pop     ra
        ret

; copy_regs(a0 = from, a1 = to): words 1..15 (r1..r15; a trap frame and a
; PCB register block share this layout).
copy_regs:
        li      t0, 4
1:      add     t1, a0, t0
        lw      t2, 0(t1)
        add     t1, a1, t0
        sw      t2, 0(t1)
        addi    t0, t0, 4
        li      t1, 64
        bne     t0, t1, 1b
        ret

; current_pcb() -> a0 = the running process's PCB (leaves t-registers but t0 alone).
current_pcb:
        la      a0, current
        lw      a0, 0(a0)
        slli    a0, a0, 7
        la      t0, pcbs
        add     a0, a0, t0
        ret

; --- console ---------------------------------------------------------------------
; console_write(a0 = buffer, a1 = length). Output is one critical section:
; flags saved, interrupts off, flags restored (spin_lock_irqsave style).
; Paravirtualized, the driver hands the whole buffer to the monitor in one
; hypercall (Xen's console_io) instead of one port write per byte.
console_write:
        PRIV_IRQ_SAVE t3
        .ifdef PV
        hcall   HC_CONSOLE_WRITE
        .else
        beqz    a1, 2f
1:      lbu     t0, 0(a0)
        PRIV_OUT t0, CONSOLE
        addi    a0, a0, 1
        addi    a1, a1, -1
        bnez    a1, 1b
2:
        .endif
        PRIV_IRQ_RESTORE t3
        ret

; puts(a0 = NUL-terminated string)
puts:
        mov     a1, a0
1:      lbu     t0, 0(a1)
        beqz    t0, 2f
        addi    a1, a1, 1
        j       1b
2:      sub     a1, a1, a0
        j       console_write

; print_hex(a0 = value): "0x" and eight hex digits.
print_hex:
        push    ra
        la      t1, hexbuf + 9          ; last digit
        li      t2, 8
1:      andi    t0, a0, 15
        la      t3, hexdigits
        add     t3, t3, t0
        lbu     t0, 0(t3)
        sb      t0, 0(t1)
        srli    a0, a0, 4
        addi    t1, t1, -1
        addi    t2, t2, -1
        bnez    t2, 1b
        la      a0, hexbuf
        li      a1, 10
        call    console_write
        pop     ra
        ret

; print_dec(a0 = unsigned value)
print_dec:
        push    ra
        la      t1, decbuf_end
        mov     t2, t1
        li      t3, 10
1:      remu    t0, a0, t3
        addi    t0, t0, '0'
        addi    t1, t1, -1
        sb      t0, 0(t1)
        divu    a0, a0, t3
        bnez    a0, 1b
        mov     a0, t1
        sub     a1, t2, t1
        call    console_write
        pop     ra
        ret

; --- user programs -------------------------------------------------------------
; Everything from here to user_text_end is mapped user-readable in every
; address space. Each process's private data lives at USER_DATA. The user
; text sits at the same address in every build (the paravirtualized kernel is
; longer), so the fault pcs tinyos prints are the same in all of them.
        .align  PAGE
        .org    USER_TEXT
user_text_start:

; Three workers share one body; each prints a few steps, spinning in between
; long enough for the timer to preempt it, and checks that its private page
; (the same virtual address in every process) still holds what it wrote.
worker_a:
        li      s0, 'A'
        li      s1, 3                   ; steps
        li      s2, 0                   ; yield after each step? no
        j       worker
worker_b:
        li      s0, 'B'
        li      s1, 4
        li      s2, 1                   ; B yields after each step
        j       worker
worker_c:
        li      s0, 'C'
        li      s1, 2
        li      s2, 0
        j       worker

worker:
        li      a0, SYS_GETPID
        syscall
        mov     fp, a0                  ; fp = pid
        li      t0, 0x1111
        mul     t0, fp, t0
        li      t1, USER_DATA
        sw      t0, 0(t1)               ; private word = pid * 0x1111
        li      t3, 0                   ; step
1:      mov     a0, t3
        push    t3
        la      a1, umsg_step
        call    uprint
        pop     t3
        li      t0, 2500                ; spin ~5000 instructions
2:      addi    t0, t0, -1
        bnez    t0, 2b
        beqz    s2, 3f
        li      a0, SYS_YIELD
        push    t3
        syscall
        pop     t3
3:      addi    t3, t3, 1
        blt     t3, s1, 1b
        li      t0, 0x1111              ; is the private word still ours?
        mul     t0, fp, t0
        li      t1, USER_DATA
        lw      t1, 0(t1)
        la      a1, umsg_intact
        beq     t0, t1, 4f
        la      a1, umsg_corrupt
4:      li      a0, -1
        call    uprint
        li      a0, SYS_EXIT
        li      a1, 0
        syscall

; uprint(a0 = number or -1, a1 = text): writes "<letter><pid>: <text>[<number>]\n"
; via the write system call, built in the private data page.
uprint:
        li      t0, USER_DATA + 16      ; line buffer
        sb      s0, 0(t0)
        addi    t1, fp, '0'
        sb      t1, 1(t0)
        li      t1, ':'
        sb      t1, 2(t0)
        li      t1, ' '
        sb      t1, 3(t0)
        addi    t0, t0, 4
1:      lbu     t1, 0(a1)               ; copy the text
        beqz    t1, 2f
        sb      t1, 0(t0)
        addi    t0, t0, 1
        addi    a1, a1, 1
        j       1b
2:      blt     a0, zero, 3f
        addi    t1, a0, '0'             ; one decimal digit
        sb      t1, 0(t0)
        addi    t0, t0, 1
3:      li      t1, '\n'
        sb      t1, 0(t0)
        addi    t0, t0, 1
        li      a1, USER_DATA + 16
        sub     a2, t0, a1
        li      a0, SYS_WRITE
        syscall
        ret

; A process that reads kernel memory: a supervisor page, so a page fault.
prober:
        li      a0, SYS_WRITE
        la      a1, umsg_probe
        li      a2, umsg_probe_end - umsg_probe
        syscall
        lw      t0, 0x1000(zero)
        li      a0, SYS_EXIT            ; never reached
        li      a1, 1
        syscall

; A process that tries to turn interrupts off: privileged, so a protection fault.
meddler:
        li      a0, SYS_WRITE
        la      a1, umsg_cli
        li      a2, umsg_cli_end - umsg_cli
        syscall
        cli
        li      a0, SYS_EXIT            ; never reached
        li      a1, 1
        syscall
        .include "workload-user.inc"    ; -D WORKLOAD=n: the benchmark process
        .include "net-user.inc"         ; -D NET: the network process
umsg_step:      .asciz "step "
umsg_intact:    .asciz "private page intact, exiting"
umsg_corrupt:   .asciz "private page CORRUPTED"
umsg_probe:     .ascii "P4: reading kernel memory at 0x1000\n"
umsg_probe_end:
umsg_cli:       .ascii "M5: trying to disable interrupts\n"
umsg_cli_end:
        .align  PAGE
user_text_end:

; --- kernel data -----------------------------------------------------------------
        .data
proc_entries:
        .word   worker_a, worker_b, worker_c, prober, meddler, 0
current:        .word -1
turn:           .word 0                 ; slot whose line is next (pid 1 first)
live:           .word 0
ticks:          .word 0
next_frame:     .word 0
hexdigits:      .ascii "0123456789abcdef"
hexbuf:         .ascii "0x00000000"
decbuf:         .space 12
decbuf_end:
        .align  4               ; a table of words
cause_names:
        .word   cn_fault, cn_undefined, cn_protection, cn_page_fault
        .word   cn_misaligned, cn_divide, cn_breakpoint, cn_syscall
cn_fault:       .asciz "fault"
cn_undefined:   .asciz "undefined instruction"
cn_protection:  .asciz "protection fault"
cn_page_fault:  .asciz "page fault"
cn_misaligned:  .asciz "misaligned access"
cn_divide:      .asciz "divide by zero"
cn_breakpoint:  .asciz "breakpoint"
cn_syscall:     .asciz "system call"
msg_boot:       .asciz "tinyos: booting\n"
msg_paging:     .asciz "tinyos: paging on, 5 processes created\n"
msg_timer:      .asciz "tinyos: interrupts on, checking the timer\n"
msg_timer_ok:   .asciz "tinyos: timer ok, starting processes\n"
msg_no_timer:   .asciz "tinyos: panic: no timer interrupt arrived (were interrupts left disabled?)\n"
msg_panic_fault: .asciz "tinyos: panic: kernel fault, cause "
msg_killed:     .asciz "tinyos: killed pid "
msg_colon:      .asciz ": "
msg_at_pc:      .asciz " at pc "
msg_addr:       .asciz ", address "
msg_pid:        .asciz "tinyos: pid "
msg_exited:     .asciz " exited with code "
msg_newline:    .asciz "\n"
msg_all_done:   .asciz "tinyos: all processes exited, halting\n"
msg_panic_stuck: .asciz "tinyos: panic: no process can run\n"

        .bss
        .align  PAGE
kernel_dir:     .space PAGE
kernel_pt:      .space PAGE
pcbs:           .space NPROC * PCB_SIZE
kstack:         .space 4096
kstack_top:
        .include "workload-kernel.inc"  ; -D WORKLOAD=n: the benchmark kernel code and data
        .include "memory.inc"           ; -D SMALL: the 1 MiB build (many VMs on one host)
        .include "net-kernel.inc"       ; -D NET: the network layer (drivers, interrupt, system calls)
