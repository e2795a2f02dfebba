; Crossing between user mode and the kernel.
;
; Missive's kernel is event-driven, like seL4's: each CPU has one kernel stack, and a thread's user
; state lives in its thread object (its context, a struct trap_frame: arch/x86_64/trap.h). On entry
; the user registers are pushed straight into the current thread's context: the syscall path points
; RSP at the context's end itself, and for traps the TSS's RSP0 points there, so the CPU's own
; pushes land in it. Then RSP moves to the CPU's kernel stack and C runs. Every return to user mode
; goes through context_restore with the context of whichever thread runs next.
;
; Offsets into struct cpu_local and struct trap_frame, and the C constants used here, come from
; asm_offsets.inc, generated from the C definitions at build time (asm_offsets.c).
%include "asm_offsets.inc"

bits 64
section .text

extern fastpath_call_handler, fastpath_reply_recv_handler, syscall_slow, trap_dispatch
extern trap_dispatch_user, kernel_return_to_user, kernel_lock_word

; PUSH_FIELD register, offset: pushes a register below the vector of a
; trap frame, and fails the assembly unless it lands at that offset of
; struct trap_frame. The pushes fill the frame downwards from the vector.
%macro PUSH_FIELD 2
    push %1
%assign frame_pushed frame_pushed + 8
%if TRAP_FRAME_VECTOR - frame_pushed != %2
%error SAVE_GENERAL_REGISTERS: %1 does not land on its field of struct trap_frame
%endif
%endmacro

; POP_FIELD register, offset: the same for the pops, upwards from offset 0.
%macro POP_FIELD 2
%if frame_popped != %2
%error RESTORE_GENERAL_REGISTERS: %1 is not popped from its field of struct trap_frame
%endif
    pop %1
%assign frame_popped frame_popped + 8
%endmacro

; SAVE_GENERAL_REGISTERS: the order struct trap_frame expects (rax first,
; r15 last, so r15 ends at the lowest address).
%macro SAVE_GENERAL_REGISTERS 0
%assign frame_pushed 0
    PUSH_FIELD rax, TRAP_FRAME_RAX
    PUSH_FIELD rbx, TRAP_FRAME_RBX
    PUSH_FIELD rcx, TRAP_FRAME_RCX
    PUSH_FIELD rdx, TRAP_FRAME_RDX
    PUSH_FIELD rsi, TRAP_FRAME_RSI
    PUSH_FIELD rdi, TRAP_FRAME_RDI
    PUSH_FIELD rbp, TRAP_FRAME_RBP
    PUSH_FIELD r8, TRAP_FRAME_R8
    PUSH_FIELD r9, TRAP_FRAME_R9
    PUSH_FIELD r10, TRAP_FRAME_R10
    PUSH_FIELD r11, TRAP_FRAME_R11
    PUSH_FIELD r12, TRAP_FRAME_R12
    PUSH_FIELD r13, TRAP_FRAME_R13
    PUSH_FIELD r14, TRAP_FRAME_R14
    PUSH_FIELD r15, TRAP_FRAME_R15
%if frame_pushed != TRAP_FRAME_VECTOR
%error "SAVE_GENERAL_REGISTERS: struct trap_frame has other fields below the vector"
%endif
%endmacro

%macro RESTORE_GENERAL_REGISTERS 0
%assign frame_popped 0
    POP_FIELD r15, TRAP_FRAME_R15
    POP_FIELD r14, TRAP_FRAME_R14
    POP_FIELD r13, TRAP_FRAME_R13
    POP_FIELD r12, TRAP_FRAME_R12
    POP_FIELD r11, TRAP_FRAME_R11
    POP_FIELD r10, TRAP_FRAME_R10
    POP_FIELD r9, TRAP_FRAME_R9
    POP_FIELD r8, TRAP_FRAME_R8
    POP_FIELD rbp, TRAP_FRAME_RBP
    POP_FIELD rdi, TRAP_FRAME_RDI
    POP_FIELD rsi, TRAP_FRAME_RSI
    POP_FIELD rdx, TRAP_FRAME_RDX
    POP_FIELD rcx, TRAP_FRAME_RCX
    POP_FIELD rbx, TRAP_FRAME_RBX
    POP_FIELD rax, TRAP_FRAME_RAX
%endmacro

; Where RSP points once the general registers are pushed or popped: at the
; vector. Offsets of the fields above it, from there.
%define FROM_VECTOR(offset) ((offset) - TRAP_FRAME_VECTOR)

