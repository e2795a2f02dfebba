; missive_syscall(number, slot, tag, struct missive_msg *msg): the one
; system-call stub. Loads MR0-MR9 from msg into the registers of the ABI
; (lib/missive/abi.h), traps, and stores the answer (badge, tag, MR0-MR9)
; back into msg. Returns RAX: 0 or a negative error code.
;
; struct missive_msg { uint64_t badge, tag, mr[10]; }  (lib/libsys/libsys.h)

bits 64
section .text
global missive_syscall
missive_syscall:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rcx                    ; msg: RCX does not survive syscall
    mov r11, rcx
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, [r11 + 16]
    mov r8,  [r11 + 24]
    mov r9,  [r11 + 32]
    mov r10, [r11 + 40]
    mov r12, [r11 + 48]
    mov r13, [r11 + 56]
    mov r14, [r11 + 64]
    mov r15, [r11 + 72]
    mov rbx, [r11 + 80]
    mov rbp, [r11 + 88]
    syscall
    pop rcx
    mov [rcx], rdi
    mov [rcx + 8], rsi
    mov [rcx + 16], rdx
    mov [rcx + 24], r8
    mov [rcx + 32], r9
    mov [rcx + 40], r10
    mov [rcx + 48], r12
    mov [rcx + 56], r13
    mov [rcx + 64], r14
    mov [rcx + 72], r15
    mov [rcx + 80], rbx
    mov [rcx + 88], rbp
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
