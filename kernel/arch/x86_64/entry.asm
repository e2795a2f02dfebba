; Crossing between user mode and the kernel.
;
; Missive's kernel is event-driven, like seL4's: each CPU has one kernel
; stack, and a thread's user state lives in its thread object (its context,
; a struct trap_frame, arch/x86_64/trap.h). On entry the user
; registers are pushed straight into the current thread's context: the
; syscall path points RSP at the context's end itself, and for traps the TSS's
; RSP0 points there, so the CPU's own pushes land in it. Then RSP moves to
; the CPU's kernel stack and C runs. Every return to user mode goes through
; context_restore with the context of whichever thread runs next.
;
; Offsets into struct cpu_local (arch/x86_64/cpu_local.h):
%define CPU_KERNEL_STACK_TOP 8
%define CPU_CONTEXT_END      16
%define CPU_USER_RSP         24
%define SEL_USER_DATA        0x1b
%define SEL_USER_CODE        0x23
%define VECTOR_SYSCALL       256

bits 64
section .text

extern syscall_handler
extern trap_dispatch
extern trap_dispatch_user
extern kernel_return_to_user

; SAVE_GENERAL_REGISTERS: the order struct trap_frame expects (rax first,
; r15 last, so r15 ends at the lowest address).
%macro SAVE_GENERAL_REGISTERS 0
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
%endmacro

%macro RESTORE_GENERAL_REGISTERS 0
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
%endmacro

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

; Every trap stub lands here with the vector and an error code pushed.
; From kernel mode (a kernel bug, or later an interrupt while idle) the
; registers go on the current stack. From user mode the CPU has switched to
; RSP0, the end of the current thread's context, so the registers complete
; that context; GS is swapped and C runs on the CPU's kernel stack.
; In both cases RSP is 16-byte aligned at the call: the CPU aligned it before
; its five pushes, and 2 + 15 more words keep it so.
trap_common:
    test qword [rsp + 24], 3            ; CS of the interrupted code: ring 3?
    jnz .from_user
    SAVE_GENERAL_REGISTERS
    cld
    mov rdi, rsp
    call trap_dispatch
    RESTORE_GENERAL_REGISTERS
    add rsp, 16                         ; vector and error code
    iretq
.from_user:
    swapgs
    SAVE_GENERAL_REGISTERS
    cld
    mov rdi, rsp
    mov rsp, [gs:CPU_KERNEL_STACK_TOP]
    xor ebp, ebp
    ; A trap keeps the user's RFLAGS.AC, which would switch SMAP's check off
    ; in the kernel; clac would do, but faults without SMAP. (syscall clears
    ; AC through FMASK.)
    pushfq
    and qword [rsp], ~(1 << 18)
    popfq
    call trap_dispatch_user
    jmp kernel_return_to_user

; syscall: RCX = user RIP, R11 = user RFLAGS, interrupts off (FMASK).
global syscall_entry
syscall_entry:
    swapgs
    mov [gs:CPU_USER_RSP], rsp
    mov rsp, [gs:CPU_CONTEXT_END]
    push qword SEL_USER_DATA            ; ss
    push qword [gs:CPU_USER_RSP]        ; rsp
    push r11                            ; rflags
    push qword SEL_USER_CODE            ; cs
    push rcx                            ; rip
    push qword 0                        ; error code
    push qword VECTOR_SYSCALL           ; marks a context that may return by sysret
    SAVE_GENERAL_REGISTERS              ; (FMASK cleared DF: no cld)
    mov rdi, rsp
    mov rsp, [gs:CPU_KERNEL_STACK_TOP]
    xor ebp, ebp                        ; backtraces end here
    call [rel syscall_handler]          ; fastpath.c: the fast path for this CPU, or its traced twin
    jmp kernel_return_to_user           ; C: picks the thread to run, never returns

; context_restore(struct trap_frame *context): loads a user context and
; leaves the kernel. Interrupts are off; GS holds the kernel's base. The
; caller has checked that RIP is a user address, so sysret cannot fault in
; ring 0 (the sysret hazard), and that RFLAGS is sane.
global context_restore
context_restore:
    mov rsp, rdi
    RESTORE_GENERAL_REGISTERS
    cmp qword [rsp], VECTOR_SYSCALL
    jne .by_iret
    ; sysret: faster, but restores only RIP (from RCX) and RFLAGS (from R11);
    ; the ABI says a system call clobbers both registers.
    mov rcx, [rsp + 16]                 ; rip
    mov r11, [rsp + 32]                 ; rflags
    mov rsp, [rsp + 40]                 ; user rsp
    swapgs
    o64 sysret
.by_iret:
    add rsp, 16                         ; vector, error code
    swapgs
    iretq

; fastpath_exit(struct trap_frame *to, struct trap_frame *from): the fast
; path's direct switch (fastpath.c). The receiver (to) gets the message
; straight from the sender's saved context (from): the message registers,
; RAX, RDI and RSI; only RIP, RFLAGS and RSP are its own. to was saved by
; syscall, so sysret suits it, and its RIP is a user address.
global fastpath_exit
fastpath_exit:
    mov [gs:CPU_USER_RSP], rdi          ; scratch: no register is free below
    mov rsp, rsi
    RESTORE_GENERAL_REGISTERS
    mov rsp, [gs:CPU_USER_RSP]
    mov rcx, [rsp + 17 * 8]             ; rip
    mov r11, [rsp + 19 * 8]             ; rflags
    mov rsp, [rsp + 20 * 8]             ; user rsp
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