; Trap stubs: one per vector, so the vector number is known; vectors
; where the CPU pushes no error code push a zero to keep one layout.
%macro TRAP_STUB 1
trap_stub_%1:
%if (%1 == 8) || (%1 == 10) || (%1 == 11) || (%1 == 12) || (%1 == 13) || (%1 == 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
    push %1                     ; the CPU pushed an error code
%else
    push 0
    push %1
%endif
    jmp trap_common
%endmacro

%assign vector 0
%rep 256
    TRAP_STUB vector
%assign vector vector + 1
%endrep

; Every trap stub lands here with the vector and an error code pushed. From kernel mode (a kernel
; bug, or later an interrupt while idle) the registers go on the current stack. From user mode the
; CPU has switched to RSP0, the end of the current thread's context, so the registers complete that
; context; GS is swapped and C runs on the CPU's kernel stack. In both cases RSP is 16-byte aligned
; at the call: the CPU aligned it before its five pushes, and 2 + 15 more words keep it so.
trap_common:
    test qword [rsp + FROM_VECTOR(TRAP_FRAME_CS)], 3 ; the interrupted code's CS: ring 3?
    jnz .from_user
    SAVE_GENERAL_REGISTERS
    cld
    mov rdi, rsp
    call trap_dispatch
    RESTORE_GENERAL_REGISTERS
    add rsp, FROM_VECTOR(TRAP_FRAME_RIP) ; vector and error code
    iretq
.from_user:
    swapgs
    SAVE_GENERAL_REGISTERS
    cld
    mov rdi, rsp
    mov rsp, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
    xor ebp, ebp
    ; A trap keeps the user's RFLAGS.AC, which would switch SMAP's check off in the kernel; clac
    ; would do, but faults without SMAP. (syscall clears AC through FMASK.)
    pushfq
    and qword [rsp], ~(1 << 18)
    popfq
    call trap_dispatch_user
    jmp kernel_return_to_user

; syscall: RCX = user RIP, R11 = user RFLAGS, interrupts off (FMASK).
global syscall_entry
syscall_entry:
    swapgs
    mov [gs:CPU_LOCAL_USER_RSP], rsp
    mov rsp, [gs:CPU_LOCAL_CONTEXT_END]
    push qword SEL_USER_DATA            ; ss (the CPU's order: trap.h checks it)
    push qword [gs:CPU_LOCAL_USER_RSP]  ; rsp
    push r11                            ; rflags
    push qword SEL_USER_CODE            ; cs
    push rcx                            ; rip
    push qword 0                        ; error code
    push qword TRAP_VECTOR_SYSCALL      ; marks a context that may return by sysret
    SAVE_GENERAL_REGISTERS              ; (FMASK cleared DF: no cld)
    mov rdi, rsp
    mov rsp, [gs:CPU_LOCAL_KERNEL_STACK_TOP]
    xor ebp, ebp                        ; backtraces end here
    ; By number (RAX, still the caller's): the two calls the fast path may take go to it
    ; (fastpath.c: the variant for this CPU, or its traced twin), the others straight to the
    ; slow path, which saves no register for the fast path's sake and never returns.
    test rax, rax                       ; SYS_CALL
    jz .call
    cmp rax, SYS_REPLY_RECV
    jne .slow
    call [rel fastpath_reply_recv_handler]
    jmp kernel_return_to_user           ; C: picks the thread to run, never returns
.call:
    call [rel fastpath_call_handler]
    jmp kernel_return_to_user
.slow:
    call syscall_slow                   ; syscall.c

; context_restore(struct trap_frame *context): loads a user context and leaves the kernel.
; Interrupts are off; GS holds the kernel's base. The caller has checked that RIP is a user address,
; so sysret cannot fault in ring 0 (the sysret hazard), and that RFLAGS is sane.
global context_restore
context_restore:
    mov rsp, rdi
    RESTORE_GENERAL_REGISTERS
    cmp qword [rsp], TRAP_VECTOR_SYSCALL
    jne .by_iret
    ; sysret: faster, but restores only RIP (from RCX) and RFLAGS (from R11);
    ; the ABI says a system call clobbers both registers.
    mov rcx, [rsp + FROM_VECTOR(TRAP_FRAME_RIP)]
    mov r11, [rsp + FROM_VECTOR(TRAP_FRAME_RFLAGS)]
    mov rsp, [rsp + FROM_VECTOR(TRAP_FRAME_RSP)] ; user rsp
    swapgs
    o64 sysret
.by_iret:
    add rsp, FROM_VECTOR(TRAP_FRAME_RIP) ; vector, error code
    swapgs
    iretq

; fastpath_exit(struct trap_frame *to, struct trap_frame *from): the fast path's direct switch
; (fastpath.c). The receiver (to) gets the message straight from the sender's saved context (from):
; the message registers, RAX, RDI and RSI; only RIP, RFLAGS and RSP are its own. to was saved by
; syscall, so sysret suits it, and its RIP is a user address. Entered with the kernel lock held,
; released only once from is read (kernel_unlock's two stores, owner first as in debug builds: from
; may be rewritten by another CPU once the lock is free, fastpath.c).
global fastpath_exit
fastpath_exit:
    mov [gs:CPU_LOCAL_USER_RSP], rdi    ; scratch: no register is free below
    mov rsp, rsi
    RESTORE_GENERAL_REGISTERS
    mov dword [rel kernel_lock_word + KERNEL_LOCK_OWNER], -1
    mov dword [rel kernel_lock_word + KERNEL_LOCK_HELD], 0
    mov rsp, [gs:CPU_LOCAL_USER_RSP]
    mov rcx, [rsp + TRAP_FRAME_RIP]
    mov r11, [rsp + TRAP_FRAME_RFLAGS]
    mov rsp, [rsp + TRAP_FRAME_RSP]     ; user rsp
    swapgs
    o64 sysret

; gdt_reload_segments(code selector, data selector): loads the data
; selector into DS, ES, SS (FS and GS get the null selector) and the code
; selector into CS with a far return, the only way to reload CS in long mode.
global gdt_reload_segments
gdt_reload_segments:
    mov ds, si
    mov es, si
    mov ss, si
    xor eax, eax
    mov fs, ax
    mov gs, ax
    pop rax                     ; our return address
    push rdi
    push rax
    retfq

section .rodata
global trap_stub_table
trap_stub_table:
%assign vector 0
%rep 256
    dq trap_stub_ %+ vector
%assign vector vector + 1
%endrep
